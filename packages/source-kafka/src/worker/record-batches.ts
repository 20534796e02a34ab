// kafkajs's record batch decoder (Fetch responses, message format v2), made cheaper for the consumer
// thread: the same records, field for field, without two decoders, a slice of the record and six Long
// operations per record. kafkajs 2.2.4 turns every record's offset and timestamp into a Long, adds the
// batch's base to it and prints it back (Long's toString divides in 64 bits), which is most of what a
// record costs it. Here they are doubles wherever the sums are exact (every offset and timestamp below
// 2^53). A record the fast path does not cover (headers, a delta of more than 7 varint bytes, an
// offset beyond 2^53, bytes that do not add up) is decoded by kafkajs's own record decoder, so what
// comes out is always what kafkajs would have made. Three things differ, all in what it refuses or how
// fast. A batch whose CRC-32C does not match its bytes is refused (CorruptBatchError), as the Java
// consumer refuses it by default (`check.crcs`): kafkajs does not check. Headers are folded into their
// object in linear time, where kafkajs's fold is quadratic in their number. And a record that claims
// more headers than its bytes can hold is refused (CorruptRecordError) rather than read: kafkajs would
// make up an empty header for every byte missing.
import { createRequire, Module } from "node:module";
import { dirname, join } from "node:path";
import { crc32c } from "@node-rs/crc32";
import { ErrorCode, SluiceError } from "@sluice/core";
import type { DecoderStatus } from "./messages.js";

const require = createRequire(import.meta.url);

/** The kafkajs release whose decoder this one replaces; another keeps its own. */
export const KAFKAJS_VERSION = "2.2.4";

const root = dirname(require.resolve("kafkajs/package.json"));
const internal = (path: string) => join(root, "src", path);
/** The module that decodeMessages (Fetch v4 and later) requires for each record batch. */
export const RECORD_BATCH_DECODER = internal("protocol/recordBatch/v0/decoder.js");

// kafkajs's internals (CommonJS, untyped): what its own record batch decoder uses.
type KafkaDecoder = {
  buffer: Buffer;
  offset: number;
  readInt8(): number;
  readInt16(): number;
  readInt32(): number;
  readInt64(): bigint;
  readAll(): Buffer;
  readVarInt(): number;
  readVarLong(): unknown;
  readVarIntBytes(): Buffer | null;
  readVarIntArray<T>(reader: (decoder: KafkaDecoder) => T): T[];
  slice(size: number): KafkaDecoder;
  forward(size: number): void;
};
type DecoderClass = new (buffer: Buffer | null) => KafkaDecoder;
type Codec = { decompress(buffer: Buffer): Promise<Buffer> | Buffer };
const Decoder = require(internal("protocol/decoder.js")) as DecoderClass;
const { KafkaJSPartialMessageError } = require(internal("errors.js")) as {
  KafkaJSPartialMessageError: new (message: string) => Error;
};
const { lookupCodecByAttributes } = require(internal("protocol/message/compression/index.js")) as {
  lookupCodecByAttributes(attributes: number): Codec | null;
};
const { LOG_APPEND_TIME, CREATE_TIME } = require(internal("protocol/timestampTypes.js")) as Record<
  string,
  number
>;
const decodeRecordStock = require(internal("protocol/recordBatch/record/v0/decoder.js")) as (
  decoder: KafkaDecoder,
  context: RecordContext,
) => DecodedRecord;

const TIMESTAMP_TYPE_FLAG_MASK = 0x8;
const TRANSACTIONAL_FLAG_MASK = 0x10;
const CONTROL_FLAG_MASK = 0x20;

interface RecordContext {
  firstOffset: string;
  firstTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  maxTimestamp: string;
  timestampType: number;
  magicByte: number;
}

/**
 * A record that cannot be what a producer wrote: it claims more headers than the bytes after its header
 * count can hold (each takes two at least, its name's length and its value's). The Java consumer's
 * CorruptRecordException: the fetch fails there, loudly, and is retried.
 */
export class CorruptRecordError extends SluiceError {
  override readonly name = "CorruptRecordError";

  constructor(
    /** The record's offset as kafkajs would print it. */
    readonly offset: string,
    /** The header count it claims. */
    readonly headers: number,
    /** Its length in bytes. */
    readonly length: number,
  ) {
    super(
      ErrorCode.KAFKA_CORRUPT,
      `Corrupt record at offset ${offset}: it claims ${headers} headers in ${length} bytes`,
    );
  }
}

