// Rebalances mid-stream: a second member joins (partitions are revoked and reassigned), then the
// first leaves. No record is skipped and none is stored twice.
import { silentLogger } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { slicePipeline } from "../fixtures/slice-pipeline.js";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, useTestbed, waitFor, waitForCommits, waitForDocs } from "./helpers.js";

const TOPIC = "insight-logs-rebalance";
const RECORDS = 40_000;

describe(`rebalances ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();

  it("hands partitions over when members join and leave mid-stream, exactly once", async () => {
    await bed.kafka.createTopic(TOPIC, 6);
    const member = (httpPort?: number) =>
      slicePipeline({
        brokers: bed.kafka.bootstrapServers,
        esUrl: bed.es.url,
        topics: [TOPIC],
        groupId: "rebalance",
        index: "rebalance",
        logger: silentLogger(),
        sessionTimeoutMs: 6000,
        maxInFlightEvents: 2000,
        ...(httpPort !== undefined ? { httpPort } : {}),
      });
    const records = fluentBitRecords(RECORDS, { seed: 41 });
    const first = member(0);
    await first.start();
    const producing = (async () => {
      for (let i = 0; i < records.length; i += 5000) {
        await produceWithKcat({
          brokers: bed.kafka.bootstrapServers,
          topic: TOPIC,
          messages: records.slice(i, i + 5000),
        });
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    await waitFor(
      "progress",
      () => countDocs(bed.client, "rebalance"),
      (n) => n > 2000,
      60_000,
      100,
    );

    const second = member();
    await second.start(); // joining triggers a rebalance: the first member gives up some partitions
    // The first member keeps reading until it hears of the rebalance, then joins the new generation.
    const rebalances = async () =>
      Number(
        /sluice_source_rebalances_total\{[^}]*\} (\d+)/.exec(
          await (await fetch(`${first.httpUrl}/metrics`)).text(),
        )?.[1],
      );
    await waitFor("the first member in the new generation", rebalances, (n) => n >= 2, 60_000, 100);
    const handedOver = await countDocs(bed.client, "rebalance");
    await waitFor(
      "progress after the hand-over",
      () => countDocs(bed.client, "rebalance"),
      (n) => n > Math.min(handedOver + 5000, RECORDS - 1000),
      120_000,
      200,
    );

    expect((await first.stop()).drained).toBe(true); // leaving: the second member takes everything
    await producing;
    await waitForDocs(bed.client, "rebalance", RECORDS, 120_000, 500);
    await waitForCommits(bed.kafka.brokers, "rebalance", TOPIC, RECORDS, 60_000);
    await second.stop();
    expect(await countDocs(bed.client, "rebalance")).toBe(RECORDS);
  }, 300_000);
});
