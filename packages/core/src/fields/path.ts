// Field paths: Logstash field references (`[a][b]`, `a`) parsed once into a list of segments.
import { ErrorCode, SluiceConfigError, SluiceError } from "../errors.js";

/** A string names an object key (or, on an array, a decimal index); a number is an array index. */
export type Segment = string | number;
/** A field's location from the document root; `[]` is the root itself. */
export type FieldPath = readonly Segment[];

/** Thrown (code `SLUICE_ERR_CONFIG`) when a Logstash field reference in an option cannot be parsed. */
export class FieldReferenceError extends SluiceError {
  /** An error whose message quotes `reference` and says `why` it is invalid. */
  constructor(reference: string, why: string) {
    super(ErrorCode.CONFIG, `invalid field reference ${JSON.stringify(reference)}: ${why}`);
    this.name = "FieldReferenceError";
  }
}

/**
 * Parses a Logstash field reference. A bare name is one top-level key, dots and all (`kubernetes.host`
 * is a key with a dot, as in Logstash); `[a][b]` walks into objects. Like Logstash's strict mode it
 * refuses the ambiguous `a[b]`, empty segments and unbalanced brackets.
 */
export function parseFieldReference(reference: string): FieldPath {
  if (reference.length === 0) throw new FieldReferenceError(reference, "it is empty");
  if (!reference.startsWith("[")) {
    if (reference.includes("[") || reference.includes("]"))
      throw new FieldReferenceError(reference, "brackets must enclose every segment, as in [a][b]");
    return [reference];
  }
  const segments: string[] = [];
  let i = 0;
  while (i < reference.length) {
    if (reference[i] !== "[") throw new FieldReferenceError(reference, `expected "[" at position ${i}`);
    const close = reference.indexOf("]", i + 1);
    if (close < 0) throw new FieldReferenceError(reference, "a bracket is not closed");
    const segment = reference.slice(i + 1, close);
    if (segment.length === 0) throw new FieldReferenceError(reference, "a segment is empty");
    if (segment.includes("[")) throw new FieldReferenceError(reference, "brackets cannot nest");
    segments.push(segment);
    i = close + 1;
  }
  return segments;
}

/** Formats a path back into Logstash's `[a][b]` form, for messages. */
export function formatFieldPath(path: FieldPath): string {
  return path.map((segment) => `[${segment}]`).join("");
}

/** Parses a field reference given as an option; a malformed one fails construction naming the option. */
export function fieldOption(component: string, option: string, reference: string): FieldPath {
  try {
    return parseFieldReference(reference);
  } catch (error) {
    throw new SluiceConfigError(component, option, (error as Error).message);
  }
}
