// The Ruby String and Array behaviours mutate relies on (strip, split, join, to_s, capitalize), for JSON values.
import { ErrorCode, SluiceError } from "@sluice/core";
import { isPlainObject, setOwn } from "../../fields/index.js";

/** Thrown where Ruby would raise inside mutate: Logstash tags the event `_mutate_error` and stops. */
export class MutateError extends SluiceError {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(ErrorCode.TRANSFORM, message);
    this.name = "MutateError";
  }
}

/** Nesting deeper than this fails the event rather than risk the stack (parseJson's default bound too). */
export const MAX_DEPTH = 1000;

// Ruby's strip: ASCII whitespace and NUL only; Unicode spaces stay, unlike String.prototype.trim.
const LEADING = /^[\0\t\n\v\f\r ]+/;
const TRAILING = /[\0\t\n\v\f\r ]+$/;

export function rubyStrip(text: string): string {
  return text.replace(LEADING, "").replace(TRAILING, "");
}

/**
 * Ruby's `to_s` for what a JSON value can be. An integral number prints as an Integer (JSON has no
 * 1.0); other numbers as Ruby's Float#to_s (`1.0e-05`, `1.0e+16`); an object as JSON.
 */
export function rubyToS(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return numberToS(value);
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "true" : "false";
  return JSON.stringify(value) ?? "";
}

function numberToS(n: number): string {
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "NaN" : n > 0 ? "Infinity" : "-Infinity";
  // Shortest round-trip digits (as Ruby uses), laid out Ruby's way: fixed for 1e-4 <= |n| < 1e16.
  const [mantissa, exp] = n.toExponential().split("e") as [string, string];
  const e = Number(exp);
  // JavaScript prints fixed notation down to 1e-6, so this range never holds an exponent.
  if (e >= -4 && e < 16) return String(n);
  const m = mantissa.includes(".") ? mantissa : `${mantissa}.0`;
  const sign = e < 0 ? "-" : "+";
  return `${m}e${sign}${String(Math.abs(e)).padStart(2, "0")}`;
}

/**
 * Ruby's String#split(separator) with no limit: trailing empty strings are dropped (so `""` gives
 * `[]`), `" "` splits on runs of whitespace ignoring leading ones (awk style), `""` splits characters.
 */
export function rubySplit(text: string, separator: string): string[] {
  let parts: string[];
  if (separator === " ") {
    parts = text.replace(LEADING, "").split(/[\0\t\n\v\f\r ]+/);
  } else if (separator === "") {
    parts = Array.from(text);
  } else {
    parts = text.split(separator);
  }
  let end = parts.length;
  while (end > 0 && parts[end - 1] === "") end--;
  return end === parts.length ? parts : parts.slice(0, end);
}

/** Ruby's Array#join: elements as to_s, nested arrays joined with the same separator, nil as "". */
export function rubyJoin(array: readonly unknown[], separator: string, depth = 0): string {
  if (depth > MAX_DEPTH) throw new MutateError("join_error", "array nested too deeply to join");
  let out = "";
  for (let i = 0; i < array.length; i++) {
    if (i > 0) out += separator;
    const v = array[i];
    out += Array.isArray(v) ? rubyJoin(v, separator, depth + 1) : rubyToS(v);
  }
  return out;
}

/** Ruby's String#capitalize: the first character upper case, the rest lower case. */
export function rubyCapitalize(text: string): string {
  if (text.length === 0) return text;
  const first = text.codePointAt(0)!;
  const width = first > 0xffff ? 2 : 1;
  return text.slice(0, width).toUpperCase() + text.slice(width).toLowerCase();
}

/** Ruby's Kernel#Array: nil → [], an array as is, a hash → its [key, value] pairs, anything else → [it]. */
export function rubyArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  if (isPlainObject(value)) return Object.keys(value).map((k) => [k, value[k]]);
  return [value];
}

/** A deep copy of a JSON value; `__proto__` keys stay plain own keys. */
export function deepClone(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_DEPTH) throw new MutateError("copy_error", "value nested too deeply to copy");
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = deepClone(value[i], depth + 1);
    return out;
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setOwn(out, key, deepClone(value[key], depth + 1));
  return out;
}
