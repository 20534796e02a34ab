// Checks on JSON text that JSON.parse lets through but that must not reach a document.

/**
 * Lone UTF-16 surrogate escapes, which JSON.parse lets through. Only texts with `\u` escapes are
 * scanned. (Depth and size are checked before parsing: json-limits.ts.)
 */
export function checkJsonText(raw: Buffer, text: string): { type: string; reason: string } | undefined {
  // Searching the bytes is native and several times faster than searching the string.
  if (raw.indexOf(ESCAPE) >= 0 && hasLoneSurrogateEscape(text))
    return { type: "invalid_unicode", reason: "record holds a lone UTF-16 surrogate escape" };
  return undefined;
}

const ESCAPE = Buffer.from("\\u");

/** The offset of the first bracket that opens nesting level `limit + 1` in JSON text, or -1. */
export function beyondDepth(text: string, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return -1;
}

const SURROGATE_ESCAPE =
  /\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}/;

/** Vector's parser refuses them and Elasticsearch stores U+FFFD instead: either way not the log line. */
function hasLoneSurrogateEscape(text: string): boolean {
  // An escaped backslash followed by "u" is text, not an escape: remove those pairs first.
  return SURROGATE_ESCAPE.test(text.replaceAll("\\\\", ""));
}
