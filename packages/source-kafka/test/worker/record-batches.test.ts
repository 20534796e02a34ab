// The consumer thread's record batch decoder against kafkajs's own, on batches kafkajs's encoder writes:
// every record must come out exactly as kafkajs would have made it.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { crc32c } from "@node-rs/crc32";
import fc from "fast-check";
import kafkajs from "kafkajs";
import { describe, expect, it } from "vitest";
import { registerCodecs } from "../../src/codecs/register.js";
import {
  CorruptBatchError,
  decodeRecordBatch,
  decoderFits,
  isBundledKafkajs,
  KAFKAJS_VERSION,
  LOST_WITHOUT_DECODER,
  RECORD_BATCH_DECODER,
  useFastRecordBatches,
} from "../../src/worker/record-batches.js";

const require = createRequire(import.meta.url);
const root = dirname(require.resolve("kafkajs/package.json"));
const internal = (path: string) => require(join(root, "src", path));
const Decoder = internal("protocol/decoder.js");
const Long = internal("utils/long.js");
const encodeBatch = internal("protocol/recordBatch/v0/index.js").RecordBatch;
const encodeRecord = internal("protocol/recordBatch/record/v0/index.js");
const { CompressionTypes } = kafkajs;

registerCodecs({ syncDecompress: true });

interface RecordSpec {
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | Buffer[]>;
  offsetDelta: number;
  timestampDelta: number;
}

interface BatchSpec {
  records: RecordSpec[];
  firstOffset?: string;
  firstTimestamp?: number;
  compression?: number;
  /** Attribute bits set after encoding: 0x08 LOG_APPEND_TIME, 0x10 transactional, 0x20 control. */
  flags?: number;
}

/** A record batch's bytes as a Fetch response carries them (base offset, length, batch). */
async function batchBytes(spec: BatchSpec): Promise<Buffer> {
  const records = spec.records.map((r) => encodeRecord(r));
  const last = spec.records.reduce((max, r) => Math.max(max, r.offsetDelta), 0);
  const encoder = await encodeBatch({
    compression: spec.compression ?? CompressionTypes.None,
    firstOffset: Long.fromString(spec.firstOffset ?? "0"),
    firstTimestamp: spec.firstTimestamp ?? 1_732_492_800_000,
    maxTimestamp: (spec.firstTimestamp ?? 1_732_492_800_000) + 5000,
    lastOffsetDelta: last,
    records,
  });
  const bytes = Buffer.from(encoder.buffer);
  if (spec.flags) bytes.writeInt16BE(bytes.readInt16BE(ATTRIBUTES_AT) | spec.flags, ATTRIBUTES_AT);
  return reseal(bytes);
}

// In a Fetch response's record batch: base offset 8, length 4, leader epoch 4, magic 1, then the CRC-32C
// of everything after it, which starts with the attributes (int16).
const CRC_AT = 17;
const ATTRIBUTES_AT = 21;

/** The batch with its CRC-32C made that of its bytes again, as a producer sealing them would. */
function reseal(bytes: Buffer): Buffer {
  bytes.writeUInt32BE(crc32c(bytes.subarray(ATTRIBUTES_AT)), CRC_AT);
  return bytes;
}

// kafkajs's own decoder, to compare with; out of the module cache again, so that installing ours is not
// refused as too late.
const stock = internal("protocol/recordBatch/v0/decoder.js");
delete require.cache[RECORD_BATCH_DECODER];

async function both(bytes: Buffer) {
  const ours = await decodeRecordBatch(new Decoder(bytes));
  const theirs = await stock(new Decoder(bytes));
  return { ours, theirs };
}

const value = (text: string) => Buffer.from(text);
const plain = (n: number): RecordSpec[] =>
  Array.from({ length: n }, (_, i) => ({
    key: null,
    value: value(`{"@timestamp":1732492800.${i},"log":"line ${i}"}`),
    offsetDelta: i,
    timestampDelta: i * 7,
  }));

