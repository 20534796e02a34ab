// One pass over a record's bytes that says whether it is a JSON object Elasticsearch can take as it is,
// without building it: the Fluent Bit preset's fast path. UTF-8 validity is checked apart (natively).

export interface JsonProblem {
  type: string;
  reason: string;
}

export interface ScanResult {
  /** Set when the bytes are not acceptable JSON (or nest deeper than allowed). */
  problem?: JsonProblem;
  /** A raw CR or LF between tokens: valid JSON, but it would break the bulk body's lines. */
  hasLineBreak: boolean;
}

const SYNTAX = "json_parse_exception";

function syntax(at: number, what: string): ScanResult {
  return { problem: { type: SYNTAX, reason: `${what} at byte ${at}` }, hasLineBreak: false };
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

function hexValue(b: Buffer, i: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const c = b[i + k]!;
    v = v * 16 + (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);
  }
  return v;
}

/**
 * Scans `b` as RFC 8259 JSON whose top level is an object. Refuses what JSON.parse refuses, plus
 * nesting deeper than `maxDepth` and lone UTF-16 surrogate escapes (`\ud800` without its pair), which
 * Elasticsearch would store as U+FFFD. Iterative: hostile nesting cannot overflow the stack.
 * `containers` (at least maxDepth + 1 long) and `words` are scratch space a caller scanning many
 * records can lend, so a scan allocates nothing.
 */
export function scanJsonObject(
  b: Buffer,
  maxDepth: number,
  containers: Uint8Array = new Uint8Array(maxDepth + 1),
  words: WordView = new WordView(),
): ScanResult {
  const n = b.length;
  let i = 0;
  let hasLineBreak = false;
  // Containers open, innermost last (1 = object, 2 = array): containers[0 .. depth - 1].
  const stack = containers.length > maxDepth ? containers : new Uint8Array(maxDepth + 1);
  // The record's bytes as the 32-bit words of its buffer: word w is bytes 4w .. 4w + 3 of the buffer,
  // so those of the record are b[4w - base] on; the last whole one ends before `lastWord`.
  const word = words.of(b);
  const base = b.byteOffset;
  const lastWord = (base + n) >>> 2;
  let depth = 0;
  // What may come next: 0 value, 1 key or '}' (after '{'), 2 ',' or close, 3 ':' , 4 key (after ',').
  let expect = 0;
  let rootSeen = false;
  while (i < n) {
    const c = b[i]!;
    if (c === 0x20 || c === 0x09) {
      i++;
      continue;
    }
    if (c === 0x0a || c === 0x0d) {
      hasLineBreak = true;
      i++;
      continue;
    }
    if (rootSeen && depth === 0) return syntax(i, "unexpected data after the top-level object");
    switch (expect) {
      case 3:
        if (c !== 0x3a) return syntax(i, "expected ':'");
        expect = 0;
        i++;
        continue;
      case 2:
        if (c === 0x2c) {
          expect = stack[depth - 1] === 1 ? 4 : 0;
          i++;
          continue;
        }
        if ((c === 0x7d && stack[depth - 1] === 1) || (c === 0x5d && stack[depth - 1] === 2)) {
          depth--;
          expect = 2;
          i++;
          continue;
        }
        return syntax(i, "expected ',' or the end of the container");
      case 1:
      case 4:
        if (c === 0x7d && expect === 1) {
          depth--;
          expect = 2;
          i++;
          continue;
        }
        if (c !== 0x22) return syntax(i, "expected a string key");
        break;
      default:
        break;
    }
    // A value (or, in states 1/4, a key string). Anything but an object at the top is the caller's to classify.
    if (!rootSeen && c !== 0x7b) return { problem: NOT_OBJECT, hasLineBreak };
    const isKey = expect === 1 || expect === 4;
    if (c === 0x22) {
      i++;
      let pendingHigh = false;
      for (;;) {
        // The bytes that stand for themselves, most of any record, in a loop of their own: up to a word
        // boundary one at a time, then four at a time while a word holds none of '"', '\\' and the
        // control characters, then one at a time again from the word that does.
        const run = i;
        while (i < n && ((base + i) & 3) !== 0 && PLAIN[b[i]!] === 1) i++;
        if (((base + i) & 3) === 0) {
          let w = (base + i) >>> 2;
          while (w < lastWord && !special(word[w]!)) w++;
          i = (w << 2) - base;
        }
        while (i < n && PLAIN[b[i]!] === 1) i++;
        if (i > run && pendingHigh) return loneSurrogate(hasLineBreak);
        if (i >= n) return syntax(i, "unterminated string");
        const s = b[i]!;
        if (s === 0x22) {
          if (pendingHigh) return loneSurrogate(hasLineBreak);
          i++;
          break;
        }
        if (s < 0x20) return syntax(i, "control character in a string");
        if (s === 0x5c) {
          const e = b[i + 1];
          if (e === 0x75) {
            if (
              i + 5 >= n ||
              !isHex(b[i + 2]!) ||
              !isHex(b[i + 3]!) ||
              !isHex(b[i + 4]!) ||
              !isHex(b[i + 5]!)
            )
              return syntax(i, "bad \\u escape");
            const unit = hexValue(b, i + 2);
            if (unit >= 0xd800 && unit <= 0xdbff) {
              if (pendingHigh) return loneSurrogate(hasLineBreak);
              pendingHigh = true;
            } else if (unit >= 0xdc00 && unit <= 0xdfff) {
              if (!pendingHigh) return loneSurrogate(hasLineBreak);
              pendingHigh = false;
            } else if (pendingHigh) return loneSurrogate(hasLineBreak);
            i += 6;
            continue;
          }
          if (
            e === 0x22 ||
            e === 0x5c ||
            e === 0x2f ||
            e === 0x62 ||
            e === 0x66 ||
            e === 0x6e ||
            e === 0x72 ||
            e === 0x74
          ) {
            if (pendingHigh) return loneSurrogate(hasLineBreak);
            i += 2;
            continue;
          }
          return syntax(i, "bad escape");
        }
      }
      expect = isKey ? 3 : 2;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      rootSeen = true;
      if (depth >= maxDepth)
        return {
          problem: {
            type: "depth_limit_exceeded",
            reason: `record is nested deeper than ${maxDepth} levels`,
          },
          hasLineBreak,
        };
      stack[depth++] = c === 0x7b ? 1 : 2;
      i++;
      if (c === 0x7b) expect = 1;
      else {
        // An empty array closes at once.
        let j = i;
        while (j < n && (b[j] === 0x20 || b[j] === 0x09 || b[j] === 0x0a || b[j] === 0x0d)) j++;
        if (b[j] === 0x5d) {
          if (j > i && b.subarray(i, j).some((x) => x === 0x0a || x === 0x0d)) hasLineBreak = true;
          depth--;
          i = j + 1;
          expect = 2;
        } else expect = 0;
      }
      continue;
    }
    if (c === 0x74 || c === 0x66 || c === 0x6e) {
      const word = c === 0x74 ? TRUE : c === 0x66 ? FALSE : NULL;
      if (i + word.length > n || b.compare(word, 0, word.length, i, i + word.length) !== 0)
        return syntax(i, "unexpected literal");
      i += word.length;
      expect = 2;
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i;
      if (b[j] === 0x2d) j++;
      if (b[j] === 0x30) j++;
      else if (b[j]! >= 0x31 && b[j]! <= 0x39) while (j < n && b[j]! >= 0x30 && b[j]! <= 0x39) j++;
      else return syntax(j, "bad number");
      if (b[j] === 0x2e) {
        j++;
        const start = j;
        while (j < n && b[j]! >= 0x30 && b[j]! <= 0x39) j++;
        if (j === start) return syntax(j, "bad number");
      }
      if (b[j] === 0x65 || b[j] === 0x45) {
        j++;
        if (b[j] === 0x2b || b[j] === 0x2d) j++;
        const start = j;
        while (j < n && b[j]! >= 0x30 && b[j]! <= 0x39) j++;
        if (j === start) return syntax(j, "bad number");
      }
      i = j;
      expect = 2;
      continue;
    }
    return syntax(i, "unexpected byte");
  }
  if (!rootSeen) return { problem: NOT_OBJECT, hasLineBreak };
  if (depth > 0) return syntax(n, "unexpected end of the record");
  return hasLineBreak ? ACCEPTED_WITH_LINE_BREAK : ACCEPTED;
}

