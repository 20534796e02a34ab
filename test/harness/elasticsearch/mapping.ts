// Dynamic mapping as Elasticsearch 8 does it: types inferred on first sight, values checked against the
// mapped type, conflicts refused per document, and the total-fields limit.
import { type EsError, esError } from "./errors.js";
import { isDecimalLiteral, literalOf, type NumberLiterals } from "./json-document.js";

export type FieldType =
  | "object"
  | "text"
  | "keyword"
  | "long"
  | "integer"
  | "float"
  | "double"
  | "date"
  | "boolean";

export interface FieldMapping {
  type?: FieldType | string;
  properties?: Record<string, FieldMapping>;
  fields?: Record<string, FieldMapping>;
  ignore_above?: number;
  format?: string;
}

const NUMERIC = new Set([
  "long",
  "integer",
  "short",
  "byte",
  "float",
  "double",
  "half_float",
  "scaled_float",
]);
const INTEGRAL = new Set(["long", "integer", "short", "byte"]);
/** Lucene's largest term: a keyword value longer than this in UTF-8 fails the document. */
const MAX_TERM_BYTES = 32766;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;

/** strict_date_optional_time, and the `yyyy/MM/dd HH:mm:ss` forms of the default dynamic_date_formats. */
const DATE_OPTIONAL_TIME =
  /^[+-]?\d{4,}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}([.,]\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?)?)?$/;
const SLASH_DATE = /^\d{4}\/\d{2}\/\d{2}( \d{2}:\d{2}:\d{2})?( ?(Z|[+-]\d{2}:?\d{2}))?$/;

export function looksLikeDate(value: string): boolean {
  if (!(DATE_OPTIONAL_TIME.test(value) && value.length >= 4) && !SLASH_DATE.test(value)) return false;
  // A bare number of 4+ digits is a year to strict_date_optional_time, but dynamic detection wants a '-'.
  return value.includes("-") || value.includes("/");
}

/** Milliseconds since the epoch for a date field's value, or undefined when it does not parse. */
export function parseDate(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  if (!DATE_OPTIONAL_TIME.test(value) && !SLASH_DATE.test(value)) return undefined;
  const ms = Date.parse(value.replaceAll("/", "-").replace(" ", "T"));
  return Number.isNaN(ms) ? undefined : ms;
}

/** Java's Double.toString, which Elasticsearch's messages print doubles with: 1.0, 1.5, 1.0E300. */
export function javaDouble(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : v < 0 ? "-Infinity" : "NaN";
  if (Object.is(v, -0)) return "-0.0";
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(v);
    return s.includes(".") ? s : `${s}.0`;
  }
  const [mantissa, exponent] = v.toExponential().split("e") as [string, string];
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** A value as the "Preview of field's value" prints it: Java's toString of what the parser read. */
function javaText(value: unknown, literal?: string): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") {
    if (literal !== undefined && !isDecimalLiteral(literal)) return literal;
    return literal === undefined && Number.isInteger(value) ? String(value) : javaDouble(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => javaText(v)).join(", ")}]`;
  if (typeof value === "object")
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${javaText(v)}`)
      .join(", ")}}`;
  return String(value);
}

type Cause = { type: string; reason: string; caused_by?: Cause };

function parseError(path: string, type: string, id: string, preview: string, cause: Cause): EsError {
  return esError(
    400,
    "document_parsing_exception",
    `[1:2] failed to parse field [${path}] of type [${type}] in document with id '${id}'. Preview of field's value: '${preview}'`,
    { caused_by: cause },
  );
}

/** A failure of the JSON parser's accessors (Jackson), as Elasticsearch wraps it. */
function xContent(reason: string, inner: string): Cause {
  return {
    type: "x_content_parse_exception",
    reason: `[1:2] ${reason}`,
    caused_by: { type: inner, reason },
  };
}

const iae = (reason: string): Cause => ({ type: "illegal_argument_exception", reason });

/** An error of the document as a whole (field names, the field limit): "failed to parse: …". */
function documentError(reason: string): EsError {
  return esError(400, "document_parsing_exception", `[1:2] failed to parse: ${reason}`, {
    caused_by: iae(reason),
  });
}

const isObjectMapping = (m: FieldMapping) =>
  m.type === undefined || m.type === "object" || m.type === "nested";

