// chrono-style strftime/strptime for VRL's parse_timestamp and format_timestamp, with IANA time zones.
import { resolveZone, UTC, type Zone } from "@sluice/core/time";
import { autoSiFraction, VrlError, VrlTimestamp } from "./value.js";

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/**
 * `UTC`, `local`, or an IANA name (`Europe/Berlin`); undefined when unknown (VRL: "unable to parse
 * timezone"). The zones are core's, whose offsets are cached per day: no Intl call per record.
 */
export function parseZone(name: string): Zone | undefined {
  if (name === "UTC" || name === "utc" || name === "Z") return UTC;
  return resolveZone(name === "local" ? Intl.DateTimeFormat().resolvedOptions().timeZone : name);
}

/** chrono works in whole minutes of offset. */
function offsetMinutes(zone: Zone, ms: number): number {
  return Math.round(zone.offsetAt(ms) / 60_000);
}

/** The UTC instant of a wall-clock time (`localMs` as if it were UTC) in `zone`. */
export function fromLocal(localMs: number, zone: Zone): number {
  let guess = localMs - offsetMinutes(zone, localMs) * 60_000;
  const second = localMs - offsetMinutes(zone, guess) * 60_000;
  if (second !== guess) guess = second;
  return guess;
}

function pad(value: number, width: number, fill = "0"): string {
  const text = String(Math.abs(value)).padStart(width, fill);
  return value < 0 ? `-${text}` : text;
}

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${colon ? ":" : ""}${pad(abs % 60, 2)}`;
}

function zoneAbbreviation(zone: Zone | undefined, ms: number, offset: number): string {
  if (!zone || zone.id === "UTC") return "UTC";
  try {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone.id,
      timeZoneName: "short",
    }).formatToParts(new Date(ms));
    const name = parts.find((p) => p.type === "timeZoneName")?.value;
    if (name && !name.startsWith("GMT")) return name;
  } catch {
    // fall through to the numeric offset, as chrono prints for zones without an abbreviation
  }
  return offsetText(offset, false);
}

/** chrono's strftime. Unknown specifiers: VrlError("invalid format"). */
export function formatTimestamp(ts: VrlTimestamp, format: string, zone?: Zone): string {
  const offset = zone ? offsetMinutes(zone, ts.ms) : 0;
  const d = new Date(ts.ms + offset * 60_000);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  const day = d.getUTCDate();
  const hour = d.getUTCHours();
  const minute = d.getUTCMinutes();
  const second = d.getUTCSeconds();
  const weekday = d.getUTCDay();
  const nanos = ts.subsecNanos;
  const yday = Math.floor((Date.UTC(year, month, day) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
  let out = "";
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== "%") {
      out += c;
      continue;
    }
    let spec = format[++i];
    let width = "";
    if (spec === ".") {
      const next = format[i + 1];
      if (next === "f") {
        i++;
        out += autoSiFraction(nanos);
        continue;
      }
      if ((next === "3" || next === "6" || next === "9") && format[i + 2] === "f") {
        i += 2;
        out += `.${pad(nanos, 9).slice(0, Number(next))}`;
        continue;
      }
      throw new VrlError("invalid format");
    }
    if ((spec === "3" || spec === "6" || spec === "9") && format[i + 1] === "f") {
      i++;
      out += pad(nanos, 9).slice(0, Number(spec));
      continue;
    }
    if (spec === ":") {
      if (format[i + 1] === "z") {
        i++;
        out += offsetText(offset, true);
        continue;
      }
      throw new VrlError("invalid format");
    }
    if (spec === "-" || spec === "_" || spec === "0") {
      width = spec;
      spec = format[++i];
    }
    const num = (value: number, w: number, space = false): string => {
      if (width === "-") return String(value);
      if (width === "_" || (space && width !== "0")) return pad(value, w, " ");
      return pad(value, w);
    };
    switch (spec) {
      case "Y":
        out += year >= 0 && year <= 9999 ? num(year, 4) : year > 0 ? `+${year}` : pad(year, 4);
        break;
      case "C":
        out += num(Math.floor(year / 100), 2);
        break;
      case "y":
        out += num(((year % 100) + 100) % 100, 2);
        break;
      case "m":
        out += num(month + 1, 2);
        break;
      case "b":
      case "h":
        out += MONTHS[month]!.slice(0, 3);
        break;
      case "B":
        out += MONTHS[month]!;
        break;
      case "d":
        out += num(day, 2);
        break;
      case "e":
        out += num(day, 2, true);
        break;
      case "a":
        out += DAYS[weekday]!.slice(0, 3);
        break;
      case "A":
        out += DAYS[weekday]!;
        break;
      case "w":
        out += String(weekday);
        break;
      case "u":
        out += String(weekday === 0 ? 7 : weekday);
        break;
      case "j":
        out += num(yday, 3);
        break;
      case "U":
        // Week of the year, weeks starting on Sunday; days before the first Sunday are week 0.
        out += num(Math.floor((yday - 1 + 7 - weekday) / 7), 2);
        break;
      case "W":
        out += num(Math.floor((yday - 1 + 7 - ((weekday + 6) % 7)) / 7), 2);
        break;
      case "H":
        out += num(hour, 2);
        break;
      case "k":
        out += num(hour, 2, true);
        break;
      case "I":
        out += num(hour % 12 === 0 ? 12 : hour % 12, 2);
        break;
      case "l":
        out += num(hour % 12 === 0 ? 12 : hour % 12, 2, true);
        break;
      case "P":
        out += hour < 12 ? "am" : "pm";
        break;
      case "p":
        out += hour < 12 ? "AM" : "PM";
        break;
      case "M":
        out += num(minute, 2);
        break;
      case "S":
        out += num(second, 2);
        break;
      case "f":
        out += pad(nanos, 9);
        break;
      case "z":
        out += offsetText(offset, false);
        break;
      case "Z":
        out += zoneAbbreviation(zone, ts.ms, offset);
        break;
      case "s":
        out += String(ts.seconds);
        break;
      case "F":
        out += `${pad(year, 4)}-${pad(month + 1, 2)}-${pad(day, 2)}`;
        break;
      case "T":
      case "X":
        out += `${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`;
        break;
      case "R":
        out += `${pad(hour, 2)}:${pad(minute, 2)}`;
        break;
      case "D":
      case "x":
        out += `${pad(month + 1, 2)}/${pad(day, 2)}/${pad(((year % 100) + 100) % 100, 2)}`;
        break;
      case "v":
        out += `${pad(day, 2, " ")}-${MONTHS[month]!.slice(0, 3)}-${pad(year, 4)}`;
        break;
      case "r":
        out += `${pad(hour % 12 === 0 ? 12 : hour % 12, 2)}:${pad(minute, 2)}:${pad(second, 2)} ${hour < 12 ? "AM" : "PM"}`;
        break;
      case "c":
        out += `${DAYS[weekday]!.slice(0, 3)} ${MONTHS[month]!.slice(0, 3)} ${pad(day, 2, " ")} ${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)} ${year}`;
        break;
      case "+":
        out += `${pad(year, 4)}-${pad(month + 1, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${autoSiFraction(nanos)}${offsetText(offset, true)}`;
        break;
      case "n":
        out += "\n";
        break;
      case "t":
        out += "\t";
        break;
      case "%":
        out += "%";
        break;
      default:
        throw new VrlError("invalid format");
    }
  }
  return out;
}

/** chrono's ParseError kinds, worded as chrono prints them. */
const INVALID = "input contains invalid characters";
const SHORT = "premature end of input";
const TRAILING = "trailing input";
const RANGE = "input is out of range";
const NOT_ENOUGH = "input is not enough for unique date and time";
const BAD_FORMAT = "bad or unsupported format string";

class ParseFailure extends Error {}

interface Fields {
  year?: number;
  month?: number;
  day?: number;
  yday?: number;
  hour?: number;
  hour12?: number;
  pm?: boolean;
  minute?: number;
  second?: number;
  nanos?: number;
  offset?: number;
  epoch?: number;
}

/**
 * chrono's strptime as VRL's parse_timestamp uses it: a format with an offset (%z, %:z, %+) gives that
 * instant; without one the wall-clock time is read in `zone`. Errors read `Invalid timestamp "…": …`.
 */
export function parseTimestamp(text: string, format: string, zone: Zone): VrlTimestamp {
  const f: Fields = {};
  try {
    const end = parseInto(text, 0, format, f, 0);
    if (end < text.length) throw new ParseFailure(TRAILING);
    // VRL reads a format naming a zone (even %Z, which chrono only skips) as one that must give an offset.
    if (ZONED.test(format) && f.offset === undefined && f.epoch === undefined)
      throw new ParseFailure(NOT_ENOUGH);
    return resolve(f, zone);
  } catch (error) {
    if (error instanceof ParseFailure)
      throw new VrlError(`Invalid timestamp ${rustDebug(text)}: ${error.message}`);
    throw error;
  }
}

/** Text quoted as Rust's `{:?}` quotes it: VRL's messages print the input that way. */
function rustDebug(text: string): string {
  let out = '"';
  for (const c of text) {
    if (c === '"' || c === "\\") out += `\\${c}`;
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (c === "\0") out += "\\0";
    // Rust escapes what it cannot print and combining marks as \u{…}.
    else if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Mn}\p{Me}]/u.test(c))
      out += `\\u{${c.codePointAt(0)!.toString(16)}}`;
    else out += c;
  }
  return `${out}"`;
}

const ZONED = /%Z|%z|%:z|%#z|%\+/;

function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\v" || c === "\f";
}

