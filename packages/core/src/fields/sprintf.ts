// Logstash's sprintf: `%{[a][b]}` field references and `%{+yyyy.MM.dd}` dates inside a string.
import { getField } from "./access.js";
import { parseFieldReference } from "./path.js";

type JsonObject = Record<string, unknown>;
type Part = string | ((doc: JsonObject) => string);

/** Formats epoch milliseconds with a Joda-style pattern, in UTC. */
export type DateFormatter = (epochMillis: number, pattern: string) => string;

/**
 * Compiles a template once. A reference to a missing field is left as written (`%{missing}`), as
 * Logstash leaves it; arrays join with commas; objects print as JSON. `%{+PATTERN}` formats the event's
 * `@timestamp` (an ISO-8601 string or epoch seconds) with `formatDate`; without a usable `@timestamp`,
 * or without a formatter (core carries no calendar patterns), it stays as written.
 */
export function sprintf(template: string, formatDate?: DateFormatter): (doc: JsonObject) => string {
  if (!template.includes("%{")) return () => template;
  const parts: Part[] = [];
  let last = 0;
  for (const match of template.matchAll(/%\{([^}]+)\}/g)) {
    if (match.index > last) parts.push(template.slice(last, match.index));
    last = match.index + match[0].length;
    const body = match[1]!;
    const literal = match[0];
    if (body.startsWith("+")) {
      const pattern = body.slice(1);
      if (formatDate === undefined) {
        parts.push(literal);
        continue;
      }
      try {
        formatDate(0, pattern);
      } catch {
        // A pattern the formatter cannot write stays as written, as a missing field does.
        parts.push(literal);
        continue;
      }
      parts.push((doc) => {
        const millis = timestampMillis(doc);
        return millis === undefined ? literal : formatDate(millis, pattern);
      });
      continue;
    }
    let path: ReturnType<typeof parseFieldReference>;
    try {
      path = parseFieldReference(body);
    } catch {
      parts.push(literal);
      continue;
    }
    parts.push((doc) => {
      const value = getField(doc, path);
      return value === undefined ? literal : stringify(value);
    });
  }
  if (last < template.length) parts.push(template.slice(last));
  if (parts.length === 1 && typeof parts[0] === "function") return parts[0];
  return (doc) => {
    let out = "";
    for (const part of parts) out += typeof part === "string" ? part : part(doc);
    return out;
  };
}

/** True when the template holds any `%{…}` reference. */
export function hasReferences(template: string): boolean {
  return /%\{[^}]+\}/.test(template);
}

function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value))
    return value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(",");
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function timestampMillis(doc: JsonObject): number | undefined {
  const value = Object.hasOwn(doc, "@timestamp") ? doc["@timestamp"] : undefined;
  if (typeof value === "number") return Number.isFinite(value) ? Math.floor(value * 1000) : undefined;
  if (typeof value === "string") {
    const millis = Date.parse(value);
    return Number.isNaN(millis) ? undefined : millis;
  }
  return undefined;
}
