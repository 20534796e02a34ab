// Dates as Elasticsearch reads them: named formats (strict_date_optional_time, epoch_millis, …), simple
// Java-style patterns (yyyy/MM/dd HH:mm:ss), `||` alternatives, and date math (now-1d/d) for range queries.

/** What `date` fields use unless the mapping says otherwise. */
export const DEFAULT_DATE_FORMAT = "strict_date_optional_time||epoch_millis";
/** The second of the default dynamic_date_formats, and the format such fields are mapped with. */
export const SLASH_DATE_FORMAT = "yyyy/MM/dd HH:mm:ss||yyyy/MM/dd||epoch_millis";

interface Parts {
  year: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  fraction?: string;
  /** Offset from UTC in minutes; undefined means UTC. */
  offset?: number;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function leap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Epoch milliseconds for calendar parts, or undefined when a part is out of range (2024-02-30). */
function toMillis(p: Parts): number | undefined {
  const month = p.month ?? 1;
  const day = p.day ?? 1;
  const hour = p.hour ?? 0;
  const minute = p.minute ?? 0;
  const second = p.second ?? 0;
  if (month < 1 || month > 12) return undefined;
  if (day < 1 || day > DAYS[month - 1]! || (month === 2 && day === 29 && !leap(p.year))) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = p.fraction ? Number(p.fraction.slice(0, 3).padEnd(3, "0")) : 0;
  const date = new Date(0);
  date.setUTCFullYear(p.year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - (p.offset ?? 0) * 60_000;
}

function offsetMinutes(zone: string | undefined): number | undefined {
  if (!zone || zone === "Z") return undefined;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === "-" ? -minutes : minutes;
}

const OPTIONAL_TIME =
  /^([+-]?\d{4,9})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/;
const LENIENT_OPTIONAL_TIME =
  /^([+-]?\d{1,9})(?:-(\d{1,2})(?:-(\d{1,2})(?:T(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/;

function optionalTime(text: string, strict: boolean): number | undefined {
  const m = (strict ? OPTIONAL_TIME : LENIENT_OPTIONAL_TIME).exec(text);
  if (!m) return undefined;
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  return toMillis({
    year: Number(m[1]),
    month: num(m[2]),
    day: num(m[3]),
    hour: num(m[4]),
    minute: num(m[5]),
    second: num(m[6]),
    ...(m[7] ? { fraction: m[7] } : {}),
    offset: offsetMinutes(m[8]),
  });
}

function epoch(text: string | number, scale: number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) ? Math.trunc(text * scale) : undefined;
  if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  return Math.trunc(Number(text) * scale);
}

const NAMED: Record<string, (text: string) => number | undefined> = {
  strict_date_optional_time: (t) => optionalTime(t, true),
  strict_date_optional_time_nanos: (t) => optionalTime(t, true),
  date_optional_time: (t) => optionalTime(t, false),
  iso8601: (t) => optionalTime(t, false),
  epoch_millis: (t) => epoch(t, 1),
  epoch_second: (t) => epoch(t, 1000),
  strict_date: (t) => (/^\d{4}-\d{2}-\d{2}$/.test(t) ? optionalTime(t, true) : undefined),
  date: (t) => (/^\d{4}-\d{1,2}-\d{1,2}$/.test(t) ? optionalTime(t, false) : undefined),
  strict_date_time: (t) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,9}(Z|[+-]\d{2}:?\d{2})$/.test(t) ? optionalTime(t, true) : undefined,
  date_time: (t) =>
    /^\d{4}-\d{1,2}-\d{1,2}T\d{1,2}:\d{1,2}:\d{1,2}\.\d{1,9}(Z|[+-]\d{2}:?\d{2})$/.test(t)
      ? optionalTime(t, false)
      : undefined,
  strict_date_time_no_millis: (t) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:?\d{2})$/.test(t) ? optionalTime(t, true) : undefined,
  strict_date_hour_minute_second: (t) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(t) ? optionalTime(t, true) : undefined,
  basic_date: (t) => {
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
    return m ? toMillis({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }) : undefined;
  },
};
NAMED.strictDateOptionalTime = NAMED.strict_date_optional_time!;
NAMED.dateOptionalTime = NAMED.date_optional_time!;
NAMED.epochMillis = NAMED.epoch_millis!;

const compiledPatterns = new Map<string, (text: string) => number | undefined>();

/** A Java DateTimeFormatter pattern (the common letters) turned into a parser. */
function compilePattern(pattern: string): (text: string) => number | undefined {
  let regex = "";
  const fields: Array<keyof Parts | "zone"> = [];
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      const literal = pattern.slice(i + 1, end === -1 ? undefined : end);
      regex += literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      i = end === -1 ? pattern.length : end + 1;
      continue;
    }
    let run = 1;
    while (pattern[i + run] === c) run++;
    i += run;
    const group = (re: string, field: keyof Parts | "zone") => {
      regex += `(${re})`;
      fields.push(field);
    };
    if (c === "y" || c === "u") group(run === 2 ? "\\d{2}" : "[+-]?\\d{4,9}", "year");
    else if (c === "M") group(run === 1 ? "\\d{1,2}" : "\\d{2}", "month");
    else if (c === "d") group(run === 1 ? "\\d{1,2}" : "\\d{2}", "day");
    else if (c === "H") group(run === 1 ? "\\d{1,2}" : "\\d{2}", "hour");
    else if (c === "m") group(run === 1 ? "\\d{1,2}" : "\\d{2}", "minute");
    else if (c === "s") group(run === 1 ? "\\d{1,2}" : "\\d{2}", "second");
    else if (c === "S") group(`\\d{${run}}`, "fraction");
    else if (c === "Z" || c === "X" || c === "x") group("Z|[+-]\\d{2}:?\\d{2}", "zone");
    else regex += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").repeat(run);
  }
  const re = new RegExp(`^${regex}$`);
  return (text) => {
    const m = re.exec(text);
    if (!m) return undefined;
    const parts: Parts = { year: 1970 };
    fields.forEach((field, i) => {
      const value = m[i + 1]!;
      if (field === "zone") parts.offset = offsetMinutes(value);
      else if (field === "fraction") parts.fraction = value;
      else if (field === "year") parts.year = value.length === 2 ? 2000 + Number(value) : Number(value);
      else parts[field] = Number(value);
    });
    return toMillis(parts);
  };
}

function parserFor(format: string): (text: string) => number | undefined {
  const named = NAMED[format];
  if (named) return named;
  let compiled = compiledPatterns.get(format);
  if (!compiled) {
    compiled = compilePattern(format);
    compiledPatterns.set(format, compiled);
  }
  return compiled;
}

/** Epoch milliseconds of `value` in `format` (alternatives separated by `||`), or undefined. */
export function parseDate(value: unknown, format: string = DEFAULT_DATE_FORMAT): number | undefined {
  if (typeof value === "number") {
    // A JSON number is read as epoch_millis (or epoch_second) when the format allows it.
    for (const alternative of format.split("||")) {
      if (alternative === "epoch_millis") return epoch(value, 1);
      if (alternative === "epoch_second") return epoch(value, 1000);
    }
    return undefined;
  }
  if (typeof value !== "string") return undefined;
  for (const alternative of format.split("||")) {
    const ms = parserFor(alternative)(value);
    if (ms !== undefined && Number.isFinite(ms)) return ms;
  }
  return undefined;
}

/** Dynamic date detection: which default dynamic date format `text` matches, if any. */
export function detectDate(text: string): "default" | "slash" | undefined {
  // Elasticsearch refuses to date-detect pure numbers (too likely to be false positives).
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return undefined;
  if (optionalTime(text, true) !== undefined) return "default";
  if (parseDate(text, SLASH_DATE_FORMAT) !== undefined) return "slash";
  return undefined;
}

const MATH_UNITS = new Set(["y", "M", "w", "d", "h", "H", "m", "s"]);

function addUnit(date: Date, amount: number, unit: string): void {
  if (unit === "y") date.setUTCFullYear(date.getUTCFullYear() + amount);
  else if (unit === "M") date.setUTCMonth(date.getUTCMonth() + amount);
  else if (unit === "w") date.setUTCDate(date.getUTCDate() + 7 * amount);
  else if (unit === "d") date.setUTCDate(date.getUTCDate() + amount);
  else if (unit === "h" || unit === "H") date.setUTCHours(date.getUTCHours() + amount);
  else if (unit === "m") date.setUTCMinutes(date.getUTCMinutes() + amount);
  else date.setUTCSeconds(date.getUTCSeconds() + amount);
}

function roundDown(date: Date, unit: string): void {
  if (unit === "y") date.setUTCMonth(0, 1);
  if (unit === "M" || unit === "y") date.setUTCDate(1);
  if (unit === "w") date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  if (["y", "M", "w", "d"].includes(unit)) date.setUTCHours(0, 0, 0, 0);
  else if (unit === "h" || unit === "H") date.setUTCMinutes(0, 0, 0);
  else if (unit === "m") date.setUTCSeconds(0, 0);
  else date.setUTCMilliseconds(0);
}

/**
 * A range bound: a date in `format`, `now`, or either followed by date math (`now-1d/d`,
 * `2024-01-01||+1M`). Rounding rounds down; `roundUp` (for gt and lte) moves to the unit's last millisecond.
 */
export function parseDateMath(
  value: unknown,
  format: string = DEFAULT_DATE_FORMAT,
  roundUp = false,
): number | undefined {
  if (typeof value !== "string") return parseDate(value, format);
  let anchor: number | undefined;
  let math: string;
  if (value.startsWith("now")) {
    anchor = Date.now();
    math = value.slice(3);
  } else {
    const split = value.indexOf("||");
    if (split === -1) return parseDate(value, format);
    anchor = parseDate(value.slice(0, split), format);
    math = value.slice(split + 2);
  }
  if (anchor === undefined) return undefined;
  const date = new Date(anchor);
  const ops = /([+-])(\d+)([yMwdhHms])|\/([yMwdhHms])/gy;
  let consumed = 0;
  for (let m = ops.exec(math); m; m = ops.exec(math)) {
    consumed = ops.lastIndex;
    if (m[4] && MATH_UNITS.has(m[4])) {
      roundDown(date, m[4]);
      if (roundUp) {
        addUnit(date, 1, m[4]);
        date.setUTCMilliseconds(date.getUTCMilliseconds() - 1);
      }
    } else addUnit(date, (m[1] === "-" ? -1 : 1) * Number(m[2]), m[3]!);
  }
  return consumed === math.length ? date.getTime() : undefined;
}
