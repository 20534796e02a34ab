// mutate's `convert`: Logstash's type conversions (strict since 8.14), one JSON value at a time.
import { isPlainObject } from "../../fields/index.js";
import { MutateError, rubyStrip, rubyToS } from "./ruby.js";

export const CONVERSIONS = ["integer", "integer_eu", "float", "float_eu", "string", "boolean"] as const;
/** The types `convert` turns a value into, as Logstash's mutate names them. */
export type Conversion = (typeof CONVERSIONS)[number];

type Converter = (value: unknown) => unknown;

/**
 * The value `convert` leaves in a field: arrays are converted element by element (nulls kept), an
 * object or null is left alone. A value that cannot become a number throws MutateError, as Logstash
 * raises there (the event is tagged `_mutate_error`); a boolean it cannot read passes through unchanged.
 */
export function converter(type: Conversion): (value: unknown) => unknown {
  const one = CONVERTERS[type];
  return (value) => {
    if (value === null || value === undefined || isPlainObject(value)) return value;
    if (Array.isArray(value)) return value.map((v) => (v === null ? v : one(v)));
    return one(value);
  };
}

const CONVERTERS: Record<Conversion, Converter> = {
  integer: (v) => toInteger(v),
  integer_eu: (v) => toInteger(swapSeparators(v)),
  float: (v) => toFloat(v),
  float_eu: (v) => toFloat(swapSeparators(v)),
  string: (v) => rubyToS(v),
  boolean: (v) => toBoolean(v),
};

/** EU notation to US: "1.234,5" becomes "1,234.5"; the US parser then drops the commas. */
function swapSeparators(value: unknown): unknown {
  if (typeof value !== "string") return value;
  return value.replace(/[.,]/g, (c) => (c === "." ? "," : "."));
}

const HEX = /^([+-]?)0x([0-9a-f]+)$/i;
// Ruby's Float(): digits with single underscores between them, a fraction, an exponent.
const FLOAT = /^[+-]?(?:\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?$/;
const EXPONENT = /^[+-]?(?:\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)[eE][+-]?\d+(?:_\d+)*$/;
// Ruby's String#to_i reads the leading integer and ignores the rest: "12abc" is 12, "abc" is 0.
const LEADING_INTEGER = /^[+-]?\d+(?:_\d+)*/;

function usText(text: string): string {
  return rubyStrip(text).replaceAll(",", "");
}

function toInteger(value: unknown): number {
  if (value === true) return 1;
  if (value === false) return 0;
  if (typeof value === "number") return finite(Math.trunc(value), value);
  if (typeof value !== "string") throw cannotConvert(value, "integer");
  const text = usText(value);
  if (/^[+-]?0x/i.test(text)) return hex(text, value, "integer");
  // Logstash hands any text with an `e` to BigDecimal, which refuses what is not a number.
  if (text.includes("e")) {
    if (!EXPONENT.test(text)) throw cannotConvert(value, "integer");
    return finite(Math.trunc(Number(text.replaceAll("_", ""))), value);
  }
  const match = LEADING_INTEGER.exec(text);
  return match ? finite(Number(match[0].replaceAll("_", "")), value) : 0;
}

function toFloat(value: unknown): number {
  if (value === true) return 1;
  if (value === false) return 0;
  if (typeof value === "number") return value;
  if (typeof value !== "string") throw cannotConvert(value, "float");
  const text = usText(value);
  if (/^[+-]?0x/i.test(text)) return hex(text, value, "float");
  if (!FLOAT.test(text)) throw cannotConvert(value, "float");
  return finite(Number(text.replaceAll("_", "")), value);
}

function hex(text: string, original: string, type: string): number {
  const match = HEX.exec(text);
  if (!match) throw cannotConvert(original, type);
  const n = Number.parseInt(match[2]!, 16);
  return finite(match[1] === "-" ? -n : n, original);
}

// JSON has no Infinity; Ruby's would be a Bignum or Float::INFINITY, neither of which a document can hold.
function finite(n: number, original: unknown): number {
  if (!Number.isFinite(n)) throw cannotConvert(original, "a finite number");
  return n;
}

function cannotConvert(value: unknown, type: string): MutateError {
  const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 100)) : typeof value;
  return new MutateError("convert_error", `cannot convert ${shown} to ${type}`);
}

// Logstash's patterns, whole lines (Ruby's ^ and $), case-insensitive; the dot in 1.0 is any character.
const TRUE = /^(?:true|t|yes|y|1|1.0)$/i;
const FALSE = /^(?:false|f|no|n|0|0.0)$/i;

function anyLine(text: string, pattern: RegExp): boolean {
  if (!text.includes("\n")) return pattern.test(text);
  return text.split("\n").some((line) => pattern.test(line));
}

function toBoolean(value: unknown): unknown {
  const text = rubyToS(value);
  if (anyLine(text, TRUE)) return true;
  if (text.length === 0 || anyLine(text, FALSE)) return false;
  return value;
}
