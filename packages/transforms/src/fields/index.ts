// Field paths, prototype-safe access, Logstash sprintf and tags: what every transform shares.
import { SluiceConfigError } from "@sluice/core";
import { type FieldPath, parseFieldReference } from "./path.js";

export {
  deleteField,
  getField,
  hasField,
  isPlainObject,
  isUnsafeKey,
  setField,
  setOwn,
} from "./access.js";
export {
  type FieldPath,
  FieldReferenceError,
  formatFieldPath,
  parseFieldReference,
  type Segment,
} from "./path.js";
export { type DateFormatter, hasReferences, sprintf } from "./sprintf.js";
export { addTag, removeTag } from "./tags.js";

/** Parses a field reference given as an option; a malformed one fails construction naming the option. */
export function fieldOption(component: string, option: string, reference: string): FieldPath {
  try {
    return parseFieldReference(reference);
  } catch (error) {
    throw new SluiceConfigError(component, option, (error as Error).message);
  }
}
