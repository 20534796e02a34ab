/**
 * The Kafka source (kafkajs, LZ4 through lz4-napi) and Kafka dead letters.
 *
 * @module \@sluice/source-kafka
 */
export { lz4Codec } from "./codecs/lz4.js";
export { type CodecOptions, registerCodecs } from "./codecs/register.js";
export { snappyCodec } from "./codecs/snappy.js";
export { zstdCodec } from "./codecs/zstd.js";
export { type KafkaConnectionOptions, kafkaClientConfig } from "./connection.js";
export {
  type DeadLetterCompression,
  deadLetterHeaders,
  KafkaDeadLetters,
  type KafkaDeadLettersOptions,
  kafkaDeadLetters,
} from "./kafka-dead-letters.js";
export { type KafkaMetadataOptions, kafkaMetadata } from "./kafka-metadata.js";
export { type Backlog, KafkaSource, kafkaSource } from "./kafka-source.js";
export { kafkaOptionSchemas } from "./option-schemas.js";
export type { KafkaSourceOptions } from "./options.js";
