// The LZ4 codec kafkajs lacks, on lz4-napi: Kafka's LZ4 is the LZ4 frame format.
import { compressFrame, decompressFrame, decompressFrameSync } from "lz4-napi";

export interface KafkaCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** The options of the codecs and of `registerCodecs`. */
export interface CodecOptions {
  /**
   * Decompress on the calling thread: right for the Kafka source's consumer thread, whose work that is,
   * where a hop to libuv's thread pool and back only lengthens each fetch. Default false: off the event
   * loop, on the pool.
   */
  syncDecompress?: boolean;
}

/** The codec object kafkajs expects in `CompressionCodecs[CompressionTypes.LZ4]`. */
export function lz4Codec(options: CodecOptions = {}): KafkaCodec {
  return {
    // lz4-napi's async calls run on libuv's thread pool, off the event loop.
    compress: (encoder) => compressFrame(encoder.buffer),
    decompress: options.syncDecompress
      ? async (buffer) => decompressFrameSync(buffer)
      : (buffer) => decompressFrame(buffer),
  };
}
