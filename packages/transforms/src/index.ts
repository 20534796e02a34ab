/**
 * Stages that parse and reshape log records.
 *
 * @module \@sluice/transforms
 */
export { type EpochToIsoOptions, epochSecondsToIso, epochToIso } from "./epoch-to-iso.js";
export {
  addTag,
  deleteField,
  type FieldPath,
  FieldReferenceError,
  fieldOption,
  getField,
  hasField,
  hasReferences,
  isUnsafeKey,
  parseFieldReference,
  removeTag,
  type Segment,
  setField,
  setOwn,
  sprintf,
} from "./fields/index.js";
export { type ReplaceDotsOptions, replaceDots } from "./fluent-bit/replace-dots.js";
export {
  epochTextToIso,
  type FluentBitToElasticsearchOptions,
  fluentBitToElasticsearch,
} from "./fluent-bit/to-elasticsearch.js";
export { type DateOptions, date } from "./logstash/date.js";
export type { FailureMode } from "./logstash/failure.js";
export { type JsonOptions, json } from "./logstash/json.js";
export {
  type Conversion,
  type HashOption,
  type ListOption,
  type MutateOptions,
  mutate,
} from "./logstash/mutate.js";
export { type PlainOptions, plain } from "./logstash/plain.js";
export { transformOptionSchemas } from "./option-schemas.js";
export { type JsonObject, type ParseJsonOptions, parseJson } from "./parse-json.js";
export { type FilterOptions, filter, type Predicate, type RouteOptions, route, routeOf } from "./route.js";
export {
  compileIso8601Parser,
  compileJodaFormatter,
  compileJodaParser,
  formatJoda,
  type Instant,
  instantToIso,
  type JodaOptions,
  type JodaParser,
  JodaPatternError,
  parseTai64n,
  resolveZone,
  unixMillisToIso,
  unixSecondsToIso,
  type Zone,
} from "./time/index.js";
export { type ValidateSchemaOptions, validateSchema } from "./validate-schema.js";
export {
  compileVrl,
  type RemapOptions,
  remap,
  type TimestampUnit,
  type VectorKafkaEventOptions,
  VrlAbort,
  VrlError,
  VrlTimestamp,
  vectorKafkaEvent,
  vrl,
} from "./vector/index.js";
