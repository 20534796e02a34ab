// Registers the compression codecs kafkajs lacks (its table holds throwing placeholders for them):
// LZ4, Snappy and Zstandard; gzip is kafkajs's own. kafkajs keeps codecs in a module-level table shared
// by every client of its thread, so only Sluice's consumer thread registers them on its own.
import kafkajs from "kafkajs";
import { type CodecOptions, lz4Codec } from "./lz4.js";
import { snappyCodec } from "./snappy.js";
import { zstdCodec } from "./zstd.js";

export type { CodecOptions };

/**
 * Puts LZ4, Snappy and Zstandard in kafkajs's codec table of the calling thread, for the application's
 * own kafkajs clients (and `kafkaDeadLetters({ compression: "lz4" })`); Sluice's source needs none of it.
 */
export function registerCodecs(options: CodecOptions = {}): void {
  const { CompressionCodecs, CompressionTypes } = kafkajs;
  CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec(options);
  CompressionCodecs[CompressionTypes.Snappy] = () => snappyCodec(options);
  CompressionCodecs[CompressionTypes.ZSTD] = () => zstdCodec();
}
