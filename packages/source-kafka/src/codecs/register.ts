// Registers the compression codecs kafkajs lacks (its table holds throwing placeholders for them):
// LZ4, Snappy and Zstandard; gzip is kafkajs's own. kafkajs keeps codecs in a module-level table
// shared by every client in the process.
import kafkajs from "kafkajs";
import { type CodecOptions, lz4Codec } from "./lz4.js";
import { snappyCodec } from "./snappy.js";
import { zstdCodec } from "./zstd.js";

export function registerCodecs(options: CodecOptions = {}): void {
  const { CompressionCodecs, CompressionTypes } = kafkajs;
  CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec(options);
  CompressionCodecs[CompressionTypes.Snappy] = () => snappyCodec(options);
  CompressionCodecs[CompressionTypes.ZSTD] = () => zstdCodec();
}
