// `sluice run --logstash` on the seed's Helm values, unchanged: Fluent Bit records written by kcat land
// in Elasticsearch exactly once, each the document Logstash would have written.
import { beforeAll, describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, useTestbed, waitFor } from "../pipeline/helpers.js";
import {
  allDocuments,
  commitGroupAtStart,
  committedOffsets,
  coordinatesBelow,
  DEAD_LETTER_INDEX,
  endOffsets,
  putStackLogsTemplate,
  readTopic,
  SEED_LOGSTASH,
  SEED_TOPICS,
  type SeedTopic,
  type SluiceRun,
  type StoredDocument,
  topicOf,
  useSluice,
  waitForGroupAtEnd,
} from "./helpers.js";
import { logstashSeedDocument, SEED_DATA_STREAM_NAME } from "./seed-documents.js";

const COUNTS: Record<SeedTopic, number> = {
  "insight-logs": 600,
  "insight-event": 300,
  "insight-gw-skoala": 200,
};
const TOTAL = 1100;
/** The kafka input's default group_id, which none of the seed's inputs sets. */
const GROUP = "logstash";

describe(`sluice run --logstash on the seed's Helm values ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  const sluice = useSluice();
  let run: SluiceRun;
  let docs: StoredDocument[] = [];
  /** Kafka's copy of every record, by coordinate. */
  const records = new Map<string, string>();

  beforeAll(async () => {
    for (const [i, topic] of SEED_TOPICS.entries()) {
      await bed.kafka.createTopic(topic, 3);
      await produceWithKcat({
        brokers: bed.kafka.bootstrapServers,
        topic,
        messages: fluentBitRecords(COUNTS[topic], { seed: 2900 + i }),
      });
    }
    // The seed's inputs have no auto_offset_reset, so a new group would start at the end; a team moving
    // from Logstash keeps its group and the offsets Logstash committed, which these stand for.
    await commitGroupAtStart(bed.kafka.brokers, GROUP, SEED_TOPICS);
    await putStackLogsTemplate(bed.client);
    run = await sluice.start([
      "run",
      "--logstash",
      SEED_LOGSTASH,
      "--kafka-brokers",
      bed.kafka.bootstrapServers,
      "--es-url",
      bed.es.url,
    ]);
    await waitFor(
      "every record in the data stream",
      () => run.alive(() => countDocs(bed.client, SEED_DATA_STREAM_NAME)),
      (n) => n >= TOTAL,
      120_000,
      500,
    );
    await waitForGroupAtEnd(run, bed.kafka.brokers, GROUP, SEED_TOPICS);
    docs = await allDocuments(bed.client, SEED_DATA_STREAM_NAME);
    for (const topic of SEED_TOPICS)
      for (const [at, record] of await readTopic(bed.kafka.bootstrapServers, topic)) records.set(at, record);
  }, 170_000);

  it("answers /readyz and /livez with 200 once running, after printing its address and `sluice: ready`", async () => {
    expect(run.output()).toContain(`sluice: http ${run.url}`);
    expect(run.count("sluice: ready")).toBe(1);
    expect(await run.status("/readyz")).toBe(200);
    expect(await run.status("/livez")).toBe(200);
  });

  it("writes every record exactly once to the data stream logs-insight-es-k8s-logs-alias-default", async () => {
    expect(records.size).toBe(TOTAL);
    expect(docs).toHaveLength(TOTAL);
    // The _id is each record's Kafka coordinates: every one present, none twice.
    expect(new Set(docs.map((d) => d.id))).toEqual(new Set(records.keys()));
    // data_stream => true made the name a data stream (_resolve/index: GET _data_stream is not in the test node).
    const resolved = await bed.client.indices.resolveIndex({ name: SEED_DATA_STREAM_NAME });
    expect(resolved.data_streams.map((s) => s.name)).toEqual([SEED_DATA_STREAM_NAME]);
    expect(resolved.indices).toEqual([]);
    for (const doc of docs) expect(doc.index).toMatch(/^\.ds-logs-insight-es-k8s-logs-alias-default-/);
  });

  it("writes each record as the seed's one Logstash pipeline does: add_field, gsub, json, date, event and message removed", () => {
    for (const doc of docs) {
      const record = records.get(doc.id);
      expect(record, doc.id).toBeDefined();
      expect(doc.source, doc.id).toEqual(logstashSeedDocument(record!, topicOf(doc.id)));
    }
    // Some log lines carry JSON with its own "@timestamp": the seed's gsub rewrites them too.
    expect(docs.some((d) => (d.source.log as string).includes('"_@timestamp"'))).toBe(true);
  });

  it("commits the group's offsets at the end of every partition and dead-letters nothing", async () => {
    for (const topic of SEED_TOPICS) {
      const end = await endOffsets(bed.kafka.brokers, topic);
      expect(await committedOffsets(bed.kafka.brokers, GROUP, topic), topic).toEqual(end);
      expect(coordinatesBelow(topic, end)).toHaveLength(COUNTS[topic]);
    }
    expect(await countDocs(bed.client, DEAD_LETTER_INDEX)).toBe(0);
  });
});
