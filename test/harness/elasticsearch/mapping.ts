// Dynamic mapping as Elasticsearch 8 does it: types inferred on first sight, conflicts refused per document.
import { type EsError, esError } from "./errors.js";

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

function preview(value: unknown): string {
  if (value !== null && typeof value === "object") return JSON.stringify(value).replace(/"/g, "");
  return String(value);
}

function parseError(path: string, type: string, id: string, value: unknown, cause: string): EsError {
  return esError(
    400,
    "document_parsing_exception",
    `[1:2] failed to parse field [${path}] of type [${type}] in document with id '${id}'. Preview of field's value: '${preview(value)}'`,
    { caused_by: { type: "illegal_argument_exception", reason: cause } },
  );
}

/** Checks a concrete value against an existing field type. */
function checkValue(path: string, mapping: FieldMapping, value: unknown, id: string): EsError | undefined {
  const type = mapping.type ?? "object";
  if (INTEGRAL.has(type)) {
    if (typeof value === "number") return undefined;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return undefined;
    if (typeof value === "boolean" || typeof value === "string")
      return parseError(path, type, id, value, `For input string: "${String(value)}"`);
  } else if (NUMERIC.has(type)) {
    if (typeof value === "number") return undefined;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return undefined;
    return parseError(path, type, id, value, `For input string: "${String(value)}"`);
  } else if (type === "boolean") {
    if (typeof value === "boolean" || value === "true" || value === "false" || value === "") return undefined;
    return parseError(
      path,
      type,
      id,
      value,
      `Failed to parse value [${String(value)}] as only [true] or [false] are allowed.`,
    );
  } else if (type === "date") {
    if (parseDate(value) !== undefined) return undefined;
    return parseError(
      path,
      type,
      id,
      value,
      `failed to parse date field [${String(value)}] with format [strict_date_optional_time||epoch_millis]`,
    );
  }
  return undefined;
}

function inferred(value: unknown, dateDetection: boolean): FieldMapping {
  if (typeof value === "boolean") return { type: "boolean" };
  if (typeof value === "number") return Number.isInteger(value) ? { type: "long" } : { type: "float" };
  if (typeof value === "string" && dateDetection && looksLikeDate(value)) return { type: "date" };
  return { type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } };
}

/** The mapping of one index: its field tree, grown by dynamic mapping. */
export class IndexMapping {
  properties: Record<string, FieldMapping>;
  dateDetection: boolean;

  constructor(explicit?: { properties?: Record<string, FieldMapping>; date_detection?: boolean }) {
    this.properties = structuredClone(explicit?.properties ?? {});
    this.dateDetection = explicit?.date_detection ?? true;
  }

  toJSON(): Record<string, unknown> {
    return { properties: this.properties };
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
   * Checks `doc` against the mapping, adding the fields it introduces. On a conflict nothing is added
   * and the error (400 document_parsing_exception, naming the field) is returned.
   */
  apply(doc: Record<string, unknown>, id: string): EsError | undefined {
    const added = new Map<string, FieldMapping>();
    const get = (path: string) => added.get(path) ?? this.lookup(path);
    const visit = (obj: Record<string, unknown>, prefix: string): EsError | undefined => {
      for (const key of Object.keys(obj)) {
        if (key === "" || /^\.|\.$|\.\./.test(key) || key.trim() === "")
          return esError(400, "document_parsing_exception", `[1:2] field name cannot be an empty string`);
        const path = prefix ? `${prefix}.${key}` : key;
        // Dotted keys are objects on the way: `{"a.b": 1}` maps `a` as an object holding `b`.
        const parts = path.split(".");
        for (let i = 1; i < parts.length; i++) {
          const parent = parts.slice(0, i).join(".");
          const existing = get(parent);
          if (!existing) added.set(parent, { type: "object", properties: {} });
          else if (existing.type && existing.type !== "object" && existing.type !== "nested")
            return parseError(parent, existing.type, id, obj[key], `Can't get text on a START_OBJECT`);
        }
        const error = visitValue(obj[key], path);
        if (error) return error;
      }
      return undefined;
    };
    const visitValue = (value: unknown, path: string): EsError | undefined => {
      if (value === null || value === undefined) return undefined;
      if (Array.isArray(value)) {
        for (const item of value) {
          const error = visitValue(item, path);
          if (error) return error;
        }
        return undefined;
      }
      const existing = get(path);
      if (typeof value === "object") {
        if (existing?.type && existing.type !== "object" && existing.type !== "nested")
          return parseError(path, existing.type, id, value, `Can't get text on a START_OBJECT`);
        if (!existing) added.set(path, { type: "object", properties: {} });
        return visit(value as Record<string, unknown>, path);
      }
      if (
        existing &&
        (existing.type === undefined || existing.type === "object" || existing.type === "nested")
      ) {
        const leaf = path.slice(path.lastIndexOf(".") + 1);
        return esError(
          400,
          "document_parsing_exception",
          `[1:2] object mapping for [${path}] tried to parse field [${leaf}] as object, but found a concrete value`,
        );
      }
      if (existing) return checkValue(path, existing, value, id);
      added.set(path, inferred(value, this.dateDetection));
      return undefined;
    };
    const error = visit(doc, "");
    if (error) return error;
    for (const [path, mapping] of added) this.add(path, mapping);
    return undefined;
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
