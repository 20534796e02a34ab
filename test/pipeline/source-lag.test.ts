// Consumer lag as /metrics reports it: the group's uncommitted records per partition this member holds,
// moving while the source is paused behind a stalled sink, and gone for a partition taken away.
import { type Batch, createPipeline, namedStage, silentLogger } from "@sluice/core";
import { elasticsearchDeadLetters, elasticsearchSink } from "@sluice/sink-elasticsearch";
import { kafkaSource } from "@sluice/source-kafka";
import { parseJson } from "@sluice/transforms";
import { concatMap, from, map } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { useTestbed, waitFor } from "./helpers.js";

/** Values of `name` on a /metrics page, by their labels (as written, e.g. `consumergroup="g",...`). */
async function scrape(url: string, name: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const found: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const match = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (match)
      found[
        match[1]!
          .split(",")
          .filter((l) => !l.startsWith("pipeline="))
          .join(",")
      ] = Number(match[2]);
  }
  return found;
}

describe(`consumer lag ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  const stops: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  /** A member whose stages hold every batch until `release` is called: its sink, in effect, stalled. */
  const member = (topic: string, held: boolean) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    if (!held) release();
    const pipeline = createPipeline({
      source: kafkaSource({
        brokers: bed.kafka.bootstrapServers,
        topics: [topic],
        groupId: topic,
        sessionTimeoutMs: 6000,
        heartbeatIntervalMs: 1000,
        lagIntervalMs: 200,
      }),
      stages: [
        namedStage(
          "stall",
          concatMap((batch: Batch<Buffer>) => from(released).pipe(map(() => batch))),
        ),
        parseJson(),
      ],
      sink: elasticsearchSink({ node: bed.es.url, index: `${topic}-docs` }),
      deadLetters: elasticsearchDeadLetters({ node: bed.es.url }),
      flow: { maxInFlightEvents: 200 },
      commitIntervalMs: 200,
      logger: silentLogger(),
      http: { port: 0 },
    });
    stops.push(async () => {
      release();
      await pipeline.stop();
    });
    return { pipeline, release };
  };

  const produce = (topic: string, partition: number, count: number, seed: number) =>
    produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      partition,
      messages: fluentBitRecords(count, { seed }),
    });

  const label = (topic: string, partition: number) =>
    `consumergroup="${topic}",topic="${topic}",partition="${partition}"`;

  it("grows while paused behind a stalled sink, and loses the series of a partition revoked", async () => {
    const topic = "lag";
    await bed.kafka.createTopic(topic, 2);
    await produce(topic, 0, 300, 1);
    await produce(topic, 1, 300, 2);
    const a = member(topic, true);
    await a.pipeline.start();
    const url = a.pipeline.httpUrl!;
    await waitFor(
      "backpressure pausing the source",
      () => a.pipeline.flow.paused,
      (p) => p,
    );
    // Nothing committed: every record of each partition is lag.
    await waitFor(
      "the lag of both partitions",
      () => scrape(url, "kafka_consumergroup_lag"),
      (lag) => lag[label(topic, 0)] === 300 && lag[label(topic, 1)] === 300,
    );
    // Records produced while it is paused count at once, in the fetch lag too.
    const fetchLag = () => scrape(url, "sluice_consumer_lag");
    const before = await fetchLag();
    await produce(topic, 0, 500, 3);
    await produce(topic, 1, 100, 4);
    const grown = await waitFor(
      "the lag grown by what was produced while paused",
      () => scrape(url, "kafka_consumergroup_lag"),
      (lag) => lag[label(topic, 0)] === 800 && lag[label(topic, 1)] === 400,
    );
    expect(a.pipeline.flow.paused).toBe(true);
    const p0 = `topic="${topic}",partition="0"`;
    const p1 = `topic="${topic}",partition="1"`;
    expect(await fetchLag()).toEqual({ [p0]: before[p0]! + 500, [p1]: before[p1]! + 100 });
    expect(Object.keys(grown)).toHaveLength(2);

    // A second member joins: each holds one partition, and the first reports only its own.
    const b = member(topic, false);
    await b.pipeline.start();
    const held = await waitFor(
      "the first member holding one partition",
      () =>
        (a.pipeline.health().detail as { source: { detail: { assignment: Record<string, number[]> } } })
          .source.detail.assignment[topic] ?? [],
      (partitions) => partitions.length === 1,
    );
    const own = held[0]!;
    await waitFor(
      "the series of the revoked partition gone",
      () => scrape(url, "kafka_consumergroup_lag"),
      (lag) => Object.keys(lag).length === 1 && lag[label(topic, own)] !== undefined,
    );
    expect(Object.keys(await scrape(url, "sluice_consumer_lag"))).toEqual([
      `topic="${topic}",partition="${own}"`,
    ]);
    // Released, the first member commits its partition to the end: its lag falls to 0.
    a.release();
    await waitFor(
      "no lag once everything is committed",
      () => scrape(url, "kafka_consumergroup_lag"),
      (lag) => lag[label(topic, own)] === 0,
    );
  }, 120_000);
});
