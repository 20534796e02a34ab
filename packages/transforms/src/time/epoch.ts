// UNIX and UNIX_MS epochs → ISO-8601, computed on the decimal digits (never through a float product).
import { instantToIso } from "@sluice/core/time";

// What Logstash's UNIX reads from a string: Java longs around an optional dot, no exponent, no blanks.
const UNIX_TEXT = /^[+-]?\d+(?:\.\d+)?$/;
const INTEGER = /^[+-]?\d{1,30}$/;
const MAX_TEXT = 64;
/** Logstash's UNIX refuses seconds past Integer.MAX_VALUE, so a millisecond value falls through to UNIX_MS. */
const MAX_EPOCH_SECONDS = 2_147_483_647;

/**
 * Epoch seconds — a JSON number or a numeric string (`1732492800`, `-5`, `+1732492800.001`) — as
 * ISO-8601 UTC with `digits` (3–9) fraction digits, truncated toward the past: `1732492800.001` gives
 * `.001`. Numbers are read through their shortest decimal text, strings digit by digit. As Logstash's
 * UNIX, more than 2147483647 seconds (2038-01-19) is refused, and so is a string with an exponent or
 * blanks. Undefined for anything else, or outside a JavaScript Date's range.
 */
export function unixSecondsToIso(value: unknown, digits = 3): string | undefined {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || Math.trunc(value) > MAX_EPOCH_SECONDS) return undefined;
    text = String(value);
  } else if (typeof value === "string") {
    if (value.length > MAX_TEXT || !UNIX_TEXT.test(value)) return undefined;
    text = value.charCodeAt(0) === 43 /* + */ ? value.slice(1) : value;
    const dot = text.indexOf(".");
    if (Number(dot < 0 ? text : text.slice(0, dot)) > MAX_EPOCH_SECONDS) return undefined;
  } else {
    return undefined;
  }
  return epochTextToIso(text, digits);
}

// A JSON number's text, or a looser decimal (`.5`, `5.`); that it has a digit is checked apart.
const NUMBER_TEXT = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
/** More integer digits than this are past a Date's range (±8.64e12 s) whatever they are. */
const MAX_WHOLE_DIGITS = 16;
const NANOS_PER_SECOND = 1_000_000_000n;
const NANOS_PER_MILLI = 1_000_000n;
// A JavaScript Date holds ±8.64e15 ms.
const MAX_DATE_MILLIS = 8_640_000_000_000_000n;

/**
 * Epoch seconds as written in decimal → ISO-8601 UTC with `digits` fraction digits, truncated toward
 * the past. Works on the digits, never on a float, exponent forms included: `1732492800.001` is `.001`,
 * `1e-06` is one microsecond. Undefined for text that is not a number, or outside a Date's range.
 */
export function epochTextToIso(text: string, digits = 3): string | undefined {
  const match = NUMBER_TEXT.exec(text);
  if (!match) return undefined;
  const integer = match[2]!;
  const fraction = match[3] ?? "";
  if (integer.length + fraction.length === 0) return undefined;
  // The significant digits, and where the decimal point falls among them.
  let significant = integer + fraction;
  let point = integer.length + (match[4] === undefined ? 0 : Number(match[4]));
  let lead = 0;
  while (lead < significant.length && significant.charCodeAt(lead) === 48) lead++;
  significant = significant.slice(lead);
  point -= lead;
  let whole = 0n;
  let nanos9 = "";
  if (significant.length > 0) {
    if (point > MAX_WHOLE_DIGITS) return undefined;
    if (point > 0) whole = BigInt(significant.slice(0, point).padEnd(point, "0"));
    // Digits past the ninth decimal are dropped (truncated toward zero).
    if (point > -9)
      nanos9 = point >= 0 ? significant.slice(point, point + 9) : "0".repeat(-point) + significant;
  }
  const fraction9 = BigInt(nanos9.slice(0, 9).padEnd(9, "0"));
  const nanos = (whole * NANOS_PER_SECOND + fraction9) * (match[1] === "-" ? -1n : 1n);
  // Truncated toward the past at the precision asked, as Fluent Bit's integer division does.
  const millis = floorDiv(nanos, NANOS_PER_MILLI);
  if (millis > MAX_DATE_MILLIS || millis < -MAX_DATE_MILLIS) return undefined;
  const iso = new Date(Number(millis)).toISOString(); // …ss.mmmZ
  if (digits === 3) return iso;
  const subMillis = String(nanos - millis * NANOS_PER_MILLI).padStart(6, "0");
  return `${iso.slice(0, -1)}${subMillis.slice(0, digits - 3)}Z`;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
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
