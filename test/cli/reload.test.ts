// `sluice run` reloads its config on SIGHUP while records keep arriving, and drains on SIGTERM: across
// both reloads and a restart every record reaches Elasticsearch exactly once and every offset is committed.
import { describe, expect, it } from "vitest";
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
  SEED_LOGSTASH,
  SEED_TOPICS,
  useSluice,
  waitForGroupAtEnd,
  waitForLine,
} from "./helpers.js";
import { SEED_DATA_STREAM_NAME } from "./seed-documents.js";

/** The kafka input's default group_id, which none of the seed's inputs sets. */
const GROUP = "logstash";
/** Records per kcat run; the runs go round the topics, each spreading its records over the partitions. */
const CHUNK = 100;
/** The least the producer writes before SIGTERM; it goes on until then, so that each reload meets traffic. */
const AT_LEAST = 6_000;
/** The most records produced and not yet written: a steady load rather than one burst. */
const WINDOW = 1_500;

describe(`sluice run: SIGHUP reload and SIGTERM drain under load ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  const sluice = useSluice();

  it("reloads twice while records arrive, then drains on SIGTERM and exits 0; every record is written once and every offset committed", async () => {
    for (const topic of SEED_TOPICS) await bed.kafka.createTopic(topic, 3);
    // The seed's inputs start at the end of a topic for a new group: offsets 0 make the start deterministic.
    await commitGroupAtStart(bed.kafka.brokers, GROUP, SEED_TOPICS);
    await putStackLogsTemplate(bed.client);
    const args = [
      "run",
      "--logstash",
      SEED_LOGSTASH,
      "--kafka-brokers",
      bed.kafka.bootstrapServers,
      "--es-url",
      bed.es.url,
    ];
    const run = await sluice.start(args);
    await waitForLine(run, "sluice: ready");

    let produced = 0;
    let producing = true;
    const written = () => countDocs(bed.client, SEED_DATA_STREAM_NAME);
    const producer = (async () => {
      for (let chunk = 0; producing; chunk++) {
        // Paced by what is written, not by the clock: a backlog of at most WINDOW records.
        await waitFor(
          "the backlog to shrink",
          written,
          (n) => !producing || produced - n < WINDOW,
          120_000,
          100,
        );
        if (!producing) break;
        await produceWithKcat({
          brokers: bed.kafka.bootstrapServers,
          topic: SEED_TOPICS[chunk % SEED_TOPICS.length]!,
          messages: fluentBitRecords(CHUNK, { seed: 3000 + chunk }),
        });
        produced += CHUNK;
      }
    })();
    // Awaited below; a failure meanwhile must not go unhandled.
    producer.catch(() => {});
    const producedPast = (count: number) =>
      waitFor(
        `${count} records produced`,
        () => run.alive(async () => ({ produced, written: await written() })),
        (s) => s.produced >= count && s.written > 0,
        90_000,
      );

    // Two reloads at different moments, records arriving all the while.
    for (const [i, moment] of [AT_LEAST / 3, (2 * AT_LEAST) / 3].entries()) {
      await producedPast(moment);
      run.child.kill("SIGHUP");
      await waitForLine(run, "sluice: reloaded", i + 1);
      await waitFor(
        "/readyz after the reload",
        () => run.status("/readyz"),
        (s) => s === 200,
      );
    }
    expect(run.count("sluice: reloading")).toBe(2);

    // SIGTERM with records still arriving: the pipelines drain and commit, and the process exits 0.
    await producedPast(AT_LEAST);
    run.child.kill("SIGTERM");
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toContain("sluice: stopped (drained)");
    producing = false;
    await producer;
    // What it committed it had written: every record below the committed offsets is in Elasticsearch.
    const ids = async () => new Set((await allDocuments(bed.client, SEED_DATA_STREAM_NAME)).map((d) => d.id));
    const stored = await ids();
    for (const topic of SEED_TOPICS) {
      const committed = await committedOffsets(bed.kafka.brokers, GROUP, topic);
      for (const at of coordinatesBelow(topic, committed)) expect(stored.has(at), at).toBe(true);
    }

    // Started again, it takes the rest from the committed offsets.
    const rerun = await sluice.start(args);
    await waitForGroupAtEnd(rerun, bed.kafka.brokers, GROUP, SEED_TOPICS, 120_000);
    rerun.child.kill("SIGTERM");
    expect(await rerun.exited, rerun.output()).toBe(0);
    expect(rerun.output()).toContain("sluice: stopped (drained)");

    // Every record exactly once: the _id is its Kafka coordinates.
    const end = await Promise.all(SEED_TOPICS.map((topic) => endOffsets(bed.kafka.brokers, topic)));
    const expected = new Set(SEED_TOPICS.flatMap((topic, i) => coordinatesBelow(topic, end[i]!)));
    expect(expected.size).toBe(produced);
    expect(produced).toBeGreaterThanOrEqual(AT_LEAST);
    expect(await countDocs(bed.client, SEED_DATA_STREAM_NAME)).toBe(produced);
    expect(await ids()).toEqual(expected);
    // Re-sent records are refused `create`s (the _id is the record's coordinates), which Elasticsearch counts:
    // pipelines sharing one group and stopped together can lose a final commit to the rebalance the first
    // one to leave starts, and their successors read those records again. Reported, since they land once.
    const stats = await bed.client.indices.stats({ index: SEED_DATA_STREAM_NAME, metric: "indexing" });
    console.log(
      `figures: reload under load: ${produced} records, ${stats._all.primaries?.indexing?.index_failed ?? "?"} re-sent and refused as duplicates`,
    );
    expect(await countDocs(bed.client, DEAD_LETTER_INDEX)).toBe(0);
    for (const [i, topic] of SEED_TOPICS.entries())
      expect(await committedOffsets(bed.kafka.brokers, GROUP, topic), topic).toEqual(end[i]);
  }, 180_000);
});
