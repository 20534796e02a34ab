// Credentials in a plan's options replaced by environment references, so a migrated config never holds one.
import { isSecretKey } from "@sluice/core";

/** Where a migrated config reads a credential: an environment variable, inside a string (a URL's password) or alone. */
export class SecretRef {
  /**
   * @param name - The environment variable.
   * @param before - Text before the credential in the value (a URL up to its password).
   * @param after - Text after it.
   */
  constructor(
    readonly name: string,
    readonly before = "",
    readonly after = "",
  ) {}
}

/** One environment variable a migrated config needs. */
export interface SecretVariable {
  readonly name: string;
  /** The options that read it, e.g. `pipelines[0].targets[1].elasticsearch.auth.password`. */
  readonly options: string[];
}

// A URL's userinfo password: scheme://user:password@host.
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s/@]+)(@.*)$/i;

/** Names the credentials it meets by value, so one password used twice is one variable. */
export class SecretNames {
  readonly #byValue = new Map<string, SecretVariable>();
  readonly #taken = new Set<string>();

  /** Every variable named so far, in order. */
  get variables(): SecretVariable[] {
    return [...this.#byValue.values()];
  }

  /**
   * A copy of `value` (plain options) whose credentials are SecretRefs; `prefix` (`ES`, `KAFKA`) starts
   * each variable's name and `path` names the option in the list of variables.
   */
  replace(value: unknown, prefix: string, path: string, parent?: string): unknown {
    if (typeof value === "string") {
      if (parent !== undefined && isSecretKey(parent)) return this.#ref(value, prefix, parent, path);
      const url = URL_PASSWORD.exec(value);
      if (url !== null) {
        const ref = this.#ref(url[2]!, prefix, "url_password", path);
        return new SecretRef(ref.name, url[1], url[3]);
      }
      return value;
    }
    if (Array.isArray(value))
      return value.map((item, i) => this.replace(item, prefix, `${path}[${i}]`, parent));
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const secret = typeof item === "string" && isSecretKey(key, parent);
      out[key] = secret
        ? this.#ref(item, prefix, key, `${path}.${key}`)
        : this.replace(item, prefix, `${path}.${key}`, key);
    }
    return out;
  }

  #ref(value: string, prefix: string, key: string, path: string): SecretRef {
    let variable = this.#byValue.get(value);
    if (variable === undefined) {
      const base = `${prefix}_${key
        .replace(/([a-z])([A-Z])/g, "$1_$2")
        .replace(/[^A-Za-z0-9]+/g, "_")
        .toUpperCase()}`;
      let name = base;
      for (let n = 2; this.#taken.has(name); n++) name = `${base}_${n}`;
      this.#taken.add(name);
      variable = { name, options: [] };
      this.#byValue.set(value, variable);
    }
    if (!variable.options.includes(path)) variable.options.push(path);
    return new SecretRef(variable.name);
  }
}
