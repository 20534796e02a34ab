// VRL values in JavaScript: JSON values plus a timestamp class, their kinds, and the errors a program raises.
import { ErrorCode, SluiceError } from "@sluice/core";

/** VRL's timestamp type: an instant with nanosecond precision (epoch milliseconds + the nanoseconds below). */
export class VrlTimestamp {
  /**
   * A timestamp `nanos` nanoseconds after epoch millisecond `ms`.
   *
   * @param ms - A whole number of epoch milliseconds.
   * @param nanos - The 0..999_999 nanoseconds within that millisecond. Default 0.
   */
  constructor(
    readonly ms: number,
    readonly nanos: number = 0,
  ) {}

  /** The timestamp of a JavaScript Date (millisecond precision). */
  static fromDate(date: Date): VrlTimestamp {
    return new VrlTimestamp(date.getTime(), 0);
  }

  /** Nanoseconds within the second, 0..999_999_999. */
  get subsecNanos(): number {
    return (((this.ms % 1000) + 1000) % 1000) * 1_000_000 + this.nanos;
  }

  /** Whole seconds since the epoch (floor, as chrono's `timestamp()`). */
  get seconds(): number {
    return Math.floor(this.ms / 1000);
  }

  /**
   * RFC 3339 in UTC as Vector writes a timestamp to JSON (chrono's SecondsFormat::AutoSi): no fraction
   * when it is zero, else 3, 6 or 9 digits, whichever is the shortest exact one.
   */
  toString(): string {
    return rfc3339(this, "Z");
  }

  /** The RFC 3339 text, as `toString()` gives it: what a timestamp becomes in a document. */
  toJSON(): string {
    return this.toString();
  }
}

export function rfc3339(ts: VrlTimestamp, zone: string, offsetMinutes = 0): string {
  const shifted = new Date(ts.ms + offsetMinutes * 60_000);
  const iso = shifted.toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ (or ±YYYYYY for far years)
  return iso.slice(0, iso.length - 5) + autoSiFraction(ts.subsecNanos) + zone;
}

/** chrono's AutoSi: "" when zero, else `.` and 3, 6 or 9 digits. */
export function autoSiFraction(nanos: number): string {
  if (nanos === 0) return "";
  if (nanos % 1_000_000 === 0) return `.${String(nanos / 1_000_000).padStart(3, "0")}`;
  if (nanos % 1000 === 0) return `.${String(nanos / 1000).padStart(6, "0")}`;
  return `.${String(nanos).padStart(9, "0")}`;
}

// Kinds are bit sets, as VRL's type checker reasons about them at compile time.
export const Kind = {
  BYTES: 1,
  INTEGER: 2,
  FLOAT: 4,
  BOOLEAN: 8,
  TIMESTAMP: 16,
  OBJECT: 32,
  ARRAY: 64,
  NULL: 128,
  ANY: 255,
  /** What reading below a value known to be no container gives: no value at all, not even null. */
  UNDEFINED: 256,
  /** Any JSON value: what parse_json returns. */
  JSON: 1 | 2 | 4 | 8 | 32 | 64 | 128,
} as const;

/** VRL's name for a value's kind, as its error messages print it. */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return "string";
    case "number":
      return Number.isInteger(value) ? "integer" : "float";
    case "boolean":
      return "boolean";
    default:
      if (value instanceof VrlTimestamp) return "timestamp";
      return Array.isArray(value) ? "array" : "object";
  }
}

const PLAIN_FIELD = /^[0-9]*[a-zA-Z_@][0-9a-zA-Z_@]*$/;

/** Deeper containers are named by kind alone, so an error message stays bounded. */
const DESCRIBED_DEPTH = 32;

/**
 * A value's kind as VRL's runtime errors print it: containers spelled out, `{ a: integer, "b-c": [string] }`,
 * empty ones as `object` or `array`.
 */
export function kindDescription(value: unknown, depth = 0): string {
  if (Array.isArray(value)) {
    if (value.length === 0 || depth >= DESCRIBED_DEPTH) return "array";
    return `[${value.map((item) => kindDescription(item, depth + 1)).join(", ")}]`;
  }
  if (!isObject(value)) return kindOf(value);
  const keys = Object.keys(value);
  if (keys.length === 0 || depth >= DESCRIBED_DEPTH) return "object";
  const fields = keys
    .sort()
    .map((key) => `${PLAIN_FIELD.test(key) ? key : `"${key}"`}: ${kindDescription(value[key], depth + 1)}`);
  return `{ ${fields.join(", ")} }`;
}

export function kindBit(value: unknown): number {
  if (value === null || value === undefined) return Kind.NULL;
  switch (typeof value) {
    case "string":
      return Kind.BYTES;
    case "number":
      return Number.isInteger(value) ? Kind.INTEGER : Kind.FLOAT;
    case "boolean":
      return Kind.BOOLEAN;
    default:
      if (value instanceof VrlTimestamp) return Kind.TIMESTAMP;
      return Array.isArray(value) ? Kind.ARRAY : Kind.OBJECT;
  }
}