// Outside the scan: a function declared inside it would close over its state, which V8 then allocates
// on the heap for every record scanned.
function loneSurrogate(hasLineBreak: boolean): ScanResult {
  return {
    problem: { type: "invalid_unicode", reason: "record holds a lone UTF-16 surrogate escape" },
    hasLineBreak,
  };
}

// Shared answers for acceptable records: the common result allocates nothing.
const ACCEPTED: ScanResult = Object.freeze({ hasLineBreak: false });
const ACCEPTED_WITH_LINE_BREAK: ScanResult = Object.freeze({ hasLineBreak: true });
const NOT_OBJECT: JsonProblem = { type: "json_not_object", reason: "record is not a JSON object" };
const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");
const NULL = Buffer.from("null");
/**
 * Whether any of the word's four bytes is '"', '\\' or below 0x20 (the bit tricks for a zero byte and
 * for a byte less than n; bytes of 0x80 and above, UTF-8's, are never taken for any of them).
 */
function special(x: number): boolean {
  const quote = x ^ 0x22222222;
  const backslash = x ^ 0x5c5c5c5c;
  const below = (x - 0x20202020) & ~x;
  const quotes = (quote - 0x01010101) & ~quote;
  const backslashes = (backslash - 0x01010101) & ~backslash;
  return ((below | quotes | backslashes) & 0x80808080) !== 0;
}

/** A buffer seen as 32-bit words, kept while records come from the same buffer (a batch's). */
export class WordView {
  private buffer: ArrayBufferLike | undefined;
  private words: Uint32Array = new Uint32Array(0);

  of(b: Buffer): Uint32Array {
    if (b.buffer !== this.buffer) {
      this.buffer = b.buffer;
      this.words = new Uint32Array(b.buffer, 0, b.buffer.byteLength >>> 2);
    }
    return this.words;
  }
}

/** 1 for the bytes a string holds as they are: not '"', not '\\', not a control character. */
const PLAIN = new Uint8Array(256).fill(1);
PLAIN.fill(0, 0, 0x20);
PLAIN[0x22] = 0;
PLAIN[0x5c] = 0;
