// The LZ4 codec kafkajs lacks, on lz4-napi: Kafka's LZ4 is the LZ4 frame format.
import { compressFrame, decompressFrame } from "lz4-napi";

export interface KafkaCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** The codec object kafkajs expects in `CompressionCodecs[CompressionTypes.LZ4]`. */
export function lz4Codec(): KafkaCodec {
  return {
    // lz4-napi's async calls run on libuv's thread pool, off the event loop.
    compress: (encoder) => compressFrame(encoder.buffer),
    decompress: (buffer) => decompressFrame(buffer),
  };
}
