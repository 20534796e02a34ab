// The VRL functions this subset knows: their parameters, kinds, fallibility and plain JS implementations.

import { UTC, type Zone } from "@sluice/core/time";
import { JSON_LIMIT_DEFAULTS, jsonLimitProblem } from "../json-limits.js";
import { beyondDepth } from "../json-text.js";
import { formatTimestamp as formatWith, parseTimestamp as parseWith, parseZone } from "./time.js";
import {
  deepClone,
  getOwn,
  isObject,
  type JsonObject,
  Kind,
  kindDescription,
  kindNames,
  kindOf,
  setKey,
  VrlError,
  VrlTimestamp,
} from "./value.js";

export interface Param {
  readonly name: string;
  readonly kind: number;
  readonly required: boolean;
  /** Allowed literal values (VRL checks enum arguments at compile time). */
  readonly oneOf?: readonly string[];
  /** The function's own error for a value of another kind at run time, where it words one. */
  readonly mismatch?: (got: unknown) => VrlError;
}

/** What a running program hands a function besides its arguments. */
export interface CallContext {
  /** The remap's `timezone`, used where a format carries no offset. */
  readonly zone: Zone;
}

export interface FunctionDef {
  readonly params: readonly Param[];
  /**
   * The function's own fallibility, given its arguments' kinds and the values of those written as literals
   * (undefined otherwise); argument kind mismatches are added.
   */
  fallible(argKinds: readonly number[], literals: readonly unknown[]): boolean;
  returnKind(argKinds: readonly number[]): number;
  /** May the result hold a timestamp? */
  returnsTimestamp?(argTs: readonly boolean[]): boolean;
  impl(a: unknown, b: unknown, c: unknown, ctx: CallContext): unknown;
}

const never = (): boolean => false;
const always = (): boolean => true;
const value: Param = { name: "value", kind: Kind.ANY, required: true };

function is(bit: number): FunctionDef {
  return {
    params: [value],
    fallible: never,
    returnKind: () => Kind.BOOLEAN,
    impl: (v) => (bit === Kind.NULL ? v === null || v === undefined : matches(v, bit)),
  };
}

function matches(v: unknown, bit: number): boolean {
  switch (bit) {
    case Kind.BYTES:
      return typeof v === "string";
    case Kind.OBJECT:
      return isObject(v);
    case Kind.ARRAY:
      return Array.isArray(v);
    case Kind.BOOLEAN:
      return typeof v === "boolean";
    case Kind.INTEGER:
      return typeof v === "number" && Number.isInteger(v);
    case Kind.FLOAT:
      return typeof v === "number" && !Number.isInteger(v);
    case Kind.TIMESTAMP:
      return v instanceof VrlTimestamp;
    default:
      return false;
  }
}

export function expected(kind: number, got: unknown): VrlError {
  return new VrlError(`expected ${kindNames(kind)}, got ${kindDescription(got)}`);
}

// ---- plain JS versions, exported through `vrl` for custom transforms ----

/** serde_json's default recursion limit, which parse_json without max_depth runs into. */
const SERDE_DEPTH_LIMIT = 128;