/**
 * A record batch whose bytes are not those its producer sealed: the CRC-32C they sum to is not the one
 * it carries. The Java consumer's CorruptRecordException for a batch: the fetch fails there, loudly.
 */
export class CorruptBatchError extends SluiceError {
  override readonly name = "CorruptBatchError";

  constructor(
    /** The batch's base offset. */
    readonly offset: string,
    /** The CRC-32C the batch carries, as an unsigned 32-bit number. */
    readonly stored: number,
    /** The CRC-32C of its bytes. */
    readonly computed: number,
  ) {
    super(
      ErrorCode.KAFKA_CORRUPT,
      `Corrupt record batch at offset ${offset}: its bytes sum to CRC-32C ${hex(computed)}, it carries ${hex(stored)}`,
    );
  }
}

const hex = (crc: number) => `0x${crc.toString(16).padStart(8, "0")}`;

/** Where a batch's CRC stands, after its leader epoch (int32) and magic byte; it sums what follows. */
const CRC_AT = 5;
const CRC_END = CRC_AT + 4;

/** A record as kafkajs's record decoder makes it. */
interface DecodedRecord {
  magicByte: number;
  attributes: number;
  timestamp: string;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, unknown>;
  isControlRecord: boolean;
  batchContext: RecordContext;
}

/** The same answer as kafkajs's decoder (`protocol/recordBatch/v0/decoder.js`) for one record batch. */
export async function decodeRecordBatch(fetchDecoder: KafkaDecoder) {
  const firstOffset = fetchDecoder.readInt64().toString();
  const length = fetchDecoder.readInt32();
  const decoder = fetchDecoder.slice(length);
  fetchDecoder.forward(length);
  const remainingBytes = Buffer.byteLength(decoder.buffer);
  if (remainingBytes < length)
    throw new KafkaJSPartialMessageError(
      `Tried to decode a partial record batch: remainingBytes(${remainingBytes}) < recordBatchLength(${length})`,
    );
  // A batch too short to carry a CRC is left to kafkajs's reads below to fail on, as before.
  const batch = decoder.buffer;
  if (batch.length >= CRC_END) {
    const stored = batch.readUInt32BE(CRC_AT);
    const computed = crc32c(batch.subarray(CRC_END));
    if (computed !== stored) throw new CorruptBatchError(firstOffset, stored, computed);
  }
  const partitionLeaderEpoch = decoder.readInt32();
  const magicByte = decoder.readInt8();
  decoder.readInt32(); // the CRC, checked above
  const attributes = decoder.readInt16();
  const lastOffsetDelta = decoder.readInt32();
  const firstTimestamp = decoder.readInt64().toString();
  const maxTimestamp = decoder.readInt64().toString();
  const producerId = decoder.readInt64().toString();
  const producerEpoch = decoder.readInt16();
  const firstSequence = decoder.readInt32();
  const recordContext = {
    firstOffset,
    firstTimestamp,
    partitionLeaderEpoch,
    inTransaction: (attributes & TRANSACTIONAL_FLAG_MASK) > 0,
    isControlBatch: (attributes & CONTROL_FLAG_MASK) > 0,
    lastOffsetDelta,
    producerId,
    producerEpoch,
    firstSequence,
    maxTimestamp,
    timestampType: (attributes & TIMESTAMP_TYPE_FLAG_MASK) > 0 ? LOG_APPEND_TIME! : CREATE_TIME!,
  };
  const codec = lookupCodecByAttributes(attributes);
  const records = await decodeRecords(codec, decoder, { ...recordContext, magicByte });
  return { ...recordContext, records };
}

async function decodeRecords(
  codec: Codec | null,
  recordsDecoder: KafkaDecoder,
  context: RecordContext,
): Promise<DecodedRecord[]> {
  const count = recordsDecoder.readInt32();
  if (!codec) {
    if (count === -1) return [];
    return readRecords(recordsDecoder, count, context);
  }
  if (count <= 0) return [];
  const decompressed = await codec.decompress(recordsDecoder.readAll());
  return readRecords(new Decoder(decompressed), count, context);
}

