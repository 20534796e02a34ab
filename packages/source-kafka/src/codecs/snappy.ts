// The Snappy codec kafkajs lacks, on the snappy package: raw Snappy as librdkafka writes it, and the
// xerial framing the Java producer writes (magic, version, then length-prefixed blocks).
import { ErrorCode, SluiceError } from "@sluice/core";
import { compress, uncompress, uncompressSync } from "snappy";
import type { CodecOptions, KafkaCodec } from "./lz4.js";

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** Magic (8 bytes), version (4) and minimum compatible version (4). */
const XERIAL_HEADER = 16;

async function uncompressXerial(
  buffer: Buffer,
  uncompressBlock: (block: Buffer) => Promise<Buffer>,
): Promise<Buffer> {
  const blocks: Buffer[] = [];
  let pos = XERIAL_HEADER;
  while (pos + 4 <= buffer.length) {
    const size = buffer.readUInt32BE(pos);
    pos += 4;
    if (pos + size > buffer.length)
      throw new SluiceError(ErrorCode.KAFKA_CORRUPT, "snappy: truncated xerial block");
    blocks.push(await uncompressBlock(buffer.subarray(pos, pos + size)));
    pos += size;
  }
  return Buffer.concat(blocks);
}

/**
 * The Snappy codec object kafkajs expects in `CompressionCodecs[CompressionTypes.Snappy]`: reads raw Snappy
 * (as librdkafka writes it) and the xerial framing (as the Java producer writes it).
 */
export function snappyCodec(options: CodecOptions = {}): KafkaCodec {
  const uncompressBlock = options.syncDecompress
    ? async (block: Buffer) => uncompressSync(block) as Buffer
    : async (block: Buffer) => (await uncompress(block)) as Buffer;
  return {
    compress: (encoder) => compress(encoder.buffer),
    decompress: (buffer) =>
      buffer.length >= XERIAL_HEADER && buffer.subarray(0, 8).equals(XERIAL_MAGIC)
        ? uncompressXerial(buffer, uncompressBlock)
        : uncompressBlock(buffer),
  };
}
