// Month, weekday and AM/PM names per locale as Joda-Time prints and reads them, built once from Intl and
// matched without regexes.

/** The names of one set (months, weekdays or AM/PM) in one locale. */
export interface NameTable {
  /** Index 0 = January / Monday / AM. */
  readonly short: readonly string[];
  /** The full names, in the same order as `short`. */
  readonly long: readonly string[];
  /** Every accepted text (as written, lower case, upper case), longest first, with the value it stands for. */
  readonly parse: ReadonlyArray<readonly [string, number]>;
}

/** Month, weekday and AM/PM names of one locale. */
export interface LocaleNames {
  /** The locale, as a BCP 47 tag. */
  readonly locale: string;
  /** January to December. */
  readonly months: NameTable;
  /** Monday to Sunday. */
  readonly weekdays: NameTable;
  /** AM and PM. */
  readonly halfdays: NameTable;
}

const cache = new Map<string, LocaleNames>();

/** Normalizes a Logstash locale (`en`, `en-US`, POSIX `en_US`) to a BCP 47 tag; undefined when unknown. */
export function normalizeLocale(locale: string): string | undefined {
  const tag = locale.replaceAll("_", "-");
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical;
  } catch {
    return undefined;
  }
}

/** The name tables of a locale (a BCP 47 tag), built on first use. */
export function localeNames(locale: string): LocaleNames {
  let names = cache.get(locale);
  if (names === undefined) {
    names = build(locale);
    cache.set(locale, names);
  }
  return names;
}

function build(locale: string): LocaleNames {
  const utc = { timeZone: "UTC" } as const;
  // The forms names take inside a date ("Dez." and "Mo." in German), which are the ones Joda prints and reads.
  const inDate = (options: Intl.DateTimeFormatOptions, date: number, type: string) =>
    jdkSpaces(part(new Intl.DateTimeFormat(locale, { ...utc, ...options, day: "numeric" }), date, type));
  const months = { short: [] as string[], long: [] as string[] };
  for (let m = 0; m < 12; m++) {
    const date = Date.UTC(2001, m, 15);
    months.short.push(inDate({ month: "short" }, date, "month"));
    months.long.push(inDate({ month: "long" }, date, "month"));
  }
  const days = { short: [] as string[], long: [] as string[] };
  for (let d = 0; d < 7; d++) {
    // 2001-01-01 was a Monday.
    const date = Date.UTC(2001, 0, 1 + d);
    days.short.push(inDate({ weekday: "short" }, date, "weekday"));
    days.long.push(inDate({ weekday: "long" }, date, "weekday"));
  }
  const hour12 = new Intl.DateTimeFormat(locale, { ...utc, hour: "numeric", hourCycle: "h12" });
  const halfdays = [
    jdkSpaces(part(hour12, Date.UTC(2001, 0, 1, 1), "dayPeriod")) || "AM",
    jdkSpaces(part(hour12, Date.UTC(2001, 0, 1, 13), "dayPeriod")) || "PM",
  ];
  return {
    locale,
    months: table(locale, months.short, months.long),
    weekdays: table(locale, days.short, days.long),
    halfdays: table(locale, halfdays, halfdays),
  };
}

/** The JDK's locale data writes a no-break space where newer ICU data writes a narrow one ("a. m."). */
function jdkSpaces(text: string): string {
  return text.replaceAll("\u202f", "\u00a0");
}

function part(format: Intl.DateTimeFormat, date: number, type: string): string {
  return format.formatToParts(date).find((p) => p.type === type)?.value ?? "";
}

/**
 * As Joda's text fields read: the long and the short names, each as written, all lower case or all
 * upper case ("Dezember", "dezember", "DEZEMBER", never "DeZember"), nothing else.
 */
function table(locale: string, short: string[], long: string[]): NameTable {
  const accepted = new Map<string, number>();
  const add = (text: string, value: number) => {
    for (const form of [text, text.toLocaleLowerCase(locale), text.toLocaleUpperCase(locale)])
      if (form.length > 0 && !accepted.has(form)) accepted.set(form, value);
  };
  long.forEach(add);
  short.forEach(add);
  const parse = [...accepted].sort((a, b) => b[0].length - a[0].length);
  return { short, long, parse };
}

/**
 * The longest name in `table` that `text` holds at `position`: [value, end], or undefined. Names are a
 * few dozen short strings, so this is a bounded scan.
 */
export function matchName(table: NameTable, text: string, position: number): [number, number] | undefined {
  for (const [name, value] of table.parse) {
    if (text.startsWith(name, position)) return [value, position + name.length];
  }
  return undefined;
}