/** Jackson's word for a token that is not what an accessor wanted. */
function tokenName(value: unknown, literal: string | undefined): string {
  if (typeof value === "boolean") return value ? "VALUE_TRUE" : "VALUE_FALSE";
  if (typeof value === "number") return isDecimalLiteral(literal) ? "VALUE_NUMBER_FLOAT" : "VALUE_NUMBER_INT";
  return "VALUE_STRING";
}

/** Java's Double.parseDouble accepts this (surrounding whitespace, a d/f suffix, NaN, Infinity). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: Java trims every character up to the space.
const JAVA_DOUBLE = /^[\x00-\x20]*[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)[\x00-\x20]*$/;
/** new BigDecimal(s) accepts this. */
const BIG_DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function checkIntegral(
  path: string,
  type: string,
  value: unknown,
  literal: string | undefined,
  id: string,
): EsError | undefined {
  const fail = (preview: string, cause: Cause) => parseError(path, type, id, preview, cause);
  if (typeof value === "boolean")
    return fail(
      String(value),
      xContent(
        `Current token (${tokenName(value, literal)}) not numeric, can not use numeric value accessors`,
        "json_parse_exception",
      ),
    );
  if (typeof value === "number") {
    const text = literal ?? String(value);
    const preview = javaText(value, literal);
    const overflow = (kind: "long" | "int", min: bigint, max: bigint) =>
      fail(
        preview,
        xContent(
          `Numeric value (${text}) out of range of ${kind} (${min} - ${max})`,
          "input_coercion_exception",
        ),
      );
    const javaOverflow = (kind: string) =>
      fail(
        preview,
        xContent(`Numeric value (${text}) out of range of Java ${kind}`, "input_coercion_exception"),
      );
    // Integers are checked exactly; a fraction or an exponent is a double, truncated (coerce).
    const n = isDecimalLiteral(text)
      ? Math.abs(value) < 2 ** 64
        ? BigInt(Math.trunc(value))
        : value > 0
          ? LONG_MAX * 4n
          : LONG_MIN * 4n
      : BigInt(text);
    if (type === "long")
      return n < LONG_MIN || n > LONG_MAX ? overflow("long", LONG_MIN, LONG_MAX) : undefined;
    if (n < INT_MIN || n > INT_MAX) return overflow("int", INT_MIN, INT_MAX);
    if (type === "short" && (n < -32768n || n > 32767n)) return javaOverflow("short");
    if (type === "byte" && (n < -128n || n > 127n)) return javaOverflow("byte");
    return undefined;
  }
  if (typeof value !== "string" || value === "") return undefined; // "" is null to a number field
  if (type === "long") {
    if (!BIG_DECIMAL.test(value)) return fail(value, iae(`For input string: "${value}"`));
    const n = /^[+-]?\d+$/.test(value)
      ? BigInt(value)
      : BigInt(Math.trunc(Math.max(-1e20, Math.min(1e20, Number(value)))));
    if (n < LONG_MIN || n > LONG_MAX) return fail(value, iae(`Value [${value}] is out of range for a long`));
    return undefined;
  }
  if (!JAVA_DOUBLE.test(value))
    return fail(value, { type: "number_format_exception", reason: `For input string: "${value}"` });
  const d = Number(value.trim().replace(/[fFdD]$/, ""));
  if (!(d >= -2147483648 && d <= 2147483647))
    return fail(value, iae(`Value [${value}] is out of range for an integer`));
  const int = Math.trunc(d);
  if (type === "short" && (int < -32768 || int > 32767))
    return fail(value, iae(`Value [${int}] is out of range for a short`));
  if (type === "byte" && (int < -128 || int > 127))
    return fail(value, iae(`Value [${int}] is out of range for a byte`));
  return undefined;
}

function checkFloating(
  path: string,
  type: string,
  value: unknown,
  literal: string | undefined,
  id: string,
): EsError | undefined {
  if (typeof value === "boolean")
    return parseError(
      path,
      type,
      id,
      String(value),
      xContent(
        `Current token (${tokenName(value, literal)}) not numeric, can not use numeric value accessors`,
        "json_parse_exception",
      ),
    );
  let d: number;
  if (typeof value === "number") d = value;
  else if (typeof value === "string") {
    if (value === "") return undefined;
    if (!JAVA_DOUBLE.test(value))
      return parseError(path, type, id, value, {
        type: "number_format_exception",
        reason: `For input string: "${value}"`,
      });
    d = Number(value.trim().replace(/[fFdD]$/, ""));
  } else return undefined;
  const stored =
    type === "float" ? Math.fround(d) : type === "half_float" && Math.abs(d) >= 65520 ? d * Infinity : d;
  if (Number.isFinite(stored)) return undefined;
  const shown = stored > 0 ? "Infinity" : "-Infinity";
  return parseError(
    path,
    type,
    id,
    typeof value === "string" ? value : shown,
    iae(`[${type}] supports only finite values, but got [${shown}]`),
  );
}

