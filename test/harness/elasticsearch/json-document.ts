// A document's JSON as Elasticsearch's parser reads it: a duplicate key is an error, and a number keeps
// what its literal said (an integer, or a fraction/exponent; its exact digits), which JSON.parse loses.

/** The literal of each number in a document that JSON.parse's double does not tell exactly, by container. */
export type NumberLiterals = WeakMap<object, Map<string, string>>;

export interface ParsedDocument {
  value: unknown;
  /** Numbers written with a fraction or exponent, and integers beyond 2^53: their literal text. */
  numbers: NumberLiterals;
}

/** The body is not JSON. `eof`: it ended too soon (Jackson's JsonEOFException). */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
    readonly eof: boolean,
  ) {
    super(message);
  }
}

/** An object names the same key twice: Elasticsearch's parser refuses that (strict duplicate detection). */
export class DuplicateKeyError extends Error {
  constructor(
    readonly key: string,
    readonly column: number,
  ) {
    super(`Duplicate field '${key}'`);
  }
}

/** What a number's literal says beyond its value: decimal (fraction or exponent), and its text when kept. */
export function literalOf(numbers: NumberLiterals | undefined, container: object, key: string) {
  return numbers?.get(container)?.get(key);
}

/** True when a number literal has a fraction or an exponent (Elasticsearch maps it as a float). */
export function isDecimalLiteral(literal: string | undefined): boolean {
  return literal !== undefined && /[.eE]/.test(literal);
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters.
const CONTROL = /[\u0000-\u001f]/;

class Parser {
  pos = 0;
  private backslash = 0;
  readonly numbers: NumberLiterals = new WeakMap();

  constructor(private readonly text: string) {}

  fail(what: string): never {
    const eof = this.pos >= this.text.length;
    throw new JsonSyntaxError(
      eof
        ? "Unexpected end-of-input"
        : `Unexpected character (${JSON.stringify(this.text[this.pos])}) ${what}`,
      this.pos + 1,
      eof,
    );
  }

  ws(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
    this.pos = pos;
  }

  value(container: object | undefined, key: string): unknown {
    this.ws();
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number(container, key);
    const word = c === 0x74 ? "true" : c === 0x66 ? "false" : c === 0x6e ? "null" : undefined;
    if (word === undefined || !this.text.startsWith(word, this.pos)) return this.fail("expected a value");
    this.pos += word.length;
    return c === 0x74 ? true : c === 0x66 ? false : null;
  }

  object(): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    this.pos++;
    this.ws();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.ws();
      if (this.text.charCodeAt(this.pos) !== 0x22)
        this.fail("was expecting double-quote to start field name");
      const keyAt = this.pos + 1;
      const key = this.string();
      this.ws();
      if (this.text.charCodeAt(this.pos) !== 0x3a)
        this.fail("was expecting a colon to separate field name and value");
      this.pos++;
      const value = this.value(obj, key);
      if (Object.hasOwn(obj, key)) throw new DuplicateKeyError(key, keyAt);
      // `__proto__` is a key like any other, as it is in Elasticsearch.
      if (key === "__proto__")
        Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
      else obj[key] = value;
      this.ws();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x2c) continue;
      if (c === 0x7d) return obj;
      this.pos--;
      this.fail("was expecting comma to separate Object entries");
    }
  }

  array(): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.ws();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(out, String(out.length)));
      this.ws();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x2c) continue;
      if (c === 0x5d) return out;
      this.pos--;
      this.fail("was expecting comma to separate Array entries");
    }
  }

  string(): string {
    const start = this.pos;
    const text = this.text;
    let end = text.indexOf('"', start + 1);
    // The next backslash, searched once for all the strings before it (most documents have none).
    if (this.backslash !== -1 && this.backslash <= start) this.backslash = text.indexOf("\\", start + 1);
    if (end !== -1 && (this.backslash === -1 || this.backslash > end)) {
      const raw = text.slice(start + 1, end);
      if (CONTROL.test(raw)) {
        this.pos = start + 1 + raw.search(CONTROL);
        this.fail("in a string: control characters must be escaped");
      }
      this.pos = end + 1;
      return raw;
    }
    // Escapes: find the closing quote (one not escaped), then let JSON.parse decode and check them.
    end = start + 1;
    for (;;) {
      const c = text.charCodeAt(end);
      if (Number.isNaN(c)) {
        this.pos = end;
        this.fail("in a string");
      }
      if (c === 0x5c) end += 2;
      else if (c === 0x22) break;
      else end++;
    }
    try {
      const decoded = JSON.parse(text.slice(start, end + 1)) as string;
      this.pos = end + 1;
      return decoded;
    } catch (error) {
      this.pos = start;
      throw new JsonSyntaxError((error as Error).message, start + 1, false);
    }
  }

  number(container: object | undefined, key: string): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail("in a number");
    const literal = match[0];
    this.pos += literal.length;
    const value = Number(literal);
    if (container && (isDecimalLiteral(literal) || !Number.isSafeInteger(value))) {
      let byKey = this.numbers.get(container);
      if (!byKey) {
        byKey = new Map();
        this.numbers.set(container, byKey);
      }
      byKey.set(key, literal);
    }
    return value;
  }
}

/** Parses one JSON value; throws JsonSyntaxError or DuplicateKeyError. */
export function parseDocument(text: string): ParsedDocument {
  const parser = new Parser(text);
  const value = parser.value(undefined, "");
  parser.ws();
  if (parser.pos < text.length) parser.fail("after the document");
  return { value, numbers: parser.numbers };
}