const NAMES: Array<[number, string]> = [
  [Kind.BYTES, "string"],
  [Kind.INTEGER, "integer"],
  [Kind.FLOAT, "float"],
  [Kind.BOOLEAN, "boolean"],
  [Kind.TIMESTAMP, "timestamp"],
  [Kind.OBJECT, "object"],
  [Kind.ARRAY, "array"],
  [Kind.NULL, "null"],
  [Kind.UNDEFINED, "undefined"],
];

/** `string or integer`, as VRL names an expected kind. */
export function kindNames(kind: number): string {
  if ((kind & Kind.ANY) === Kind.ANY) return "any";
  const names = NAMES.filter(([bit]) => (kind & bit) !== 0).map(([, name]) => name);
  return names.join(" or ");
}

/** A runtime error: caught by `??` and `, err =`, else it fails the program. */
export class VrlError extends SluiceError {
  /** Always `VrlError`. */
  override name = "VrlError";
  /** A runtime error (code `SLUICE_ERR_TRANSFORM`) with VRL's message. */
  constructor(message: string) {
    super(ErrorCode.TRANSFORM, message);
  }
}

/** `abort`: ends the program; never caught by `??`. */
export class VrlAbort extends SluiceError {
  /** Always `VrlAbort`. */
  override name = "VrlAbort";
  /** An abort (code `SLUICE_ERR_TRANSFORM`) with the program's message. */
  constructor(message: string) {
    super(ErrorCode.TRANSFORM, message);
  }
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return (
    value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof VrlTimestamp)
  );
}

/** Keys an object inherits: reading or writing them needs own-property care. */
export function inheritedKey(key: string): boolean {
  return key === "__proto__" || key in Object.prototype;
}

export function getOwn(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function setKey(object: JsonObject, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

/** Deepest nesting a value may have while we copy or compare it (VRL values come from bounded JSON). */
export const MAX_DEPTH = 10_000;

/** A deep copy, for VRL's value semantics (`.b = .a` then `.b.x = 1` leaves `.a` alone). Iterative. */
export function deepClone(value: unknown): unknown {
  if (value === null || typeof value !== "object" || value instanceof VrlTimestamp) return value;
  const root: unknown = Array.isArray(value) ? new Array(value.length) : {};
  const stack: Array<[unknown, unknown]> = [[value, root]];
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    if (Array.isArray(from)) {
      const out = to as unknown[];
      for (let i = 0; i < from.length; i++) out[i] = copyChild(from[i], stack);
    } else {
      const out = to as JsonObject;
      for (const key of Object.keys(from as JsonObject))
        setKey(out, key, copyChild((from as JsonObject)[key], stack));
    }
  }
  return root;
}

function copyChild(child: unknown, stack: Array<[unknown, unknown]>): unknown {
  if (child === null || typeof child !== "object" || child instanceof VrlTimestamp) return child;
  const copy: unknown = Array.isArray(child) ? new Array(child.length) : {};
  stack.push([child, copy]);
  return copy;
}

/** VRL equality: same kind and same value, deeply (iterative). */
export function vrlEquals(a: unknown, b: unknown): boolean {
  const stack: Array<[unknown, unknown]> = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (x instanceof VrlTimestamp || y instanceof VrlTimestamp) {
      if (!(x instanceof VrlTimestamp && y instanceof VrlTimestamp)) return false;
      if (x.ms !== y.ms || x.nanos !== y.nanos) return false;
      continue;
    }
    if (x === null || y === null || typeof x !== "object" || typeof y !== "object") return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x)) {
      const ya = y as unknown[];
      if (x.length !== ya.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i], ya[i]]);
    } else {
      const xo = x as JsonObject;
      const yo = y as JsonObject;
      const keys = Object.keys(xo);
      if (keys.length !== Object.keys(yo).length) return false;
      for (const key of keys) {
        if (!Object.hasOwn(yo, key)) return false;
        stack.push([xo[key], yo[key]]);
      }
    }
  }
  return true;
}

/**
 * Replaces every timestamp inside `value` by its RFC 3339 text (what Vector's JSON encoder writes), in
 * place; returns the new value for a bare timestamp. Iterative, so no nesting can overflow the stack.
 */
export function encodeTimestamps(value: unknown): unknown {
  if (value instanceof VrlTimestamp) return value.toString();
  if (value === null || typeof value !== "object") return value;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child = node[i];
        if (child instanceof VrlTimestamp) node[i] = child.toString();
        else if (child !== null && typeof child === "object") stack.push(child);
      }
    } else if (node !== null && typeof node === "object") {
      const object = node as JsonObject;
      for (const key of Object.keys(object)) {
        const child = object[key];
        if (child instanceof VrlTimestamp) setKey(object, key, child.toString());
        else if (child !== null && typeof child === "object") stack.push(child);
      }
    }
  }
  return value;
}
