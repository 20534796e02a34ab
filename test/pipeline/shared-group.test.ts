// Pipelines reading different topics in one consumer group, as Logstash's and Vector's configs run them:
// every topic is read, whichever member leads the group, and a member joining and leaving loses nothing.
import { createPipeline, type Pipeline, silentLogger } from "@sluice/core";
import { elasticsearchDeadLetters, elasticsearchSink } from "@sluice/sink-elasticsearch";
import { kafkaSource } from "@sluice/source-kafka";
import { parseJson } from "@sluice/transforms";
import { afterEach, describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, keptLog, topicPipeline, useTestbed, waitFor, waitForCommits } from "./helpers.js";

const GROUP = "shared-group";
const LOGS = "shared-group-logs";
const EVENTS = "shared-group-events";

describe(`one consumer group, different topics ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  const running: Pipeline[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop().catch(() => {})));
  }, 120_000);

  const produce = (topic: string, count: number, seed: number) =>
    produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: fluentBitRecords(count, { seed }),
    });
  const log = keptLog("debug");
  const member = (topic: string, index: string, groupId = GROUP) => {
    const pipeline = topicPipeline(bed, topic, {
      groupId,
      index,
      sessionTimeoutMs: 6000,
      logger: log.logger,
    });
    running.push(pipeline);
    return pipeline;
  };
  const assignment = (pipeline: Pipeline) =>
    (pipeline.health().detail as { source: { detail: { assignment?: Record<string, number[]> } } }).source
      .detail.assignment ?? {};
  const docs = async (...indices: string[]) => {
    let total = 0;
    for (const index of indices) total += await countDocs(bed.client, index);
    return total;
  };

  it("every record of both topics is delivered and committed once, also while a third member joins and leaves", async () => {
    await bed.kafka.createTopic(LOGS, 4);
    await bed.kafka.createTopic(EVENTS, 3);
    await produce(LOGS, 2000, 1);
    await produce(EVENTS, 1500, 2);

    const logs = member(LOGS, `${LOGS}-docs`);
    const events = member(EVENTS, `${EVENTS}-docs`);
    await logs.start();
    await events.start();
    await waitFor(
      "both topics' records in Elasticsearch",
      async () => [await docs(`${LOGS}-docs`), await docs(`${EVENTS}-docs`)],
      ([l, e]) => l === 2000 && e === 1500,
      90_000,
      500,
    );
    await waitForCommits(bed.kafka.brokers, GROUP, LOGS, 2000, 30_000);
    await waitForCommits(bed.kafka.brokers, GROUP, EVENTS, 1500, 30_000);
    // Each member holds only its own topic's partitions, all of them.
    expect(assignment(logs)).toEqual({ [LOGS]: [0, 1, 2, 3] });
    expect(assignment(events)).toEqual({ [EVENTS]: [0, 1, 2] });

    // A third member reading the logs topic joins: it shares that topic's partitions and nothing else.
    const third = member(LOGS, `${LOGS}-third`);
    await third.start();
    await waitFor(
      "the third member's share of the logs topic",
      (): [number[], number[]] => [assignment(logs)[LOGS] ?? [], assignment(third)[LOGS] ?? []],
      ([a, b]) => a.length === 2 && b.length === 2 && new Set([...a, ...b]).size === 4,
      60_000,
    );
    expect(Object.keys(assignment(third))).toEqual([LOGS]);
    expect(assignment(events)).toEqual({ [EVENTS]: [0, 1, 2] });
    await produce(LOGS, 2000, 3);
    await produce(EVENTS, 1500, 4);
    await waitForCommits(bed.kafka.brokers, GROUP, LOGS, 4000, 90_000);
    await waitForCommits(bed.kafka.brokers, GROUP, EVENTS, 3000, 90_000);
    expect(await docs(`${LOGS}-third`)).toBeGreaterThan(0);

    // It leaves: the first member takes its partitions back, and more records still land once.
    await third.stop();
    await waitFor(
      "the logs topic back with its first member",
      () => assignment(logs)[LOGS] ?? [],
      (partitions) => partitions.length === 4,
      60_000,
    );
    await produce(LOGS, 1000, 5);
    await produce(EVENTS, 1000, 6);
    await waitForCommits(bed.kafka.brokers, GROUP, LOGS, 5000, 90_000);
    await waitForCommits(bed.kafka.brokers, GROUP, EVENTS, 4000, 90_000);
    // Separate indices per member: a record delivered twice would be counted twice.
    expect(await docs(`${LOGS}-docs`, `${LOGS}-third`)).toBe(5000);
    expect(await docs(`${EVENTS}-docs`)).toBe(4000);
    // Members told to rejoin by a heartbeat's answer is routine: no error line says the group is rebalancing.
    const errors = log.entries().filter((entry) => (entry.level as number) >= 50);
    expect(errors.filter((entry) => JSON.stringify(entry).includes("rebalancing"))).toEqual([]);
  }, 300_000);

  it("a member subscribed by topic pattern is dealt the topics its pattern matched, beside a member with another topic", async () => {
    const group = "shared-group-pattern";
    const matched = ["shared-pattern-a", "shared-pattern-b"];
    const other = "shared-other";
    for (const [i, topic] of [...matched, other].entries()) {
      await bed.kafka.createTopic(topic, 2);
      await produce(topic, 500, 10 + i);
    }
    const byPattern = createPipeline({
      source: kafkaSource({
        brokers: bed.kafka.bootstrapServers,
        topicPattern: "^shared-pattern-",
        groupId: group,
      }),
      stages: [parseJson()],
      sink: elasticsearchSink({ node: bed.es.url, index: `${group}-matched` }),
      deadLetters: elasticsearchDeadLetters({ node: bed.es.url, index: `${group}-letters` }),
      logger: silentLogger(),
    });
    running.push(byPattern);
    const byTopic = member(other, `${group}-other`, group);
    await byPattern.start();
    await byTopic.start();
    await waitFor(
      "every matched topic's and the other topic's records",
      async (): Promise<[number, number]> => [await docs(`${group}-matched`), await docs(`${group}-other`)],
      ([m, o]) => m === 1000 && o === 500,
      90_000,
      500,
    );
    for (const topic of matched) await waitForCommits(bed.kafka.brokers, group, topic, 500, 30_000);
    await waitForCommits(bed.kafka.brokers, group, other, 500, 30_000);
    expect(assignment(byPattern)).toEqual({ [matched[0]!]: [0, 1], [matched[1]!]: [0, 1] });
    expect(assignment(byTopic)).toEqual({ [other]: [0, 1] });
  }, 180_000);
});