/** `count` records from where `decoder` stands, each the length-prefixed bytes kafkajs reads. */
function readRecords(decoder: KafkaDecoder, count: number, context: RecordContext): DecodedRecord[] {
  const records: DecodedRecord[] = new Array(count);
  const reader = new RecordReader(decoder.buffer, context);
  for (let i = 0; i < count; i++) {
    const record = reader.read(decoder.offset);
    if (record) {
      records[i] = record;
      decoder.offset = reader.at;
    } else {
      const bytes = refuseHeaderFlood(decoder.readVarIntBytes(), context);
      records[i] = decodeRecordWithHeaders(new Decoder(bytes), context);
    }
  }
  return records;
}

/**
 * kafkajs's record decoder, except that the headers it reads are folded in time linear in their number:
 * its own fold copies the object for every header. Each of its reads is its own, so what it reads, and
 * any error it throws, stay kafkajs's.
 */
function decodeRecordWithHeaders(decoder: KafkaDecoder, context: RecordContext): DecodedRecord {
  const readArray = decoder.readVarIntArray;
  let headers: Record<string, unknown> = {};
  // kafkajs's record decoder reads only its headers as an array. They are folded here, and kafkajs is
  // handed an empty array, which it folds into an empty object.
  decoder.readVarIntArray = <T>(reader: (decoder: KafkaDecoder) => T): T[] => {
    headers = foldHeaders(readArray.call(decoder, reader) as HeaderPair[]);
    return [];
  };
  const record = decodeRecordStock(decoder, context);
  record.headers = headers;
  return record;
}

interface HeaderPair {
  key: string;
  value: Buffer | null;
}

/**
 * The object kafkajs's fold makes of the headers: a name's first value as itself, later ones gathered in
 * an array. As in kafkajs, a name is new when the object reads `undefined` for it, prototype included
 * (`toString` becomes `[Object.prototype.toString, value]`, `__proto__` `[Object.prototype, value]`),
 * and every name is an own property, `__proto__` too.
 */