function readNumber(text: string, pos: number, maxDigits: number, signed = false): [number, number] {
  let i = pos;
  let sign = 1;
  if (signed && (text[i] === "-" || text[i] === "+")) {
    if (text[i] === "-") sign = -1;
    i++;
  }
  const start = i;
  while (i < text.length && i - start < maxDigits && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57)
    i++;
  if (i === start) throw new ParseFailure(i >= text.length ? SHORT : INVALID);
  return [sign * Number(text.slice(start, i)), i];
}

function readName(text: string, pos: number, names: string[], short: boolean): [number, number] {
  const rest = text.slice(pos).toLowerCase();
  for (let n = 0; n < names.length; n++) {
    const full = names[n]!.toLowerCase();
    const abbreviation = full.slice(0, 3);
    // chrono accepts the abbreviation, or the full name where the long form is asked for or written.
    if (rest.startsWith(full)) return [n, pos + full.length];
    if (rest.startsWith(abbreviation)) return [n, pos + 3];
  }
  if (pos >= text.length) throw new ParseFailure(SHORT);
  void short;
  throw new ParseFailure(INVALID);
}

function readOffset(text: string, pos: number, allowZ: boolean): [number, number] {
  let i = pos;
  while (isSpace(text[i])) i++;
  if (allowZ && (text[i] === "Z" || text[i] === "z")) return [0, i + 1];
  const sign = text[i];
  if (sign !== "+" && sign !== "-") throw new ParseFailure(i >= text.length ? SHORT : INVALID);
  i++;
  const digits = (n: number): number => {
    const chunk = text.slice(i, i + n);
    if (chunk.length < n) throw new ParseFailure(SHORT);
    if (!/^\d+$/.test(chunk)) throw new ParseFailure(INVALID);
    i += n;
    return Number(chunk);
  };
  const hours = digits(2);
  if (text[i] === ":") i++;
  let minutes = 0;
  if (/^\d\d/.test(text.slice(i, i + 2))) minutes = digits(2);
  const total = hours * 60 + minutes;
  return [sign === "-" ? -total : total, i];
}