/** The prefix Lucene prints of an immense term: its first 30 bytes, as Java's signed bytes. */
function termPrefix(bytes: Buffer): string {
  return `[${[...bytes.subarray(0, 30)].map((b) => (b > 127 ? b - 256 : b)).join(", ")}]...`;
}

function checkKeyword(
  path: string,
  mapping: FieldMapping,
  value: unknown,
  literal: string | undefined,
  id: string,
) {
  const text = typeof value === "number" ? javaText(value, literal) : String(value);
  if (mapping.ignore_above !== undefined && text.length > mapping.ignore_above) return undefined;
  const bytes = Buffer.from(text);
  if (bytes.length <= MAX_TERM_BYTES) return undefined;
  return parseError(
    path,
    "keyword",
    id,
    text,
    iae(
      `Document contains at least one immense term in field="${path}" (whose UTF8 encoding is longer than the max length ${MAX_TERM_BYTES}), all of which were skipped. Please correct the analyzer to not produce such terms. The prefix of the first immense term is: '${termPrefix(bytes)}'`,
    ),
  );
}

/** Checks a concrete value (not null, not an array) against a mapped field. */
function checkValue(
  path: string,
  mapping: FieldMapping,
  value: unknown,
  literal: string | undefined,
  id: string,
): EsError | undefined {
  const type = mapping.type ?? "object";
  if (value !== null && typeof value === "object") {
    const cause: Cause = NUMERIC.has(type)
      ? iae("Cannot parse object as number")
      : type === "boolean"
        ? { type: "illegal_state_exception", reason: "Can't get boolean value on a START_OBJECT at 1:2" }
        : iae("Expected text at 1:2 but found START_OBJECT");
    return parseError(path, type, id, javaText(value), cause);
  }
  if (INTEGRAL.has(type)) return checkIntegral(path, type, value, literal, id);
  if (NUMERIC.has(type)) return checkFloating(path, type, value, literal, id);
  if (type === "boolean") {
    if (typeof value === "number")
      return parseError(
        path,
        type,
        id,
        javaText(value, literal),
        xContent(`Current token (${tokenName(value, literal)}) not of boolean type`, "json_parse_exception"),
      );
    if (typeof value === "boolean" || value === "true" || value === "false" || value === "") return undefined;
    return parseError(
      path,
      type,
      id,
      String(value),
      iae(`Failed to parse value [${String(value)}] as only [true] or [false] are allowed.`),
    );
  }
  if (type === "date") {
    if (value === "") return parseError(path, type, id, "", iae("cannot parse empty datetime"));
    if (parseDate(value) !== undefined) return undefined;
    return parseError(path, type, id, javaText(value, literal), {
      type: "illegal_argument_exception",
      reason: `failed to parse date field [${String(value)}] with format [${mapping.format ?? "strict_date_optional_time||epoch_millis"}]`,
      caused_by: { type: "date_time_parse_exception", reason: "Failed to parse with all enclosed parsers" },
    });
  }
  if (type === "keyword") return checkKeyword(path, mapping, value, literal, id);
  // A text field's keyword multi-fields index the value too.
  for (const [name, sub] of Object.entries(mapping.fields ?? {}))
    if (sub.type === "keyword") {
      const error = checkKeyword(`${path}.${name}`, sub, value, literal, id);
      if (error) return error;
    }
  return undefined;
}

function inferred(value: unknown, literal: string | undefined, dateDetection: boolean): FieldMapping {
  if (typeof value === "boolean") return { type: "boolean" };
  // What the literal says, not the double: 1.0 is a float, 18446744073709551616 a long (that overflows).
  if (typeof value === "number") return isDecimalLiteral(literal) ? { type: "float" } : { type: "long" };
  if (typeof value === "string" && dateDetection && looksLikeDate(value)) return { type: "date" };
  return { type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } };
}

