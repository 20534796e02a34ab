// The Zstandard codec kafkajs lacks, on zstd-wasm (WebAssembly: no native build, no download).
import { compress, decompress, init } from "@bokuweb/zstd-wasm";
import type { KafkaCodec } from "./lz4.js";

let ready: Promise<void> | undefined;

/** Output room when a frame does not state its size (librdkafka's frames do). */
const UNKNOWN_SIZE_CAPACITY = 16 * 1024 * 1024;

/**
 * The Zstandard codec object kafkajs expects in `CompressionCodecs[CompressionTypes.ZSTD]`, compressing at
 * `level` (default 3), on WebAssembly.
 */
export function zstdCodec(level = 3): KafkaCodec {
  const loaded = () => {
    ready ??= init();
    return ready;
  };
  return {
    compress: async (encoder) => {
      await loaded();
      return Buffer.from(compress(encoder.buffer, level));
    },
    decompress: async (buffer) => {
      await loaded();
      const out = decompress(buffer, { defaultHeapSize: UNKNOWN_SIZE_CAPACITY });
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    },
  };
}
