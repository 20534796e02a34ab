// Subscriptions: several topics, a pattern, and where a new group starts (earliest, latest or a time).
import { createPipeline, type Logger, silentLogger } from "@sluice/core";
import { elasticsearchDeadLetters, elasticsearchSink } from "@sluice/sink-elasticsearch";
import { type KafkaSourceOptions, kafkaMetadata, kafkaSource } from "@sluice/source-kafka";
import { epochToIso, parseJson } from "@sluice/transforms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { type KafkaFront, startKafkaFront } from "../harness/kafka/front/index.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import {
  countDocs,
  keptLog,
  runUntilCommitted,
  useTestbed,
  waitFor,
  waitForCommits,
  waitForDocs,
} from "./helpers.js";

describe(`subscriptions ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  // The front in front of the cluster lists the requests clients send; on the mock cluster it also answers
  // ListOffsets by timestamp, which the mock answers with -1 for any time.
  let front: KafkaFront;
  const byTimestamp = () => (bed.kafka.kind === "mock" ? front.bootstrapServers : bed.kafka.bootstrapServers);
  beforeAll(async () => {
    front = await startKafkaFront(bed.kafka);
  });
  afterAll(async () => {
    await front?.stop();
  });

  const pipelineFor = (
    source: Omit<KafkaSourceOptions, "brokers">,
    index: string,
    via: { brokers?: string; logger?: Logger } = {},
  ) =>
    createPipeline({
      source: kafkaSource({ brokers: via.brokers ?? bed.kafka.bootstrapServers, ...source }),
      stages: [parseJson(), epochToIso(), kafkaMetadata({ topicKey: "kafka_topic" })],
      sink: elasticsearchSink({ node: bed.es.url, index }),
      deadLetters: elasticsearchDeadLetters({ node: bed.es.url }),
      logger: via.logger ?? silentLogger(),
    });

  const produce = (topic: string, count: number, seed: number, namespace: string, partition?: number) =>
    produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: fluentBitRecords(count, { seed, namespace }),
      ...(partition === undefined ? {} : { partition }),
    });

  /** How many documents of `index` came from records of each namespace. */
  const namespacesIn = async (index: string) => {
    await bed.client.indices.refresh({ index });
    const { hits } = await bed.client.search<{ kubernetes: { namespace_name: string } }>({
      index,
      size: 1000,
    });
    const counts: Record<string, number> = {};
    for (const hit of hits.hits) {
      const namespace = hit._source!.kubernetes.namespace_name;
      counts[namespace] = (counts[namespace] ?? 0) + 1;
    }
    return counts;
  };

  /** A moment strictly between the records produced before and after it (kcat stamps them at send). */
  const aMomentApart = async () => {
    await new Promise((r) => setTimeout(r, 50));
    const time = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    return time;
  };

  it("reads several topics, and every topic a pattern matches", async () => {
    for (const topic of ["insight-logs", "insight-event", "insight-gw-skoala", "other-logs"]) {
      await bed.kafka.createTopic(topic, 2);
      await produceWithKcat({
        brokers: bed.kafka.bootstrapServers,
        topic,
        messages: fluentBitRecords(100, { seed: 1 }),
      });
    }
    const named = pipelineFor({ topics: ["insight-logs", "other-logs"], groupId: "named" }, "named");
    const pattern = pipelineFor({ topicPattern: "^insight-", groupId: "pattern" }, "pattern");
    await Promise.all([named.start(), pattern.start()]);
    await waitForDocs(bed.client, "named", 200);
    await waitForDocs(bed.client, "pattern", 300);
    await Promise.all([named.stop(), pattern.stop()]);

    const topicsIn = async (index: string) => {
      const { hits } = await bed.client.search<{ kafka_topic: string }>({ index, size: 1000 });
      return [...new Set(hits.hits.map((h) => h._source!.kafka_topic))].sort();
    };
    expect(await topicsIn("named")).toEqual(["insight-logs", "other-logs"]);
    expect(await topicsIn("pattern")).toEqual(["insight-event", "insight-gw-skoala", "insight-logs"]);
    expect(await countDocs(bed.client, "pattern")).toBe(300);
  }, 120_000);

  it("starts a new group at the latest offset when asked, at the earliest by default", async () => {
    const topic = "start-position";
    await bed.kafka.createTopic(topic, 1);
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: fluentBitRecords(50, { seed: 2 }),
    });
    const latest = pipelineFor(
      { topics: [topic], groupId: "latest", clientId: "latest-client", startFrom: "latest" },
      "latest",
    );
    const earliest = pipelineFor({ topics: [topic], groupId: "earliest" }, "earliest");
    await Promise.all([latest.start(), earliest.start()]);
    await waitForDocs(bed.client, "earliest", 50);
    // The latest group commits the end it starts at as soon as it found it: add new records after that.
    await waitForCommits(bed.kafka.brokers, "latest", topic, 50);
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: fluentBitRecords(20, { seed: 3 }),
    });
    await waitForDocs(bed.client, "latest", 20);
    await waitForDocs(bed.client, "earliest", 70);
    await Promise.all([latest.stop(), earliest.stop()]);
    expect(await countDocs(bed.client, "latest")).toBe(20);
    expect(await countDocs(bed.client, "earliest")).toBe(70);
  }, 120_000);

  it("a group started at the latest keeps its start: what is written while no member runs is read next", async () => {
    const topic = "latest-kept";
    await bed.kafka.createTopic(topic, 2);
    for (const partition of [0, 1]) await produce(topic, 10, 20 + partition, "before", partition);
    const first = pipelineFor(
      { topics: [topic], groupId: "latest-kept", startFrom: "latest" },
      "latest-kept",
    );
    await first.start();
    // No record arrives for the first member: only its start commit says where the group is.
    await waitForCommits(bed.kafka.brokers, "latest-kept", topic, 20);
    await first.stop();
    // Written between two members (a restart, a reload, a rebalance): the next member must not skip them.
    for (const partition of [0, 1]) await produce(topic, 7, 22 + partition, "between", partition);
    const second = pipelineFor(
      { topics: [topic], groupId: "latest-kept", startFrom: "latest" },
      "latest-kept",
    );
    await runUntilCommitted(second, bed, topic, 34, { groupId: "latest-kept" });
    expect(await namespacesIn("latest-kept")).toEqual({ between: 14 });
  }, 120_000);

  it("starts a new group at a timestamp: exactly the records written at or after it", async () => {
    const topic = "start-time";
    await bed.kafka.createTopic(topic, 2);
    // Partitions named: librdkafka's sticky partitioner could put a whole set on one partition, and a
    // partition with nothing after the time has nothing to commit.
    for (const partition of [0, 1]) await produce(topic, 20, 4 + partition, "before", partition);
    const time = await aMomentApart();
    for (const partition of [0, 1]) await produce(topic, 15, 6 + partition, "after", partition);
    const pipeline = pipelineFor(
      { topics: [topic], groupId: "from-time", startFrom: { timestamp: new Date(time).toISOString() } },
      "from-time",
      { brokers: byTimestamp() },
    );
    await pipeline.start();
    await waitForCommits(bed.kafka.brokers, "from-time", topic, 70);
    await pipeline.stop();
    expect(await countDocs(bed.client, "from-time")).toBe(30);
    expect(await namespacesIn("from-time")).toEqual({ after: 30 });
  }, 120_000);

  it("with a timestamp, a partition the group has a commit on continues from it, a start commit included", async () => {
    const topic = "start-time-resume";
    // The mock lets the same group join again only once the last member's session expired.
    const session = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 };
    await bed.kafka.createTopic(topic, 2);
    // A first run commits 10 on partition 0 by delivering, and its start, 0, on the still empty partition 1.
    await produce(topic, 10, 6, "first-run", 0);
    const first = pipelineFor(
      { topics: [topic], groupId: "resume", startFrom: { timestamp: 0 }, ...session },
      "resume-1",
      { brokers: byTimestamp() },
    );
    await first.start();
    await waitForCommits(bed.kafka.brokers, "resume", topic, 10);
    await first.stop();
    // Before the time, yet after the commits on both partitions: read, the group's commits win.
    await produce(topic, 5, 7, "after-commit", 0);
    await produce(topic, 10, 8, "before", 1);
    const time = await aMomentApart();
    await produce(topic, 5, 9, "after", 0);
    await produce(topic, 5, 10, "after", 1);

    const second = pipelineFor(
      { topics: [topic], groupId: "resume", startFrom: { timestamp: time }, ...session },
      "resume-2",
      { brokers: byTimestamp() },
    );
    await second.start();
    await waitForCommits(bed.kafka.brokers, "resume", topic, 35);
    await second.stop();
    expect(await namespacesIn("resume-2")).toEqual({ "after-commit": 5, before: 10, after: 10 });
    expect(await countDocs(bed.client, "resume-2")).toBe(25);
  }, 120_000);

  it("with a timestamp after every record, a new group starts at the end: only records written later", async () => {
    const topic = "start-time-future";
    await bed.kafka.createTopic(topic, 1);
    await produce(topic, 20, 11, "before");
    const { logger, entries } = keptLog();
    const pipeline = pipelineFor(
      { topics: [topic], groupId: "from-future", startFrom: { timestamp: Date.now() + 3_600_000 } },
      "from-future",
      { brokers: byTimestamp(), logger },
    );
    await pipeline.start();
    // Written once the group is positioned: their timestamps are before the time asked, and still read.
    const start = await waitFor(
      "the partition's start",
      () => entries().find((l) => l.msg === "partition start"),
      (line) => line !== undefined,
    );
    expect(start).toMatchObject({ topic, partition: 0, offset: 20, from: "timestamp" });
    await produce(topic, 15, 12, "later");
    await waitForCommits(bed.kafka.brokers, "from-future", topic, 35);
    await pipeline.stop();
    expect(await namespacesIn("from-future")).toEqual({ later: 15 });
  }, 120_000);

  it("puts the group id, client id and session timeout on the wire, and heartbeats at its interval", async () => {
    const topic = "passthrough";
    await bed.kafka.createTopic(topic, 1);
    await produce(topic, 10, 12, "passthrough");
    const since = Date.now();
    const pipeline = pipelineFor(
      {
        topics: [topic],
        groupId: "passthrough-group",
        clientId: "passthrough-client",
        sessionTimeoutMs: 7000,
        heartbeatIntervalMs: 700,
      },
      "passthrough",
      { brokers: front.bootstrapServers },
    );
    await pipeline.start();
    await waitForCommits(bed.kafka.brokers, "passthrough-group", topic, 10);
    // Idle, consuming nothing: kafkajs heartbeats between its empty fetches once an interval is up. At
    // 700 ms it beats about every second (after a fetch once the interval is up, with 500 ms fetch waits),
    // so four beats come within 5 s; its default, 3 s, would send at most two.
    const idleFrom = Date.now();
    const beats = await waitFor(
      "four heartbeats while idle",
      () => front.requests.filter((r) => r.apiKey === 12 && r.at >= idleFrom),
      (seen) => seen.length >= 4,
      5_000,
      100,
    );
    await pipeline.stop();

    const requests = front.requests.filter((r) => r.at >= since);
    expect(requests.length).toBeGreaterThan(0);
    expect(new Set(requests.map((r) => r.clientId))).toEqual(new Set(["passthrough-client"]));
    const joins = requests.flatMap((r) => (r.join ? [r.join] : []));
    expect(joins.length).toBeGreaterThan(0);
    for (const join of joins) {
      expect(join.groupId).toBe("passthrough-group");
      expect(join.sessionTimeoutMs).toBe(7000);
    }
    // None sooner than the interval after the one before.
    for (let i = 1; i < beats.length; i++)
      expect(beats[i]!.at - beats[i - 1]!.at).toBeGreaterThanOrEqual(650);
    expect(await countDocs(bed.client, "passthrough")).toBe(10);
  }, 120_000);

  it("refuses a source with neither topics nor a pattern, or a bad pattern, naming the option", () => {
    expect(() => kafkaSource({ brokers: "k:9092", groupId: "g" })).toThrow(
      /kafkaSource: option `topics` is required/,
    );
    expect(() => kafkaSource({ brokers: "k:9092", groupId: "g", topicPattern: "(" })).toThrow(
      /option `topicPattern` is not a valid regular expression/,
    );
  });
});