/** Java's Character.isWhitespace, for field names made of nothing else. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: Java counts these control characters as whitespace.
const JAVA_BLANK = /^[\t\n\v\f\r \u001c-\u001f]+$/;

/** A key's path parts, `a.b` → [a, b], or why Elasticsearch refuses it as a field name. */
function splitFieldName(key: string): string[] | EsError {
  if (key === "") return documentError("field name cannot be an empty string");
  if (!key.includes(".")) {
    if (JAVA_BLANK.test(key))
      return esError(
        400,
        "document_parsing_exception",
        `[1:2] Field name cannot contain only whitespace: [${key}]`,
      );
    return [key];
  }
  // Java's String.split, which drops trailing empty parts: "a." is the field a.
  const parts = key.split(".");
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length === 0) return documentError("field name cannot contain only dots");
  for (const part of parts) {
    if (part === "") return documentError(`field name cannot contain only whitespace: ['${key}']`);
    if (JAVA_BLANK.test(part))
      return documentError(
        `field name starting or ending with a [.] makes object resolution ambiguous: [${key}]`,
      );
  }
  return parts;
}

/** How many fields a mapper counts for the total-fields limit: itself and its multi-fields, its children. */
function fieldCount(mapping: FieldMapping): number {
  let n = 1;
  for (const sub of Object.values(mapping.fields ?? {})) n += fieldCount(sub);
  for (const child of Object.values(mapping.properties ?? {})) n += fieldCount(child);
  return n;
}

function countProperties(properties: Record<string, FieldMapping>): number {
  let n = 0;
  for (const field of Object.values(properties)) n += fieldCount(field);
  return n;
}

/** Two mappers of one path met in the same document: the mapping update fails to merge them. */
function mergeConflict(path: string, first: FieldMapping, next: FieldMapping): EsError | undefined {
  const firstObject = isObjectMapping(first);
  const nextObject = isObjectMapping(next);
  if (firstObject && nextObject) return undefined;
  if (!firstObject && !nextObject && first.type === next.type) return undefined;
  const reason = firstObject
    ? `can't merge a non object mapping [${path}] with an object mapping`
    : `mapper [${path}] cannot be changed from type [${first.type}] to [${nextObject ? "ObjectMapper" : next.type}]`;
  return esError(400, "illegal_argument_exception", reason);
}

/** Mappings as GET _mapping shows them: an object's type only when it has no properties. */
function renderProperties(properties: Record<string, FieldMapping>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(properties)) {
    const { properties: children, ...rest } = field;
    const value =
      isObjectMapping(field) && field.type !== "nested"
        ? children && Object.keys(children).length > 0
          ? { ...withoutType(rest), properties: renderProperties(children) }
          : { ...rest, type: "object" }
        : children
          ? { ...rest, properties: renderProperties(children) }
          : rest;
    setOwn(out, name, value);
  }
  return out;
}

function withoutType(field: FieldMapping): FieldMapping {
  const { type: _type, ...rest } = field;
  return rest;
}

/** What applying a document found: an error while parsing it, a conflict between the fields it adds. */
export interface MappingResult {
  /** Refuses the document (400 document_parsing_exception), found while parsing it. */
  error?: EsError;
  /** Refuses the document after it parsed (400 illegal_argument_exception): its new fields do not merge. */
  conflict?: EsError;
  /** Adds the document's new fields to the mapping. */
  commit(): void;
}

/** The mapping of one index: its field tree, grown by dynamic mapping. */
export class IndexMapping {
  properties: Record<string, FieldMapping>;
  dateDetection: boolean;
  /** index.mapping.total_fields.limit */
  readonly totalFieldsLimit: number;
  private fields: number;

  constructor(
    explicit?: { properties?: Record<string, FieldMapping>; date_detection?: boolean },
    options: { totalFieldsLimit?: number } = {},
  ) {
    this.properties = structuredClone(explicit?.properties ?? {});
    this.dateDetection = explicit?.date_detection ?? true;
    this.totalFieldsLimit = options.totalFieldsLimit ?? 1000;
    this.fields = countProperties(this.properties);
  }

  toJSON(): Record<string, unknown> {
    const properties = renderProperties(this.properties);
    return Object.keys(properties).length > 0 ? { properties } : {};
  }

  /** PUT _mapping: the given fields replace those of the same name. */
  merge(properties: Record<string, FieldMapping>): void {
    for (const [name, field] of Object.entries(properties))
      setOwn(this.properties, name, structuredClone(field));
    this.fields = countProperties(this.properties);
  }

  /** The mapping at a dotted path (`a.b.c`), following object properties; undefined if unmapped. */
  lookup(path: string): FieldMapping | undefined {
    let props: Record<string, FieldMapping> | undefined = this.properties;
    let found: FieldMapping | undefined;
    for (const part of path.split(".")) {
      // Own keys only: a document's "constructor" or "__proto__" field is a field like any other.
      found = props && Object.hasOwn(props, part) ? props[part] : undefined;
      if (!found) return undefined;
      props = found.properties;
    }
    return found;
  }

