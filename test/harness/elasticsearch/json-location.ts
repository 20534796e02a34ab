// Where a value sits in a JSON text, as `[line:column]`: Elasticsearch prefixes document parsing errors
// with the parser's location. Only computed when a document fails, so the hot path never pays for it.

/**
 * The 1-based line and column of the `ordinal`-th value of `text` (0-based, depth-first, in text order,
 * the root object not counted), or of the end of the document when `ordinal` is -1.
 */
export function locateValue(text: string, ordinal: number): string {
  let line = 1;
  let lineStart = 0;
  let pos = 0;
  let seen = -1;
  const here = () => `${line}:${pos - lineStart + 1}`;
  const skipSpace = () => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x0a) {
        line++;
        lineStart = pos + 1;
      } else if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return;
      pos++;
    }
  };
  const skipString = () => {
    pos++;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x5c) pos += 2;
      else if (c === 0x22) {
        pos++;
        return;
      } else pos++;
    }
  };
  // Returns the location once the wanted value is reached; undefined while it is still ahead.
  const value = (counted: boolean): string | undefined => {
    skipSpace();
    if (counted && ++seen === ordinal) return here();
    const c = text[pos];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      pos++;
      skipSpace();
      if (text[pos] === close) {
        pos++;
        return undefined;
      }
      for (;;) {
        skipSpace();
        if (c === "{") {
          skipString();
          skipSpace();
          pos++; // the colon
        }
        const found = value(true);
        if (found) return found;
        skipSpace();
        const next = text[pos++];
        if (next !== ",") return undefined;
      }
    }
    if (c === '"') skipString();
    else while (pos < text.length && !/[\s,\]}]/.test(text[pos]!)) pos++;
    return undefined;
  };
  const found = value(false);
  if (found) return found;
  if (ordinal === -1) {
    // The end of the root object: where Elasticsearch's parser stands after reading the document.
    const end = text.trimEnd().length;
    const before = text.lastIndexOf("\n", end - 1);
    return `${text.slice(0, end).split("\n").length}:${end - before - 1}`;
  }
  return "1:1";
}
