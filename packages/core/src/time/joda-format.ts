// Joda-Time pattern formatting (sprintf's `%{+yyyy.MM.dd}`): compiled once per pattern, zone and locale.
import { daysFromCivil, fieldsOf } from "./instant.js";
import {
  compileTokens,
  type JodaOptions,
  localeOption,
  type NumberField,
  zoneOption,
} from "./joda-pattern.js";
import type { LocaleNames } from "./locale.js";
import type { Zone } from "./zone.js";

type Printer = (millis: number, local: ReturnType<typeof fieldsOf>, zone: Zone) => string;

const pad = (n: number, width: number): string => {
  const text = String(Math.abs(n)).padStart(width, "0");
  return n < 0 ? `-${text}` : text;
};

function compilePrinter(pattern: string, names: LocaleNames): Printer[] {
  const printers: Printer[] = [];
  for (const token of compileTokens(pattern)) {
    switch (token.kind) {
      case "literal": {
        const text = token.text;
        printers.push(() => text);
        break;
      }
      case "year":
        printers.push(
          token.twoDigit
            ? (_m, f) => pad(((f.year % 100) + 100) % 100, 2)
            : (_m, f) => pad(f.year, token.width),
        );
        break;
      case "number": {
        const width = token.width;
        const get: Record<NumberField, (f: ReturnType<typeof fieldsOf>) => number> = {
          month: (f) => f.month,
          day: (f) => f.day,
          hour: (f) => f.hour,
          clockHalf: (f) => (f.hour % 12 === 0 ? 12 : f.hour % 12),
          hourHalf: (f) => f.hour % 12,
          clockDay: (f) => (f.hour === 0 ? 24 : f.hour),
          minute: (f) => f.minute,
          second: (f) => f.second,
          weekday: (f) => f.weekday,
          dayOfYear: (f) => daysFromCivil(f.year, f.month, f.day) - daysFromCivil(f.year, 1, 1) + 1,
        };
        const read = get[token.field];
        printers.push((_m, f) => pad(read(f), width));
        break;
      }
      case "fraction": {
        // Joda holds milliseconds: digits beyond the third print as zeros.
        const width = token.width;
        printers.push((_m, f) => String(f.millis).padStart(3, "0").padEnd(width, "0").slice(0, width));
        break;
      }
      case "monthText": {
        const list = token.long ? names.months.long : names.months.short;
        printers.push((_m, f) => list[f.month - 1]!);
        break;
      }
      case "weekdayText": {
        const list = token.long ? names.weekdays.long : names.weekdays.short;
        printers.push((_m, f) => list[f.weekday - 1]!);
        break;
      }
      case "halfday":
        printers.push((_m, f) => names.halfdays.short[f.hour < 12 ? 0 : 1]!);
        break;
      case "offset": {
        const colon = token.colon ? ":" : "";
        printers.push((m, _f, zone) => {
          const offset = zone.offsetAt(m);
          const abs = Math.abs(offset);
          const h = Math.floor(abs / 3_600_000);
          const min = Math.floor((abs % 3_600_000) / 60_000);
          return `${offset < 0 ? "-" : "+"}${pad(h, 2)}${colon}${pad(min, 2)}`;
        });
        break;
      }
      case "zoneId":
        printers.push((_m, _f, zone) => zone.id);
        break;
      case "zoneName": {
        const long = token.long;
        printers.push((m, _f, zone) => zone.name(m, long));
        break;
      }
    }
  }
  return printers;
}

const formatters = new Map<string, (millis: number) => string>();
const MAX_FORMATTERS = 512;

/**
 * Formats epoch milliseconds with a Joda pattern in a zone (default UTC) and locale (default `en`):
 * the signature of sprintf's DateFormatter, so `(m, p) => formatJoda(m, p)` serves `%{+yyyy.MM.dd}`.
 * Compiled formatters are cached per pattern, zone and locale. Throws JodaPatternError for a bad pattern.
 */
export function formatJoda(epochMillis: number, pattern: string, timeZone = "UTC", locale = "en"): string {
  const key = `${timeZone}\u0000${locale}\u0000${pattern}`;
  let format = formatters.get(key);
  if (format === undefined) {
    format = compileJodaFormatter(pattern, { timeZone, locale });
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(key, format);
  }
  return format(epochMillis);
}

/** Compiles a Joda pattern into a formatter of epoch milliseconds. */
export function compileJodaFormatter(
  pattern: string,
  options: Omit<JodaOptions, "now"> = {},
): (epochMillis: number) => string {
  const zone = zoneOption(options.timeZone);
  const printers = compilePrinter(pattern, localeOption(options.locale));
  return (epochMillis) => {
    const millis = Math.floor(epochMillis);
    const local = fieldsOf(millis + zone.offsetAt(millis));
    let out = "";
    for (const print of printers) out += print(millis, local, zone);
    return out;
  };
}