function parseInto(text: string, start: number, format: string, f: Fields, depth: number): number {
  if (depth > 2) throw new ParseFailure(BAD_FORMAT);
  let pos = start;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (isSpace(c)) {
      // chrono: whitespace in the format matches any amount of whitespace, including none.
      while (isSpace(text[pos])) pos++;
      continue;
    }
    if (c !== "%") {
      if (pos >= text.length) throw new ParseFailure(SHORT);
      if (text[pos] !== c) throw new ParseFailure(INVALID);
      pos++;
      continue;
    }
    let spec = format[++i];
    if (spec === "-" || spec === "_" || spec === "0") spec = format[++i];
    // Numeric fields may be preceded by spaces (chrono skips leading whitespace for numbers).
    const num = (max: number, signed = false): number => {
      while (isSpace(text[pos])) pos++;
      const [value, next] = readNumber(text, pos, max, signed);
      pos = next;
      return value;
    };
    // chrono checks each field's range as it reads it, before the rest of the input.
    const within = (value: number, low: number, high: number): number => {
      if (value < low || value > high) throw new ParseFailure(RANGE);
      return value;
    };
    switch (spec) {
      case "Y":
        f.year = num(9, true);
        break;
      case "C": {
        const century = num(2);
        f.year = century * 100 + ((f.year ?? 0) % 100);
        break;
      }
      case "y": {
        const yy = num(2);
        f.year = yy < 70 ? 2000 + yy : 1900 + yy;
        break;
      }
      case "m":
        f.month = within(num(2), 1, 12);
        break;
      case "b":
      case "h":
      case "B": {
        const [month, next] = readName(text, pos, MONTHS, spec !== "B");
        f.month = month + 1;
        pos = next;
        break;
      }
      case "d":
      case "e":
        f.day = within(num(2), 1, 31);
        break;
      case "a":
      case "A": {
        const [, next] = readName(text, pos, DAYS, spec === "a");
        pos = next;
        break;
      }
      case "w":
      case "u":
        num(1);
        break;
      case "j":
        f.yday = within(num(3), 1, 366);
        break;
      case "H":
      case "k":
        f.hour = within(num(2), 0, 23);
        break;
      case "I":
      case "l":
        f.hour12 = within(num(2), 1, 12);
        break;
      case "p":
      case "P": {
        const ampm = text.slice(pos, pos + 2).toLowerCase();
        if (ampm === "am" || ampm === "pm") {
          f.pm = ampm === "pm";
          pos += 2;
        } else throw new ParseFailure(pos >= text.length ? SHORT : INVALID);
        break;
      }
      case "M":
        f.minute = within(num(2), 0, 59);
        break;
      case "S":
        f.second = within(num(2), 0, 60);
        break;
      case "f":
        // chrono reads %f as a number of nanoseconds (up to 9 digits), not as a fraction.
        f.nanos = num(9);
        break;
      case ".": {
        // %.f, %.3f, %.6f, %.9f: a dot and a fraction (optional for %.f).
        let n = format[i + 1];
        if (n === "3" || n === "6" || n === "9") {
          i++;
          n = format[i + 1];
        }
        if (n !== "f") throw new ParseFailure(BAD_FORMAT);
        i++;
        if (text[pos] === ".") {
          pos++;
          const begin = pos;
          while (pos < text.length && pos - begin < 9 && /\d/.test(text[pos]!)) pos++;
          if (pos === begin) throw new ParseFailure(pos >= text.length ? SHORT : INVALID);
          f.nanos = Number(text.slice(begin, pos).padEnd(9, "0"));
          while (/\d/.test(text[pos] ?? "")) pos++;
        }
        break;
      }
      case "3":
      case "6":
      case "9": {
        if (format[i + 1] !== "f") throw new ParseFailure(BAD_FORMAT);
        i++;
        const width = Number(spec);
        const chunk = text.slice(pos, pos + width);
        if (chunk.length < width) throw new ParseFailure(SHORT);
        if (!/^\d+$/.test(chunk)) throw new ParseFailure(INVALID);
        f.nanos = Number(chunk.padEnd(9, "0"));
        pos += width;
        break;
      }
      case "z": {
        const [offset, next] = readOffset(text, pos, false);
        f.offset = offset;
        pos = next;
        break;
      }
      case ":":
        if (format[i + 1] !== "z") throw new ParseFailure(BAD_FORMAT);
        i++;
        {
          const [offset, next] = readOffset(text, pos, false);
          f.offset = offset;
          pos = next;
        }
        break;
      case "Z":
        // chrono skips a zone name without reading it (none at all at the end of the input).
        while (pos < text.length && !isSpace(text[pos])) pos++;
        break;
      case "s":
        // chrono reads an epoch's sign apart from its digits: a sign alone is invalid, not short.
        if ((text[pos] === "-" || text[pos] === "+") && !/\d/.test(text[pos + 1] ?? ""))
          throw new ParseFailure(INVALID);
        // VRL's chrono reads %s as digits only: a sign is invalid.
        if (text[pos] === "-" || text[pos] === "+") throw new ParseFailure(INVALID);
        f.epoch = num(20);
        break;
      case "F":
        pos = parseInto(text, pos, "%Y-%m-%d", f, depth + 1);
        break;
      case "T":
      case "X":
        pos = parseInto(text, pos, "%H:%M:%S", f, depth + 1);
        break;
      case "R":
        pos = parseInto(text, pos, "%H:%M", f, depth + 1);
        break;
      case "D":
      case "x":
        pos = parseInto(text, pos, "%m/%d/%y", f, depth + 1);
        break;
      case "v":
        pos = parseInto(text, pos, "%e-%b-%Y", f, depth + 1);
        break;
      case "r":
        pos = parseInto(text, pos, "%I:%M:%S %p", f, depth + 1);
        break;
      case "+": {
        // chrono's relaxed RFC 3339: whitespace may come before each separator (a space in a format
        // matches any whitespace, or none).
        pos = parseInto(text, pos, "%Y -%m -%d", f, depth + 1);
        if (text[pos] !== "T" && text[pos] !== "t" && text[pos] !== " ")
          throw new ParseFailure(pos >= text.length ? SHORT : INVALID);
        pos = parseInto(text, pos + 1, "%H :%M :%S%.f ", f, depth + 1);
        const [offset, next] = readOffset(text, pos, true);
        f.offset = offset;
        pos = next;
        break;
      }
      case "n":
      case "t":
        while (isSpace(text[pos])) pos++;
        break;
      case "%":
        if (text[pos] !== "%") throw new ParseFailure(pos >= text.length ? SHORT : INVALID);
        pos++;
        break;
      default:
        throw new ParseFailure(BAD_FORMAT);
    }
  }
  return pos;
}

