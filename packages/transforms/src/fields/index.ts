// Field paths, prototype-safe access and Logstash sprintf (core's, shared with the sink) and tags: what
// every transform shares.

export {
  deleteField,
  type FieldPath,
  FieldReferenceError,
  fieldOption,
  formatFieldPath,
  getField,
  hasField,
  isDocumentObject as isPlainObject,
  isUnsafeKey,
  parseFieldReference,
  type Segment,
  setField,
  setOwn,
} from "@sluice/core";
export { type DateFormatter, hasReferences, sprintf } from "./sprintf.js";
export { addTag, removeTag } from "./tags.js";
