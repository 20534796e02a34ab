// Field names and values as mutate reads them: fixed paths parsed once, `%{}` templates per event.
import {
  type FieldPath,
  fieldOption,
  formatFieldPath,
  hasReferences,
  parseFieldReference,
  setField,
  sprintf,
} from "../../fields/index.js";
import { COMPONENT } from "./options.js";
import { MutateError } from "./ruby.js";

type JsonObject = Record<string, unknown>;
export type PathOf = (doc: JsonObject) => FieldPath;

/** A field name that may hold `%{}` references (rename, add_field, remove_field): parsed after sprintf. */
export function dynamicPath(option: string, reference: string): PathOf {
  if (!hasReferences(reference)) {
    const path = fieldOption(COMPONENT, option, reference);
    return () => path;
  }
  const name = sprintf(reference);
  // An interpolated name that is not a valid reference fails the event, as Logstash raises there.
  return (doc) => parseFieldReference(name(doc));
}

/** Sets a field or throws: Logstash raises when a scalar stands where an object is needed. */
export function put(doc: JsonObject, path: FieldPath, value: unknown): void {
  if (!setField(doc, path, value))
    throw new MutateError(
      "set_error",
      `cannot set ${formatFieldPath(path)}: a non-object value is in the way`,
    );
}

/** A `%{}` template split into literal text and the field paths it references, for gsub's patterns. */
export type TemplatePart = string | { path: FieldPath; literal: string };

export function templateParts(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of template.matchAll(/%\{([^}]+)\}/g)) {
    if (match.index > last) parts.push(template.slice(last, match.index));
    last = match.index + match[0].length;
    let path: FieldPath | undefined;
    try {
      path = match[1]!.startsWith("+") ? undefined : parseFieldReference(match[1]!);
    } catch {
      path = undefined;
    }
    parts.push(path ? { path, literal: match[0] } : match[0]);
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

/** A value as sprintf prints it: strings as is, arrays comma-joined, objects as JSON. */
export function printed(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value))
    return value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(",");
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  return String(value);
}
