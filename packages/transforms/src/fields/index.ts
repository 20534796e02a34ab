// Field paths, prototype-safe access, Logstash sprintf and tags: what every transform shares.

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
  fieldOption,
  formatFieldPath,
  parseFieldReference,
  type Segment,
} from "./path.js";
export { type DateFormatter, hasReferences, sprintf } from "./sprintf.js";
export { addTag, removeTag } from "./tags.js";
