// `sluice run --vector` on the seed's ConfigMap, unchanged: Fluent Bit records written by kcat land in
// the seed's indices as Vector's graph sends them (insight-gw-skoala's twice), each the document Vector
// would have written.
import { beforeAll, describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { esOutputTimestamp, fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, useTestbed, waitFor } from "../pipeline/helpers.js";
import {
  allDocuments,
  commitGroupAtStart,
  committedOffsets,
  DEAD_LETTER_INDEX,
  endOffsets,
  readTopic,
  SEED_TOPICS,
  SEED_VECTOR,
  type SeedTopic,
  type SluiceRun,
  type StoredDocument,
  topicOf,
  useSluice,
  waitForGroupAtEnd,
} from "./helpers.js";
import { SEED_VECTOR_INDICES, VECTOR_TIMESTAMP, vectorSeedDocument } from "./seed-documents.js";

const COUNTS: Record<SeedTopic, number> = {
  "insight-logs": 600,
  "insight-event": 300,
  "insight-gw-skoala": 200,
};
/** The group_id the seed's three kafka sources share. */
const GROUP = "consumer-group-insight";
type SeedIndex = keyof typeof SEED_VECTOR_INDICES;
const INDICES = Object.keys(SEED_VECTOR_INDICES) as SeedIndex[];

/** How many documents an index gets: one per record of each topic its sink's inputs lead from. */
function expectedCount(index: SeedIndex): number {
  return SEED_VECTOR_INDICES[index].reduce((sum, topic) => sum + COUNTS[topic], 0);
}

describe(`sluice run --vector on the seed's ConfigMap ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  const sluice = useSluice();
  let run: SluiceRun;
  let started = 0;
  let finished = 0;
  const docs = {} as Record<SeedIndex, StoredDocument[]>;
  /** Kafka's copy of every record, by coordinate. */
  const records = new Map<string, string>();

  beforeAll(async () => {
    for (const [i, topic] of SEED_TOPICS.entries()) {
      await bed.kafka.createTopic(topic, 3);
      await produceWithKcat({
        brokers: bed.kafka.bootstrapServers,
        topic,
        messages: fluentBitRecords(COUNTS[topic], { seed: 2910 + i }),
      });
    }
    // The seed's sources have no auto_offset_reset, so a new group would start at the end; a team moving
    // from Vector keeps its group and the offsets Vector committed, which these stand for.
    await commitGroupAtStart(bed.kafka.brokers, GROUP, SEED_TOPICS);
    started = Date.now();
    run = await sluice.start([
      "run",
      "--vector",
      SEED_VECTOR,
      "--kafka-brokers",
      bed.kafka.bootstrapServers,
      "--es-url",
      bed.es.url,
    ]);
    await waitFor(
      "every record in its indices",
      () => run.alive(() => Promise.all(INDICES.map((index) => countDocs(bed.client, index)))),
      (counts) => counts.every((n, i) => n >= expectedCount(INDICES[i]!)),
      120_000,
      500,
    );
    await waitForGroupAtEnd(run, bed.kafka.brokers, GROUP, SEED_TOPICS);
    finished = Date.now();
    for (const index of INDICES) docs[index] = await allDocuments(bed.client, index);
    for (const topic of SEED_TOPICS)
      for (const [at, record] of await readTopic(bed.kafka.bootstrapServers, topic)) records.set(at, record);
  }, 170_000);

  it("writes insight-logs and insight-event once each, and each insight-gw-skoala record twice: to the event index and to the skoala index", () => {
    expect(records.size).toBe(600 + 300 + 200);
    const recordsOf = (topics: readonly string[]) =>
      new Set([...records.keys()].filter((at) => topics.includes(topicOf(at))));
    for (const index of INDICES) {
      expect(docs[index], index).toHaveLength(expectedCount(index));
      // The _id is each record's Kafka coordinates: every record of the index's topics, none twice.
      expect(new Set(docs[index].map((d) => d.id)), index).toEqual(recordsOf(SEED_VECTOR_INDICES[index]));
    }
  });

  it("writes the record's object with @timestamp set to the time it was processed (now()), as the seed's remap does", () => {
    for (const index of INDICES)
      for (const doc of docs[index]) {
        const record = records.get(doc.id);
        expect(record, doc.id).toBeDefined();
        const { "@timestamp": stamp, ...rest } = doc.source;
        // Everything Fluent Bit wrote, log text untouched, and none of the kafka source's fields.
        expect(rest, doc.id).toEqual(vectorSeedDocument(record!));
        expect(stamp, doc.id).toMatch(VECTOR_TIMESTAMP);
        const millis = Date.parse(stamp as string);
        expect(millis).toBeGreaterThanOrEqual(started - 1);
        expect(millis).toBeLessThanOrEqual(finished + 1);
        expect(stamp).not.toBe(esOutputTimestamp(record!));
      }
  });

  it("commits the group's offsets at the end of every partition and dead-letters nothing", async () => {
    for (const topic of SEED_TOPICS)
      expect(await committedOffsets(bed.kafka.brokers, GROUP, topic), topic).toEqual(
        await endOffsets(bed.kafka.brokers, topic),
      );
    expect(await countDocs(bed.client, DEAD_LETTER_INDEX)).toBe(0);
  });
});