/** VRL's parse_json: any JSON value; `maxDepth` (1..128) keeps deeper levels as their JSON text. */
export function parseJson(text: string, maxDepth?: number): unknown {
  if (maxDepth !== undefined) {
    if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > SERDE_DEPTH_LIMIT)
      throw new VrlError(`max_depth value should be greater than 0 and less than 128, got ${maxDepth}`);
  }
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const verb = maxDepth === undefined ? "parse" : "read";
  // serde_json stops at 128 levels (with or without max_depth, which cuts only after reading): so do we,
  // before JSON.parse, whose own recursion could overflow the stack.
  if (source.length > SERDE_DEPTH_LIMIT) {
    const tooDeep = beyondDepth(source, SERDE_DEPTH_LIMIT);
    if (tooDeep >= 0)
      throw new VrlError(`unable to ${verb} json: recursion limit exceeded ${position(source, tooDeep)}`);
  }
  if (source.indexOf("\\u") >= 0 && hasLoneSurrogate(source))
    throw new VrlError(`unable to ${verb} json: lone surrogate found in hex escape`);
  // Unlike serde_json, a bound on what one text may build: parsed containers take many times their bytes.
  const tooLarge = jsonLimitProblem(source, JSON_LIMIT_DEFAULTS);
  if (tooLarge) throw new VrlError(`unable to ${verb} json: ${tooLarge.reason.replace(/ \(\w+\)$/, "")}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    throw new VrlError(
      `unable to ${maxDepth === undefined ? "parse" : "read"} json: ${(error as Error).message}`,
    );
  }
  return maxDepth === undefined ? parsed : cutAtDepth(parsed, source, maxDepth);
}

function position(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++)
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  return `at line ${line} column ${offset - lineStart + 1}`;
}

const LONE_SURROGATE =
  /\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}/;

function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text.replaceAll("\\\\", ""));
}

/**
 * parse_json's max_depth: containers below `maxDepth` levels become their JSON text. JSON.parse loses
 * the original text, so it is rebuilt with JSON.stringify (compact; Vector keeps the input's spacing).
 */
function cutAtDepth(parsed: unknown, _source: string, maxDepth: number): unknown {
  const cut = (node: unknown, remaining: number): unknown => {
    if (node === null || typeof node !== "object") return node;
    if (remaining === 0) return JSON.stringify(node);
    if (Array.isArray(node)) return node.map((item) => cut(item, remaining - 1));
    const out: JsonObject = {};
    for (const key of Object.keys(node)) setKey(out, key, cut((node as JsonObject)[key], remaining - 1));
    return out;
  };
  return cut(parsed, maxDepth); // maxDepth <= 128: the recursion is bounded
}

/** VRL's to_string: strings as they are, numbers and booleans as text, null as "", timestamps as RFC 3339. */
export function coerceToString(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return positional(v);
  if (typeof v === "boolean") return String(v);
  if (v instanceof VrlTimestamp) return v.toString();
  throw new VrlError(`unable to coerce ${kindDescription(v)} into string`);
}

/** A number's shortest digits without an exponent, as Rust's Display writes a float (1e-7 is "0.0000001"). */
function positional(x: number): string {
  if (Object.is(x, -0)) return "-0";
  const text = String(x);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, fraction = "", power] = match;
  const exponent = Number(power);
  const digits = lead! + fraction;
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  if (exponent >= fraction.length) return sign + digits + "0".repeat(exponent - fraction.length);
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

/** The units of `toUnixTimestamp` (VRL's to_unix_timestamp `unit`). */
export type TimestampUnit = "seconds" | "milliseconds" | "microseconds" | "nanoseconds";

/** VRL's to_unix_timestamp. Beyond 2^53 a JavaScript number rounds (Vector's i64 does not). */
export function toUnixTimestamp(ts: VrlTimestamp, unit: TimestampUnit = "seconds"): number {
  switch (unit) {
    case "seconds":
      return ts.seconds;
    case "milliseconds":
      return ts.ms;
    case "microseconds":
      return ts.ms * 1000 + Math.floor(ts.nanos / 1000);
    case "nanoseconds": {
      // chrono's timestamp_nanos_opt: out of range beyond ~year 2262.
      if (Math.abs(ts.ms) > 9_223_372_036_854) throw new VrlError("can't convert out of range timestamp");
      return ts.ms * 1_000_000 + ts.nanos;
    }
    default:
      throw new VrlError(`unit not recognized: ${String(unit)}`);
  }
}

function zoneOf(timezone: unknown, fallback: Zone): Zone {
  if (timezone === undefined || timezone === null) return fallback;
  const zone = parseZone(String(timezone));
  if (!zone) throw new VrlError(`unable to parse timezone: ${String(timezone)}`);
  return zone;
}

/** VRL's format_timestamp (chrono strftime); `timezone` an IANA name or "local"; UTC by default. */
export function formatTimestamp(ts: VrlTimestamp, format: string, timezone?: string): string {
  return formatWith(ts, format, timezone === undefined ? undefined : zoneOf(timezone, UTC));
}

/** VRL's parse_timestamp (chrono strptime); a format without an offset is read in `timezone` (UTC by default). */
export function parseTimestamp(text: string | VrlTimestamp, format: string, timezone?: string): VrlTimestamp {
  if (text instanceof VrlTimestamp) return text;
  return parseWith(text, format, timezone === undefined ? UTC : zoneOf(timezone, UTC));
}

/** The current time (millisecond precision: what JavaScript's clock gives). */
export function now(): VrlTimestamp {
  return new VrlTimestamp(Date.now(), 0);
}

/** VRL's merge: a copy of `to` with `from`'s keys; with `deep`, objects on both sides merge recursively. */
export function merge(to: JsonObject, from: JsonObject, deep = false): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(to)) setKey(out, key, to[key]);
  // Iterative: (target, source) pairs still to merge.
  const stack: Array<[JsonObject, JsonObject]> = [[out, from]];
  while (stack.length > 0) {
    const [target, source] = stack.pop()!;
    for (const key of Object.keys(source)) {
      const incoming = source[key];
      const existing = getOwn(target, key);
      if (deep && isObject(existing) && isObject(incoming)) {
        const copy: JsonObject = {};
        for (const k of Object.keys(existing)) setKey(copy, k, existing[k]);
        setKey(target, key, copy);
        stack.push([copy, incoming]);
      } else setKey(target, key, deepClone(incoming));
    }
  }
  return out;
}

export const FUNCTIONS: Readonly<Record<string, FunctionDef>> = {
  parse_json: {
    params: [
      { name: "value", kind: Kind.BYTES, required: true },
      { name: "max_depth", kind: Kind.INTEGER, required: false },
      { name: "lossy", kind: Kind.BOOLEAN, required: false },
    ],
    fallible: always,
    returnKind: () => Kind.JSON,
    returnsTimestamp: never,
    impl: (text, maxDepth) =>
      parseJson(text as string, maxDepth === undefined ? undefined : (maxDepth as number)),
  },
  string: {
    params: [value],
    fallible: ([kind]) => (kind! & ~Kind.BYTES) !== 0,
    returnKind: () => Kind.BYTES,
    impl: (v) => {
      if (typeof v === "string") return v;
      throw expected(Kind.BYTES, v);
    },
  },
  to_string: {
    params: [value],
    fallible: ([kind]) => (kind! & (Kind.OBJECT | Kind.ARRAY)) !== 0,
    returnKind: () => Kind.BYTES,
    impl: (v) => coerceToString(v),
  },
  now: {
    params: [],
    fallible: never,
    returnKind: () => Kind.TIMESTAMP,
    returnsTimestamp: always,
    impl: () => now(),
  },
  merge: {
    params: [
      { name: "to", kind: Kind.OBJECT, required: true },
      { name: "from", kind: Kind.OBJECT, required: true },
      { name: "deep", kind: Kind.BOOLEAN, required: false },
    ],
    fallible: never,
    returnKind: () => Kind.OBJECT,
    returnsTimestamp: ([a, b]) => a! || b!,
    impl: (to, from, deep) => merge(to as JsonObject, from as JsonObject, deep === true),
  },
  parse_timestamp: {
    params: [
      {
        name: "value",
        kind: Kind.BYTES | Kind.TIMESTAMP,
        required: true,
        mismatch: (got) =>
          new VrlError(`unable to convert ${isObject(got) ? "map" : kindOf(got)} value to timestamp`),
      },
      { name: "format", kind: Kind.BYTES, required: true },
      { name: "timezone", kind: Kind.BYTES, required: false },
    ],
    fallible: always,
    returnKind: () => Kind.TIMESTAMP,
    returnsTimestamp: always,
    impl: (v, format, timezone, ctx) => {
      if (v instanceof VrlTimestamp) return v;
      return parseWith(v as string, format as string, zoneOf(timezone, ctx.zone));
    },
  },
  format_timestamp: {
    params: [
      { name: "value", kind: Kind.TIMESTAMP, required: true },
      { name: "format", kind: Kind.BYTES, required: true },
      { name: "timezone", kind: Kind.BYTES, required: false },
    ],
    fallible: always,
    returnKind: () => Kind.BYTES,
    impl: (ts, format, timezone) =>
      formatWith(
        ts as VrlTimestamp,
        format as string,
        timezone === undefined ? undefined : zoneOf(timezone, UTC),
      ),
  },
  to_unix_timestamp: {
    params: [
      { name: "value", kind: Kind.TIMESTAMP, required: true },
      {
        name: "unit",
        kind: Kind.BYTES,
        required: false,
        oneOf: ["seconds", "milliseconds", "microseconds", "nanoseconds"],
      },
    ],
    // Only nanoseconds can leave a 64-bit integer's range (years beyond 2262), as in Vector.
    fallible: (_kinds, [, unit]) => unit === "nanoseconds",
    returnKind: () => Kind.INTEGER,
    impl: (ts, unit) => toUnixTimestamp(ts as VrlTimestamp, (unit ?? "seconds") as TimestampUnit),
  },
  upcase: {
    params: [{ name: "value", kind: Kind.BYTES, required: true }],
    fallible: never,
    returnKind: () => Kind.BYTES,
    impl: (v) => (v as string).toUpperCase(),
  },
  downcase: {
    params: [{ name: "value", kind: Kind.BYTES, required: true }],
    fallible: never,
    returnKind: () => Kind.BYTES,
    impl: (v) => (v as string).toLowerCase(),
  },
  is_string: is(Kind.BYTES),
  is_object: is(Kind.OBJECT),
  is_null: is(Kind.NULL),
  is_array: is(Kind.ARRAY),
  is_boolean: is(Kind.BOOLEAN),
  is_integer: is(Kind.INTEGER),
  is_float: is(Kind.FLOAT),
  is_timestamp: is(Kind.TIMESTAMP),
};
