// Strings and numbers of a Logstash config, read as Logstash's Ruby reads them.

/**
 * The value of a quoted string written as `raw` (quotes included). Without `config.support_escapes`
 * (Logstash's default) the text between the quotes is taken as written, backslashes included; with it,
 * `\"`, `\'`, `\\`, `\n`, `\r`, `\t` and `\0` are replaced and any other backslash stays.
 */
export function stringValue(raw: string, supportEscapes: boolean): string {
  const inner = raw.slice(1, -1);
  if (!supportEscapes) return inner;
  return inner.replace(/\\./g, (sequence) => {
    switch (sequence[1]) {
      case '"':
      case "'":
      case "\\":
        return sequence[1];
      case "n":
        return "\n";
      case "r":
        return "\r";
      case "t":
        return "\t";
      case "0":
        return "\0";
      default:
        return sequence;
    }
  });
}

/**
 * The value of a number written as `raw` (`-?[0-9]+(\.[0-9]*)?`), or why Ruby's `Integer()` / `Float()`
 * refuses it: a leading zero makes an integer octal (`010` is 8, `08` is refused) and a float needs a
 * digit after its point (`1.` is refused).
 */
export function numberValue(raw: string): { value: number } | { refused: string } {
  if (raw.includes(".")) {
    if (raw.endsWith(".")) return { refused: `invalid value for Float(): "${raw}"` };
    return { value: Number(raw) };
  }
  const negative = raw.startsWith("-");
  const digits = negative ? raw.slice(1) : raw;
  if (digits.length > 1 && digits.startsWith("0")) {
    if (/[89]/.test(digits)) return { refused: `invalid value for Integer(): "${raw}"` };
    const octal = Number.parseInt(digits, 8);
    return { value: negative ? -octal : octal };
  }
  const value = Number(digits);
  return { value: negative && value !== 0 ? -value : value };
}