function foldHeaders(pairs: HeaderPair[]): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const { key, value } of pairs) {
    const prior = headers[key];
    if (Array.isArray(prior)) prior.push(value);
    else {
      const folded = prior === undefined ? value : [prior, value];
      Object.defineProperty(headers, key, {
        value: folded,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }
  return headers;
}

/**
 * The record's bytes, unless they claim more headers than they can hold: read up to the header count with
 * kafkajs's own Decoder, as its record decoder reads them (where that would throw, kafkajs's decoder is
 * left to throw the same).
 */
function refuseHeaderFlood(bytes: Buffer | null, context: RecordContext): Buffer | null {
  if (!bytes) return bytes;
  const decoder = new Decoder(bytes);
  let headers: number;
  let offsetDelta: number;
  try {
    decoder.readInt8();
    decoder.readVarLong();
    offsetDelta = decoder.readVarInt();
    decoder.readVarIntBytes();
    decoder.readVarIntBytes();
    headers = decoder.readVarInt();
  } catch {
    return bytes;
  }
  // A count read past the record's end is 0; one below 0, kafkajs refuses itself (an Array's length).
  if (headers <= 0 || headers * 2 <= bytes.length - decoder.offset) return bytes;
  throw new CorruptRecordError(
    String(BigInt(context.firstOffset) + BigInt(offsetDelta)),
    headers,
    bytes.length,
  );
}

/** Reads records of one batch off its (decompressed) bytes, or declines one for kafkajs to decode. */
class RecordReader {
  /** Where reading stands: after a record read, its end. */
  at = 0;
  private readonly firstOffset: number;
  private readonly firstTimestamp: number;
  /** The batch's max timestamp stands for every record's (LOG_APPEND_TIME), else undefined. */
  private readonly appendTime: string | undefined;

  constructor(
    private readonly buffer: Buffer,
    private readonly context: RecordContext,
  ) {
    this.firstOffset = Number(context.firstOffset);
    this.firstTimestamp = Number(context.firstTimestamp);
    this.appendTime =
      context.timestampType === LOG_APPEND_TIME && context.maxTimestamp ? context.maxTimestamp : undefined;
  }

  /** The record whose length prefix starts at `start`, or undefined for kafkajs's decoder to read. */
  read(start: number): DecodedRecord | undefined {
    const buffer = this.buffer;
    this.at = start;
    const length = this.varInt();
    const end = this.at + length;
    // A record holds its attributes byte at least; one that does not is kafkajs's to fail on.
    if (length < 1 || end > buffer.length) return undefined;
    const attributes = buffer.readInt8(this.at++);
    const timestampDelta = this.smallVarLong();
    if (Number.isNaN(timestampDelta)) return undefined;
    const offsetDelta = this.varInt();
    const offset = this.firstOffset + offsetDelta;
    const timestamp = this.firstTimestamp + timestampDelta;
    if (!Number.isSafeInteger(offset) || (this.appendTime === undefined && !Number.isSafeInteger(timestamp)))
      return undefined;
    const key = this.bytes();
    const value = this.bytes();
    // No headers (-1 reads as none, as kafkajs reads it); a record with some is kafkajs's to decode.
    const headers = this.varInt();
    if ((headers !== 0 && headers !== -1) || key === undefined || value === undefined || this.at > end)
      return undefined;
    this.at = end;
    const context = this.context;
    return {
      magicByte: context.magicByte,
      attributes,
      timestamp: this.appendTime ?? String(timestamp),
      offset: String(offset),
      key,
      value,
      headers: {},
      isControlRecord: context.isControlBatch,
      batchContext: context,
    };
  }

  /** A zigzag varint, computed exactly as kafkajs's Decoder.readVarInt computes it. */
  private varInt(): number {
    const buffer = this.buffer;
    let byte: number;
    let result = 0;
    let shift = 0;
    do {
      byte = buffer[this.at++]!;
      result += (byte & 0x7f) << shift;
      shift += 7;
    } while (byte >= 0x80);
    return (result >>> 1) ^ -(result & 1);
  }

  /** A zigzag varlong of at most 7 bytes (below 2^49, exact in a double); NaN for a longer one. */
  private smallVarLong(): number {
    const buffer = this.buffer;
    let byte: number;
    let result = 0;
    let scale = 1;
    let n = 0;
    do {
      if (n++ === 7) return Number.NaN;
      byte = buffer[this.at++]!;
      result += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte >= 0x80);
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  /** Length-prefixed bytes: null for length -1, undefined (declined) for other negative lengths. */
  private bytes(): Buffer | null | undefined {
    const length = this.varInt();
    if (length === -1) return null;
    if (length < 0) return undefined;
    const start = this.at;
    this.at += length;
    return this.buffer.subarray(start, this.at);
  }
}

/** What is off while kafkajs decodes record batches itself (another kafkajs release than KAFKAJS_VERSION). */
export const LOST_WITHOUT_DECODER = [
  "the CRC-32C check of record batches",
  "the linear header fold",
  "the refusal of records claiming more headers than their bytes hold",
];

/** The kafkajs release installed beside this package. */
export function installedKafkajsVersion(): string {
  return (require(join(root, "package.json")) as { version: string }).version;
}

/**
 * Whether the kafkajs a module imported (`loaded`) is another copy than the one in Node's module cache
 * that this file changes: a bundler that inlined kafkajs made one, and the changes never reach it.
 */
export function isBundledKafkajs(loaded: unknown): boolean {
  try {
    return require("kafkajs") !== loaded;
  } catch {
    return true;
  }
}

/** Whether decodeRecordBatch may stand in for the record batch decoder of this kafkajs release. */
export function decoderFits(kafkajsVersion: string): boolean {
  return kafkajsVersion === KAFKAJS_VERSION;
}

/**
 * Makes kafkajs, in this thread, decode record batches with decodeRecordBatch. It must run before
 * kafkajs first requires its decoder (the Fetch request's module does, at the first fetch). Says whether
 * the decoder is in place: not for a kafkajs release (`kafkajsVersion`, the installed one's by default)
 * other than the one it was written for, nor for a copy of kafkajs bundled into the thread's file.
 */
export function useFastRecordBatches(
  kafkajsVersion = installedKafkajsVersion(),
  bundled = false,
): DecoderStatus {
  const status = (patched: boolean): DecoderStatus => ({
    patched,
    kafkajs: kafkajsVersion,
    writtenFor: KAFKAJS_VERSION,
    bundled,
    lost: patched ? [] : LOST_WITHOUT_DECODER,
  });
  if (bundled) return status(false);
  const cached = require.cache[RECORD_BATCH_DECODER];
  if (cached) return status(cached.exports === decodeRecordBatch);
  if (!decoderFits(kafkajsVersion)) return status(false);
  const module = new Module(RECORD_BATCH_DECODER);
  module.filename = RECORD_BATCH_DECODER;
  module.loaded = true;
  module.exports = decodeRecordBatch;
  require.cache[RECORD_BATCH_DECODER] = module;
  return status(true);
}
