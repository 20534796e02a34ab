// Corrupt bytes stored in the cluster: a record no producer could have written, and a batch changed after
// its producer sealed it. The source stops at either, loudly, and neither delivers nor commits anything
// past it (the Java consumer's CorruptRecordException).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createPipeline, silentLogger } from "@sluice/core";
import { elasticsearchDeadLetters, elasticsearchSink } from "@sluice/sink-elasticsearch";
import { kafkaSource } from "@sluice/source-kafka";
import { epochToIso, parseJson } from "@sluice/transforms";
import kafkajs from "kafkajs";
import { describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { committedTotal, countDocs, useTestbed, waitFor } from "./helpers.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

type KafkaEncoder = { buf: Buffer; buffer: Buffer; writeVarInt(value: number): KafkaEncoder };
type EncoderClass = {
  new (): KafkaEncoder;
  sizeOfVarInt(value: number): number;
  prototype: KafkaEncoder & {
    writeVarIntArray(array: KafkaEncoder[], type?: string): KafkaEncoder;
    writeBuffer(value: Buffer): KafkaEncoder;
    writeEncoder(value: KafkaEncoder): KafkaEncoder;
  };
};
const require = createRequire(import.meta.url);
const Encoder = require(
  join(dirname(require.resolve("kafkajs/package.json")), "src/protocol/encoder.js"),
) as EncoderClass;

/** The name of the header that marks the record to write corrupt. */
const MARK = "sluice-corrupt-mark";
/** The header count the corrupt record claims: 2^23, in the room its one header took. */
const CLAIMED = 2 ** 23;

/**
 * Sends `value` through kafkajs's producer in this process (Sluice's consumer runs on a thread with
 * modules of its own), with its header count written as 2^23 and the header's bytes zeroed: the record
 * length and the batch's CRC stay what the bytes are, as a producer's bug or a flipped bit past the
 * checksum would leave them.
 */
async function produceCorrupt(brokers: string[], topic: string, value: string): Promise<void> {
  const proto = Encoder.prototype;
  const writeArray = proto.writeVarIntArray;
  proto.writeVarIntArray = function (this: KafkaEncoder, array, type) {
    const header = array.length === 1 ? array[0]!.buffer : undefined;
    if (!header?.includes(MARK)) return writeArray.call(this, array, type);
    const room = Encoder.sizeOfVarInt(1) + header.length;
    this.writeVarInt(CLAIMED);
    return proto.writeBuffer.call(this, Buffer.alloc(room - Encoder.sizeOfVarInt(CLAIMED)));
  };
  const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer();
  try {
    await producer.connect();
    await producer.send({ topic, messages: [{ value, headers: { [MARK]: "x".repeat(8) } }] });
  } finally {
    proto.writeVarIntArray = writeArray;
    await producer.disconnect();
  }
}

/**
 * Sends `value` through kafkajs's producer in this process, uncompressed, with one bit of it flipped
 * after the batch's CRC-32C was computed: `"@timestamp":1732…` reads `1632…`, three years earlier, and still a
 * document that an unchecked consumer would deliver.
 */
async function produceFlipped(brokers: string[], topic: string, value: string): Promise<void> {
  const proto = Encoder.prototype;
  const writeEncoder = proto.writeEncoder;
  const sealed = Buffer.from(value);
  const stamp = sealed.indexOf('"@timestamp":17');
  expect(stamp).toBeGreaterThanOrEqual(0);
  const at = stamp + '"@timestamp":1'.length;
  let flipped = 0;
  proto.writeEncoder = function (this: KafkaEncoder, encoder) {
    // The batch's body is written after its CRC; `buffer` is a view of the bytes it holds.
    const where = encoder.buffer.indexOf(sealed);
    if (where >= 0) {
      encoder.buf[where + at]! ^= 0x01;
      flipped++;
    }
    return writeEncoder.call(this, encoder);
  };
  const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer();
  try {
    await producer.connect();
    await producer.send({ topic, messages: [{ value }] });
    expect(flipped).toBe(1);
  } finally {
    proto.writeEncoder = writeEncoder;
    await producer.disconnect();
  }
}

const cases = [
  {
    what: "a record claiming more headers than its bytes hold",
    write: produceCorrupt,
    named: new RegExp(
      `CorruptRecordError: Corrupt record at offset 30: it claims ${CLAIMED} headers in \\d+ bytes$`,
    ),
  },
  {
    what: "a batch whose bytes no longer match its CRC-32C",
    write: produceFlipped,
    named:
      /CorruptBatchError: Corrupt record batch at offset 30: its bytes sum to CRC-32C 0x[0-9a-f]{8}, it carries 0x[0-9a-f]{8}$/,
  },
];

// A real broker checks the CRC of what it is sent and refuses corrupt batches; the mock stores them.
describe(`corrupt bytes in the cluster ${runsOn({ kafka: "mock", es: true })}`, () => {
  const bed = useTestbed({ kafka: "mock" });

  it.each(cases.map((c, i) => ({ ...c, topic: `corrupt-${i}` })))(
    "$what stops the source at its offset, named: nothing past it delivered or committed",
    async ({ topic, write, named }) => {
      await bed.kafka.createTopic(topic, 1);
      const records = fluentBitRecords(60, { seed: 21 });
      const produce = (messages: string[]) =>
        produceWithKcat({ brokers: bed.kafka.bootstrapServers, topic, messages });
      await produce(records.slice(0, 30));
      await write(bed.kafka.brokers, topic, records[30]!);
      await produce(records.slice(31));

      const source = kafkaSource({ brokers: bed.kafka.bootstrapServers, topics: [topic], groupId: topic });
      const pipeline = createPipeline({
        source,
        stages: [parseJson(), epochToIso()],
        sink: elasticsearchSink({ node: bed.es.url, index: `${topic}-docs` }),
        deadLetters: elasticsearchDeadLetters({ node: bed.es.url, index: `${topic}-letters` }),
        commitIntervalMs: 200,
        logger: silentLogger(),
      });
      await pipeline.start();
      // The broker answers every fetch while kafkajs retries it: the source must not call it unreachable
      // then. (After the crash, the rejoin's JoinGroup waits at the coordinator for the crashed member to
      // expire, which the source does count as no answer.)
      const unreachableWhileFetching: number[] = [];
      const lastError = () => {
        const detail = source.health().detail ?? {};
        if (detail.state === "running" && typeof detail.unreachableForMs === "number")
          unreachableWhileFetching.push(detail.unreachableForMs);
        return String(detail.lastError ?? "");
      };
      try {
        await waitFor("the source to report the corrupt bytes", lastError, (error) => named.test(error));
        // It stays there, through kafkajs's retries and the consumer's restarts: nothing past it.
        await waitFor(
          "the first 30 records delivered and committed",
          async () => [
            await countDocs(bed.client, `${topic}-docs`),
            await committedTotal(bed.kafka.brokers, topic, topic),
            lastError(),
          ],
          ([docs, committed]) => docs === 30 && committed === 30,
        );
        for (const end = Date.now() + 15_000; Date.now() < end; ) {
          lastError();
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(await countDocs(bed.client, `${topic}-docs`)).toBe(30);
        expect(await countDocs(bed.client, `${topic}-letters`)).toBe(0);
        expect(await committedTotal(bed.kafka.brokers, topic, topic)).toBe(30);
        expect(lastError()).toMatch(named);
        expect(unreachableWhileFetching).toEqual([]);
      } finally {
        await pipeline.stop();
      }
    },
    90_000,
  );
});