  /**
   * Parses `doc` against the mapping as Elasticsearch does: in document order, each value checked against
   * the field's mapped type; fields the mapping lacks are mapped from their first value (and counted
   * against the total-fields limit), but later values of the same document are not checked against those
   * new mappers: differing ones fail the mapping update (`conflict`) once the document has parsed.
   * Nothing changes until `commit()`.
   */
  apply(doc: Record<string, unknown>, id: string, numbers?: NumberLiterals): MappingResult {
    const dynamic = new Map<string, FieldMapping>();
    let added = 0;
    let conflict: EsError | undefined;
    const record = (path: string, mapping: FieldMapping): EsError | undefined => {
      const first = dynamic.get(path);
      if (first) {
        conflict ??= mergeConflict(path, first, mapping);
        return undefined;
      }
      const size = fieldCount(mapping);
      if (this.fields + added + size > this.totalFieldsLimit)
        return documentError(
          `Limit of total fields [${this.totalFieldsLimit}] has been exceeded while adding new fields [${added + size}]`,
        );
      added += size;
      dynamic.set(path, mapping);
      return undefined;
    };
    const visitObject = (obj: Record<string, unknown>, prefix: string): EsError | undefined => {
      for (const key of Object.keys(obj)) {
        const parts = splitFieldName(key);
        if (!Array.isArray(parts)) return parts;
        // Dotted keys are objects on the way: `{"a.b": 1}` maps `a` as an object holding `b`.
        let path = prefix;
        for (let i = 0; i < parts.length - 1; i++) {
          path = path ? `${path}.${parts[i]}` : parts[i]!;
          const existing = this.lookup(path);
          if (existing && !isObjectMapping(existing)) {
            const rest = parts
              .slice(i + 1)
              .reduceRight<unknown>((inner, part) => ({ [part]: inner }), obj[key]);
            return checkValue(path, existing, rest, undefined, id);
          }
          if (!existing) {
            const error = record(path, { type: "object", properties: {} });
            if (error) return error;
          }
        }
        const leaf = parts[parts.length - 1]!;
        const error = visitValue(obj[key], path ? `${path}.${leaf}` : leaf, obj, key);
        if (error) return error;
      }
      return undefined;
    };
    const visitValue = (
      value: unknown,
      path: string,
      container: object,
      key: string,
    ): EsError | undefined => {
      if (value === null || value === undefined) return undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const error = visitValue(value[i], path, value, String(i));
          if (error) return error;
        }
        return undefined;
      }
      const existing = this.lookup(path);
      if (typeof value === "object") {
        if (existing && !isObjectMapping(existing)) return checkValue(path, existing, value, undefined, id);
        if (!existing) {
          const error = record(path, { type: "object", properties: {} });
          if (error) return error;
        }
        return visitObject(value as Record<string, unknown>, path);
      }
      const literal = literalOf(numbers, container, key);
      if (existing && isObjectMapping(existing)) {
        const leaf = path.slice(path.lastIndexOf(".") + 1);
        return esError(
          400,
          "document_parsing_exception",
          `[1:2] object mapping for [${path}] tried to parse field [${leaf}] as object, but found a concrete value`,
        );
      }
      if (existing) return checkValue(path, existing, value, literal, id);
      const mapping = inferred(value, literal, this.dateDetection);
      return record(path, mapping) ?? checkValue(path, mapping, value, literal, id);
    };
    const error = visitObject(doc, "");
    return {
      ...(error ? { error } : {}),
      ...(conflict ? { conflict } : {}),
      commit: () => {
        if (error || conflict) return;
        for (const [path, mapping] of dynamic) this.add(path, mapping);
        this.fields += added;
      },
    };
  }

  private add(path: string, mapping: FieldMapping): void {
    const parts = path.split(".");
    let props = this.properties;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i]!;
      if (!Object.hasOwn(props, part)) setOwn(props, part, { type: "object", properties: {} });
      const node = props[part]!;
      node.properties ??= {};
      props = node.properties;
    }
    const leaf = parts[parts.length - 1]!;
    if (!Object.hasOwn(props, leaf))
      setOwn(props, leaf, mapping.type === "object" ? { type: "object", properties: {} } : mapping);
  }
}

/** `target[key] = value`, where `__proto__` is an ordinary key as it is in Elasticsearch. */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
