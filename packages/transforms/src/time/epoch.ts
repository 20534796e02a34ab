// UNIX and UNIX_MS epochs → ISO-8601, computed on the decimal digits (never through a float product).
import { epochTextToIso } from "../fluent-bit/to-elasticsearch.js";
import { instantToIso } from "./instant.js";

// A plain or exponent decimal; bounded so BigInt never sees a huge digit string.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,4})?$/;
const INTEGER = /^[+-]?\d{1,30}$/;
const MAX_TEXT = 64;

/**
 * Epoch seconds — a JSON number or a numeric string, negative, with decimals or an exponent — as
 * ISO-8601 UTC with `digits` (3–9) fraction digits, truncated toward the past: `1732492800.001` gives
 * `.001`. Numbers are read through their shortest decimal text, strings digit by digit. Undefined for
 * anything else, or outside a JavaScript Date's range.
 */
export function unixSecondsToIso(value: unknown, digits = 3): string | undefined {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === "string") {
    if (value.length > MAX_TEXT || !DECIMAL.test(value)) return undefined;
    text = value.charCodeAt(0) === 43 /* + */ ? value.slice(1) : value;
  } else {
    return undefined;
  }
  return epochTextToIso(text, digits);
}

/**
 * Epoch milliseconds as Logstash's UNIX_MS reads them: an integer (a string must be one); a number
 * with decimals is truncated toward zero, as Java's Double.longValue does.
 */
export function unixMillisToIso(value: unknown, digits = 3): string | undefined {
  let millis: number;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return undefined;
    millis = Math.trunc(value);
  } else if (typeof value === "string") {
    if (!INTEGER.test(value)) return undefined;
    millis = Number(value);
  } else {
    return undefined;
  }
  if (!(Math.abs(millis) <= 8.64e15)) return undefined;
  return instantToIso({ millis: millis === 0 ? 0 : millis, nanos: 0 }, digits);
}
