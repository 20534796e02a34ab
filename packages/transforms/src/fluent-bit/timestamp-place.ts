// Whose timestamp key a record from Fluent Bit's kafka output holds: the plugin's, or the record's own.

/**
 * Fluent Bit's kafka output writes the timestamp key first, as a number, then the record's keys; its
 * JSON writer keeps the last occurrence of a key, so a record that had its own keeps that one, at its
 * own place and with its own type, and the plugin's is gone. The bytes tell which is there:
 * - `leading`: the first key, a number: the plugin's epoch seconds (or a record's own number that was
 *   its first key, which nothing can tell apart);
 * - `own`: anywhere else, or not a number: the record's own, which Fluent Bit's es output writes as it is;
 * - `missing`: not a top-level key.
 */
export type TimestampPlace = "leading" | "own" | "missing";

/**
 * Where `key` is among the top-level keys of `raw`, which must already be known to be a valid JSON
 * object. Reads only the top level's structure; strings are skipped with a native search.
 */
export function timestampPlace(raw: Buffer, key: string, keyBytes: Buffer): TimestampPlace {
  const n = raw.length;
  let depth = 0;
  let atKey = false;
  let first = true;
  let i = 0;
  while (i < n) {
    const c = raw[i]!;
    if (c === 0x22) {
      const end = stringEnd(raw, i);
      if (depth === 1 && atKey) {
        if (isKey(raw, i + 1, end - 1, key, keyBytes))
          return first && numberFollows(raw, end) ? "leading" : "own";
        first = false;
        atKey = false;
      }
      i = end;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth === 1) atKey = true;
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && depth === 1) atKey = true;
    i++;
  }
  return "missing";
}

/** Just past the quote that closes the string opening at `start`. */
function stringEnd(raw: Buffer, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = raw.indexOf(0x22, i);
    if (quote < 0) return raw.length;
    let slashes = 0;
    while (raw[quote - 1 - slashes] === 0x5c) slashes++;
    if (slashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

function isKey(raw: Buffer, start: number, end: number, key: string, keyBytes: Buffer): boolean {
  // Fluent Bit escapes only control and non-ASCII characters; another writer may escape more.
  for (let i = start; i < end; i++)
    if (raw[i] === 0x5c) return JSON.parse(raw.toString("utf8", start - 1, end + 1)) === key;
  return end - start === keyBytes.length && raw.compare(keyBytes, 0, keyBytes.length, start, end) === 0;
}

/** Whether the value after the key ending at `at` (before its colon) is a number. */
function numberFollows(raw: Buffer, at: number): boolean {
  let i = at;
  while (
    i < raw.length &&
    (raw[i] === 0x20 || raw[i] === 0x09 || raw[i] === 0x0a || raw[i] === 0x0d || raw[i] === 0x3a)
  )
    i++;
  const c = raw[i];
  return c !== undefined && (c === 0x2d || (c >= 0x30 && c <= 0x39));
}
