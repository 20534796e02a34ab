// Keeps credentials out of what Sluice reports: values under secret-looking keys, the secret strings
// components declare, and passwords in URLs are replaced before a log line, an error or /health leaves.

/** What replaces a credential in logs, errors, `/health` and dead letters. */
export const REDACTED = "[redacted]";

// Keys whose values are credentials wherever they sit, whatever their case.
const SECRET_KEY =
  /pass(word|wd|phrase)?$|secret|token|api_?key|authorization|bearer|cookie|credential|private_?key|^sasl$/i;
// `key` (and `cert` chains carry no secret) is a private key only inside TLS options.
const TLS_PARENT = /^(ssl|tls)$/i;
// The userinfo password of a URL: scheme://user:password@host.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'`]*):([^\s/@"'`]*)@/gi;
// How deep an object is walked: configuration and log fields are shallow; this bounds a cyclic or hostile one.
const MAX_DEPTH = 12;

/** Whether a value under `key` (inside an object under `parent`) is a credential. */
export function isSecretKey(key: string, parent?: string): boolean {
  if (SECRET_KEY.test(key)) return true;
  return parent !== undefined && TLS_PARENT.test(parent) && /^(key|keys|pfx)$/i.test(key);
}

/** What a component may declare: the credentials it was given, to be scrubbed from all it reports. */
export interface DeclaresSecrets {
  /** Every string given as a credential (passwords, API keys, tokens, Authorization header values). */
  readonly secrets?: readonly string[];
}

/** Scrubs known secret strings (and URL passwords) from text, and secret keys and strings from values. */
export class Secrets {
  private readonly values: string[];

  /**
   * Scrubs `values` (empty and undefined ones are skipped), as written and as they appear inside a JSON
   * string or a URL.
   */
  constructor(values: Iterable<string | undefined> = []) {
    const set = new Set<string>();
    for (const value of values) {
      if (typeof value !== "string" || value.length === 0) continue;
      set.add(value);
      // As it appears inside a JSON string or a URL.
      set.add(JSON.stringify(value).slice(1, -1));
      set.add(encodeURIComponent(value));
    }
    // Longest first, so a secret containing another is replaced whole.
    this.values = [...set].sort((a, b) => b.length - a.length);
  }

  /** A copy holding these secrets and `more`. */
  with(more: Iterable<string | undefined>): Secrets {
    return new Secrets([...this.values, ...more]);
  }

  /** `text` with every secret and every URL password replaced. */
  scrub(text: string): string {
    let out = text.includes("@") ? text.replace(URL_PASSWORD, `$1:${REDACTED}@`) : text;
    for (const value of this.values) if (out.includes(value)) out = out.split(value).join(REDACTED);
    return out;
  }

  /**
   * A copy of `value` fit to report: strings scrubbed, values under secret keys replaced, errors rebuilt
   * with scrubbed messages. Objects other than plain ones, arrays and errors are kept as they are.
   */
  scrubValue(value: unknown, parent?: string, depth = 0): unknown {
    if (typeof value === "string") return this.scrub(value);
    if (value === null || typeof value !== "object") return value;
    if (depth > MAX_DEPTH) return "[too deep]";
    if (value instanceof Error) return this.describe(value, depth);
    if (Array.isArray(value)) return value.map((item) => this.scrubValue(item, parent, depth + 1));
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      out[key] = isSecretKey(key, parent) ? REDACTED : this.scrubValue(item, key, depth + 1);
    return out;
  }

  /** A plain, scrubbed description of an error for a log line: its type, code, message, stack, cause. */
  private describe(error: Error, depth: number): Record<string, unknown> {
    const code = (error as { code?: unknown }).code;
    return {
      type: error.name,
      ...(code === undefined ? {} : { code: this.scrubValue(code, undefined, depth + 1) }),
      message: this.scrub(error.message),
      ...(error.stack ? { stack: this.scrub(error.stack) } : {}),
      ...(error.cause === undefined ? {} : { cause: this.scrubValue(error.cause, undefined, depth + 1) }),
    };
  }

  /** `error` with its message, stack and causes scrubbed, in place (so its class and code stay). */
  scrubError<E>(error: E, depth = 0): E {
    if (!(error instanceof Error) || depth > MAX_DEPTH) return error;
    for (const field of ["message", "stack"] as const) {
      const text = error[field];
      if (typeof text !== "string") continue;
      const clean = this.scrub(text);
      if (clean !== text)
        Object.defineProperty(error, field, { value: clean, writable: true, configurable: true });
    }
    if (error.cause instanceof Error) this.scrubError(error.cause, depth + 1);
    else if (typeof error.cause === "string")
      Object.defineProperty(error, "cause", {
        value: this.scrub(error.cause),
        writable: true,
        configurable: true,
      });
    if (error instanceof AggregateError)
      for (const inner of error.errors) if (inner instanceof Error) this.scrubError(inner, depth + 1);
    return error;
  }
}

/** The password in a URL's userinfo, if it has one. */
export function urlPassword(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}
