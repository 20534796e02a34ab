// @sluice/sink-elasticsearch: the bulk sink and the dead-letter index writer.
export type { ElasticsearchConnectionOptions } from "./connection.js";
export {
  type DeadLetterDocument,
  deadLetterDocument,
  ElasticsearchDeadLetters,
  type ElasticsearchDeadLettersOptions,
  elasticsearchDeadLetters,
} from "./elasticsearch-dead-letters.js";
export { ElasticsearchSink, type ElasticsearchSinkOptions, elasticsearchSink } from "./elasticsearch-sink.js";
export type { BulkAction, IdStrategy, IndexResolver } from "./encoder.js";