function resolve(f: Fields, zone: Zone): VrlTimestamp {
  if (f.epoch !== undefined) {
    // chrono adds a parsed fraction (`%s%.f`) to the epoch seconds.
    const nanos = f.nanos ?? 0;
    const ms = f.epoch * 1000 + Math.floor(nanos / 1_000_000);
    if (!Number.isSafeInteger(ms) || Math.abs(ms) > 8.64e15) throw new ParseFailure(RANGE);
    return new VrlTimestamp(ms, nanos % 1_000_000);
  }
  if (f.year === undefined) throw new ParseFailure(NOT_ENOUGH);
  let month = f.month;
  let day = f.day;
  if (f.yday !== undefined && (month === undefined || day === undefined)) {
    if (f.yday < 1 || f.yday > 366) throw new ParseFailure(RANGE);
    const date = new Date(Date.UTC(2000, 0, f.yday));
    date.setUTCFullYear(f.year);
    const probe = new Date(Date.UTC(0, 0, 1));
    probe.setUTCFullYear(f.year, 0, f.yday);
    if (probe.getUTCFullYear() !== f.year) throw new ParseFailure(RANGE);
    month = probe.getUTCMonth() + 1;
    day = probe.getUTCDate();
  }
  if (month === undefined || day === undefined) throw new ParseFailure(NOT_ENOUGH);
  let hour = f.hour;
  if (f.hour12 !== undefined) {
    if (f.hour12 < 1 || f.hour12 > 12) throw new ParseFailure(RANGE);
    if (f.pm === undefined) throw new ParseFailure(NOT_ENOUGH);
    hour = (f.hour12 % 12) + (f.pm ? 12 : 0);
  }
  if (hour === undefined || f.minute === undefined) throw new ParseFailure(NOT_ENOUGH);
  const second = f.second ?? 0;
  const nanos = f.nanos ?? 0;
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour > 23 ||
    f.minute > 59 ||
    second > 60 ||
    nanos > 999_999_999
  )
    throw new ParseFailure(RANGE);
  const date = new Date(0);
  date.setUTCFullYear(f.year, month - 1, day);
  date.setUTCHours(hour, f.minute, Math.min(second, 59), 0);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) throw new ParseFailure(RANGE);
  const local = date.getTime() + (second === 60 ? 1000 : 0);
  const utc = f.offset !== undefined ? local - f.offset * 60_000 : fromLocal(local, zone);
  if (!Number.isFinite(utc) || Math.abs(utc) > 8.64e15) throw new ParseFailure(RANGE);
  const ms = utc + Math.floor(nanos / 1_000_000);
  return new VrlTimestamp(ms, nanos % 1_000_000);
}