describe("record batch decoder", () => {
  for (const [name, compression] of [
    ["uncompressed", CompressionTypes.None],
    ["LZ4", CompressionTypes.LZ4],
    ["gzip", CompressionTypes.GZIP],
  ] as const) {
    it(`gives kafkajs's records for a ${name} batch`, async () => {
      const { ours, theirs } = await both(await batchBytes({ records: plain(200), compression }));
      expect(ours.records).toHaveLength(200);
      expect(ours).toEqual(theirs);
      expect(ours.records[199]).toMatchObject({
        offset: "199",
        timestamp: String(1_732_492_800_000 + 199 * 7),
      });
    });
  }

  it("keeps keys, null values and headers (repeated names become arrays, __proto__ stays a name)", async () => {
    const records: RecordSpec[] = [
      { key: value("k1"), value: value("v1"), offsetDelta: 0, timestampDelta: 0 },
      { key: null, value: null, offsetDelta: 1, timestampDelta: -3 },
      {
        key: value(""),
        value: value(""),
        // A computed key, so that `__proto__` is a header rather than the prototype of this object.
        headers: {
          trace: value("abc"),
          twice: [value("a"), value("b")],
          ["__proto__"]: value("p"),
          toString: [value("t1"), value("t2")],
        },
        offsetDelta: 2,
        timestampDelta: 1,
      },
      { key: value("k4"), value: value("after headers"), offsetDelta: 3, timestampDelta: 2 },
    ];
    const { ours, theirs } = await both(await batchBytes({ records, compression: CompressionTypes.LZ4 }));
    expect(ours).toEqual(theirs);
    expect(ours.records[1]).toMatchObject({ key: null, value: null });
    expect(ours.records[2]!.headers.twice).toEqual([value("a"), value("b")]);
    expect(Object.getPrototypeOf(ours.records[2]!.headers)).toBe(Object.prototype);
    // As kafkajs has it: a name the prototype answers for is taken for a repeat, its first value the
    // prototype's (an own property all the same).
    const own = (name: string) => Object.getOwnPropertyDescriptor(ours.records[2]!.headers, name)?.value;
    expect(own("__proto__")).toEqual([Object.prototype, value("p")]);
    expect(own("toString")).toEqual([Object.prototype.toString, value("t1"), value("t2")]);
    expect(ours.records[3]!.value).toEqual(value("after headers"));
  });

  it("gives offsets beyond 2^53 exactly, as kafkajs's Long arithmetic does", async () => {
    const { ours, theirs } = await both(
      await batchBytes({ records: plain(3), firstOffset: "9007199254740990" }),
    );
    expect(ours).toEqual(theirs);
    expect(ours.records.map((r) => r.offset)).toEqual([
      "9007199254740990",
      "9007199254740991",
      "9007199254740992",
    ]);
  });

  it("takes LOG_APPEND_TIME's max timestamp, and marks control and transactional batches", async () => {
    for (const flags of [0x08, 0x10, 0x20, 0x38]) {
      const { ours, theirs } = await both(await batchBytes({ records: plain(5), flags }));
      expect(ours).toEqual(theirs);
    }
    const { ours } = await both(await batchBytes({ records: plain(2), flags: 0x28 }));
    expect(ours.records[1]).toMatchObject({
      timestamp: String(1_732_492_800_000 + 5000),
      isControlRecord: true,
    });
  });

  it("refuses a partial batch as kafkajs does, so the fetch stops there", async () => {
    const bytes = await batchBytes({ records: plain(10) });
    const cut = bytes.subarray(0, bytes.length - 7);
    await expect(decodeRecordBatch(new Decoder(cut))).rejects.toThrow(/partial record batch/);
    await expect(stock(new Decoder(cut))).rejects.toThrow(/partial record batch/);
  });

  it("agrees with kafkajs on any records", async () => {
    const bytes = fc.option(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      { nil: null },
    );
    const headerValue = fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b));
    const record = fc.record({
      key: bytes,
      value: bytes,
      // Names that an object's prototype answers for too, and names repeated (an array of values).
      headers: fc.option(
        fc.dictionary(
          fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom("toString", "__proto__", "constructor")),
          fc.oneof(headerValue, fc.array(headerValue, { minLength: 1, maxLength: 3 })),
          { maxKeys: 4 },
        ),
        { nil: undefined },
      ),
      offsetDelta: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      timestampDelta: fc.oneof(
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 20 }),
        fc.constantFrom(CompressionTypes.None, CompressionTypes.LZ4),
        fc.constantFrom("0", "123456", "9007199254740000"),
        async (records, compression, firstOffset) => {
          const specs = records.map((r) => (r.headers ? r : { ...r, headers: undefined }));
          const { ours, theirs } = await both(await batchBytes({ records: specs, compression, firstOffset }));
          expect(ours).toEqual(theirs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("answers damaged bytes under a matching CRC as kafkajs does: the same records, or an error where kafkajs fails", async () => {
    const settle = (p: Promise<unknown>) =>
      p.then(
        (batch) => ({ batch }),
        (error: Error) => ({ error: error.name }),
      );
    const good = await batchBytes({
      records: [
        ...plain(6),
        { key: value("k"), value: value("v"), headers: { h: value("x") }, offsetDelta: 6, timestampDelta: 9 },
      ],
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 61, max: good.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        async (edits) => {
          const bytes = Buffer.from(good);
          for (const [at, byte] of edits) bytes[at] = byte;
          // Sealed again: bytes a producer got wrong, past what the CRC can tell.
          reseal(bytes);
          const ours = await settle(decodeRecordBatch(new Decoder(bytes)));
          // A record claiming more headers than its bytes can hold is refused. kafkajs would make them
          // all up, in time quadratic in their number, so its answer is not waited for.
          if ("error" in ours && ours.error === "CorruptRecordError") return;
          const theirs = await settle(stock(new Decoder(bytes)));
          expect(ours).toEqual(theirs);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("refuses a record that claims more headers than its bytes can hold, naming its offset", async () => {
    const flood = {
      key: null,
      value: Buffer.from([0xfe, 0xff, 0xff, 0x0f]),
      offsetDelta: 2,
      timestampDelta: 0,
    };
    const bytes = await batchBytes({ records: [...plain(2), flood], firstOffset: "500" });
    // The last record ends with its value's length prefix (4, zigzag 8), the value and its header count
    // (0). Cut to 0, the prefix leaves the header count to be read off the value: 2^24 - 1 headers in a
    // record of 10 bytes, which kafkajs would take hours to make up.
    const at = bytes.length - 6;
    expect(bytes[at]).toBe(8);
    bytes[at] = 0;
    reseal(bytes);
    await expect(decodeRecordBatch(new Decoder(bytes))).rejects.toMatchObject({
      name: "CorruptRecordError",
      offset: "502",
      headers: 2 ** 24 - 1,
      length: 10,
      message: "Corrupt record at offset 502: it claims 16777215 headers in 10 bytes",
    });
  });

  it("refuses a batch whose bytes do not sum to its CRC-32C, naming its offset, where kafkajs reads them", async () => {
    for (const compression of [CompressionTypes.None, CompressionTypes.LZ4]) {
      const good = await batchBytes({ records: plain(20), firstOffset: "700", compression });
      const bytes = Buffer.from(good);
      // One bit of the last record's value: its closing brace (0x7d) reads 0x7c.
      const at = bytes.length - 2;
      if (compression === CompressionTypes.None) expect(bytes[at]).toBe(0x7d);
      bytes[at]! ^= 0x01;
      const stored = good.readUInt32BE(CRC_AT);
      const computed = crc32c(bytes.subarray(ATTRIBUTES_AT));
      expect(computed).not.toBe(stored);
      const refusal = decodeRecordBatch(new Decoder(bytes));
      await expect(refusal).rejects.toBeInstanceOf(CorruptBatchError);
      await expect(refusal).rejects.toMatchObject({
        name: "CorruptBatchError",
        offset: "700",
        stored,
        computed,
        message: `Corrupt record batch at offset 700: its bytes sum to CRC-32C 0x${computed.toString(16).padStart(8, "0")}, it carries 0x${stored.toString(16).padStart(8, "0")}`,
      });
      if (compression === CompressionTypes.None) {
        // What an unchecked read hands on: the record, changed.
        const theirs = await stock(new Decoder(bytes));
        expect(theirs.records[19].value.toString()).toBe('{"@timestamp":1732492800.19,"log":"line 19"|');
      }
    }
  });

  it("refuses every batch with one byte changed anywhere its CRC-32C covers", async () => {
    const good = await batchBytes({
      records: [
        ...plain(6),
        { key: value("k"), value: value("v"), headers: { h: value("x") }, offsetDelta: 6, timestampDelta: 9 },
      ],
      compression: CompressionTypes.LZ4,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: ATTRIBUTES_AT, max: good.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, flip) => {
          const bytes = Buffer.from(good);
          bytes[at]! ^= flip;
          await expect(decodeRecordBatch(new Decoder(bytes))).rejects.toMatchObject({
            name: "CorruptBatchError",
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it("refuses a batch whose CRC-32C itself was changed", async () => {
    const bytes = await batchBytes({ records: plain(3) });
    bytes[CRC_AT + 3]! ^= 0x80;
    await expect(decodeRecordBatch(new Decoder(bytes))).rejects.toMatchObject({ name: "CorruptBatchError" });
  });

  it("reads records with hundreds of headers as kafkajs does", async () => {
    const headers = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`h${i}`, value("")]));
    const bytes = await batchBytes({ records: [{ ...plain(1)[0]!, headers }, ...plain(2).slice(1)] });
    const { ours, theirs } = await both(bytes);
    expect(ours).toEqual(theirs);
    expect(Object.keys(ours.records[0]!.headers)).toHaveLength(600);
  });

  it("reads a record of 40 000 headers, half of them under one name, in linear time", async () => {
    // kafkajs's own fold copies the object for every header: 79 s here, past the test's timeout,
    // which a fold that slow fails on once it gives the event loop back.
    const headers: Record<string, Buffer | Buffer[]> = { same: [] };
    for (let i = 0; i < 20_000; i++) {
      headers[`h${i}`] = value(String(i));
      (headers.same as Buffer[]).push(value(`s${i}`));
    }
    const bytes = await batchBytes({ records: [{ ...plain(1)[0]!, headers }, ...plain(2).slice(1)] });
    const batch = await decodeRecordBatch(new Decoder(bytes));
    const read = batch.records[0]!.headers;
    expect(Object.keys(read)).toEqual(Object.keys(headers));
    expect(read).toEqual(headers);
    expect(batch.records[1]!.value).toEqual(plain(2)[1]!.value);
  });

  it("reads a record whose length prefix is shorter than its fields as kafkajs does: cut at its length", async () => {
    // One record, so that no record follows it to be read from inside it; its length, a one-byte zigzag
    // varint, follows the 61 bytes of batch header.
    const good = await batchBytes({ records: plain(1) });
    expect(good[61]! & 0x80).toBe(0);
    for (const shorter of [1, 2, 5]) {
      const bytes = Buffer.from(good);
      bytes[61] = good[61]! - 2 * shorter;
      reseal(bytes);
      const { ours, theirs } = await both(bytes);
      expect(ours).toEqual(theirs);
      const whole = plain(1)[0]!.value!;
      expect(ours.records[0]!.value).toEqual(whole.subarray(0, whole.length - shorter + 1));
    }
  });

  it("tells the kafkajs in Node's module cache from another copy of it", () => {
    expect(isBundledKafkajs(require("kafkajs"))).toBe(false);
    expect(isBundledKafkajs({ ...require("kafkajs") })).toBe(true);
  });

  it("stands in only for the kafkajs release it was written for, and says what another one loses", () => {
    expect(decoderFits(KAFKAJS_VERSION)).toBe(true);
    for (const other of ["2.2.3", "2.2.5", "2.3.0", "3.0.0-beta.1"]) expect(decoderFits(other)).toBe(false);
    // Told another release before anything is installed: kafkajs keeps its own decoder.
    expect(require.cache[RECORD_BATCH_DECODER]).toBeUndefined();
    expect(useFastRecordBatches("2.3.0")).toEqual({
      patched: false,
      kafkajs: "2.3.0",
      writtenFor: KAFKAJS_VERSION,
      bundled: false,
      lost: LOST_WITHOUT_DECODER,
    });
    // Told kafkajs is a bundled copy: the copy in the module cache is left alone too.
    expect(useFastRecordBatches(KAFKAJS_VERSION, true)).toMatchObject({ patched: false, bundled: true });
    expect(require.cache[RECORD_BATCH_DECODER]).toBeUndefined();
    expect(require.cache[RECORD_BATCH_DECODER]).toBeUndefined();
    expect(LOST_WITHOUT_DECODER.join(", ")).toMatch(/CRC-32C check.*linear header fold/);
  });

  it("is what kafkajs's Fetch responses decode with once installed", async () => {
    expect(useFastRecordBatches()).toEqual({
      patched: true,
      kafkajs: KAFKAJS_VERSION,
      writtenFor: KAFKAJS_VERSION,
      bundled: false,
      lost: [],
    });
    expect(require(RECORD_BATCH_DECODER)).toBe(decodeRecordBatch);
    const decodeMessages = internal("protocol/requests/fetch/v4/decodeMessages.js");
    const batches = Buffer.concat([
      await batchBytes({ records: plain(3), compression: CompressionTypes.LZ4 }),
      await batchBytes({ records: plain(2), firstOffset: "3" }),
    ]);
    const sized = Buffer.alloc(4 + batches.length);
    sized.writeInt32BE(batches.length, 0);
    batches.copy(sized, 4);
    const records = await decodeMessages(new Decoder(sized));
    expect(records.map((r: { offset: string }) => r.offset)).toEqual(["0", "1", "2", "3", "4"]);
  });
});
