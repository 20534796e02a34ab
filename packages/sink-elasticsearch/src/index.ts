/**
 * The bulk sink and the dead-letter index writer.
 *
 * @module \@sluice/sink-elasticsearch
 */

export { AdaptiveConcurrency, type AdaptiveConcurrencyOptions } from "./concurrency.js";
export {
  checkElasticsearch,
  createClient,
  displayNodes,
  type ElasticsearchConnectionOptions,
  hasCredentials,
} from "./connection.js";
export {
  type DeadLetterDocument,
  deadLetterDocument,
  ElasticsearchDeadLetters,
  type ElasticsearchDeadLettersOptions,
  elasticsearchDeadLetters,
} from "./elasticsearch-dead-letters.js";
export { ElasticsearchSink, type ElasticsearchSinkOptions, elasticsearchSink } from "./elasticsearch-sink.js";
export type { BulkAction } from "./encoder.js";
export { elasticsearchOptionSchemas } from "./option-schemas.js";
export type { IdOption, IndexOption } from "./target.js";
