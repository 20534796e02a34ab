// `${VAR}`, `${VAR:-default}`, `${file:PATH}` and `$${` in a config's string values, after parsing, so a value never becomes structure.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the messages quote the config's own `${…}` syntax.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ErrorCode, SluiceError } from "@sluice/core";

/** Where variables and secret files come from. */
export interface InterpolationContext {
  /** The environment `${VAR}` reads. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The directory `${file:PATH}` is relative to: the config file's. */
  readonly baseDir: string;
}

/** A value after interpolation. */
export interface Interpolated {
  readonly value: string;
  /** Whether any `${…}` or `$${` was replaced. */
  readonly changed: boolean;
  /** Whether the text was exactly one `${VAR}` or `${VAR:-default}` reference. */
  readonly whole: boolean;
  /** The values read from secret files, which no message may show. */
  readonly secrets: readonly string[];
}

const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/** `text` with every reference replaced; throws an Error whose message says what is wrong, never a value read. */
export function interpolate(text: string, context: InterpolationContext): Interpolated {
  if (!text.includes("$")) return { value: text, changed: false, whole: false, secrets: [] };
  const secrets: string[] = [];
  let out = "";
  let changed = false;
  let references = 0;
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      out += "${";
      changed = true;
      i += 3;
      continue;
    }
    if (!text.startsWith("${", i)) {
      out += text[i];
      i++;
      continue;
    }
    const end = text.indexOf("}", i + 2);
    if (end === -1) throw problem("has `${` without its closing `}` (write `$${` for a literal `${`)");
    out += reference(text.slice(i + 2, end), context, secrets);
    changed = true;
    references++;
    i = end + 1;
  }
  const whole = references === 1 && secrets.length === 0 && /^\$\{[^}]*\}$/.test(text);
  return { value: out, changed, whole, secrets };
}

function reference(expression: string, context: InterpolationContext, secrets: string[]): string {
  if (expression.startsWith("file:")) {
    const path = expression.slice("file:".length);
    if (path === "") throw problem("has `${file:}` without a path");
    let content: string;
    try {
      content = readFileSync(resolve(context.baseDir, path), "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw problem(`reads the secret file ${path}, which cannot be read (${code})`);
    }
    // Files written by editors and `echo` end with a newline that is no part of the secret.
    const secret = content.replace(/\r?\n$/, "");
    if (secret !== "") secrets.push(secret);
    return secret;
  }
  const match = VARIABLE.exec(expression);
  if (match === null)
    throw problem(
      `has \`\${${expression}}\`, which is not \`\${NAME}\`, \`\${NAME:-default}\` or \`\${file:PATH}\``,
    );
  const [, name, fallback] = match as unknown as [string, string, string | undefined];
  const value = context.env[name];
  // As in the shell, `:-` also covers a variable set to the empty string.
  if (fallback !== undefined) return value === undefined || value === "" ? fallback : value;
  if (value === undefined)
    throw problem(
      `needs the environment variable ${name}, which is not set (or write \`\${${name}:-default}\`)`,
    );
  return value;
}

/** A mistake in one value; the loader adds the file, line and option. */
function problem(message: string): SluiceError {
  return new SluiceError(ErrorCode.CONFIG, message);
}
