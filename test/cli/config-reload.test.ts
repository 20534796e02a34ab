// `sluice run CONFIG --watch`: a config saved with a mistake is refused while the running one goes on;
// saved right, the pipelines are replaced — every record once, before, during and after.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, useTestbed, waitFor, waitForCommits } from "../pipeline/helpers.js";
import { useSluice, waitForLine } from "./helpers.js";

const TOPIC = "cli-watch";

describe(`sluice run --watch ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  const sluice = useSluice();
  const dir = mkdtempSync(join(tmpdir(), "sluice-watch-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "sluice.yaml");
  const config = (index: string) => `kafka:
  brokers: ${bed.kafka.bootstrapServers}
elasticsearch:
  node: ${bed.es.url}
pipelines:
  - name: watched
    source: { topics: [${TOPIC}], groupId: cli-watch, startFrom: earliest }
    stages:
      - fluentBitToElasticsearch: {}
    targets:
      - name: logs
        elasticsearch: { index: ${index} }
deadLetters: { index: cli-watch-letters }
`;
  const produce = (count: number, seed: number) =>
    produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic: TOPIC,
      messages: fluentBitRecords(count, { seed }),
    });
  const docs = (index: string, count: number) =>
    waitFor(
      `${count} documents in ${index}`,
      () => countDocs(bed.client, index),
      (n) => n === count,
      60_000,
    );

  it("refuses a broken save with its line, keeps running, then replaces the pipelines on a good one", async () => {
    await bed.kafka.createTopic(TOPIC, 2);
    writeFileSync(file, config("watch-first"));
    const run = await sluice.start(["run", file, "--watch"]);
    await waitForLine(run, "sluice: ready");
    await produce(100, 1);
    await docs("watch-first", 100);

    // A typo in a stage name: refused at its line; the running pipeline goes on reading.
    writeFileSync(file, config("watch-first").replace("fluentBitToElasticsearch", "fluentBitToElastic"));
    await waitFor(
      "the refusal",
      () => run.alive(() => run.output()),
      (output) => output.includes("sluice: reload refused:"),
      30_000,
    );
    const refusal = run
      .output()
      .split("\n")
      .find((line) => line.startsWith("sluice: reload refused:"))!;
    expect(refusal).toContain(`${file}:9:`);
    expect(refusal).toContain("fluentBitToElastic");
    expect(await run.status("/readyz")).toBe(200);
    await produce(50, 2);
    await docs("watch-first", 150);

    // Saved right, with another index: the old pipeline drains and commits, the new one starts after it.
    writeFileSync(file, config("watch-second"));
    await waitForLine(run, "sluice: reloaded");
    await produce(50, 3);
    await docs("watch-second", 50);
    await waitForCommits(bed.kafka.brokers, "cli-watch", TOPIC, 200);
    expect(await countDocs(bed.client, "watch-first")).toBe(150);
    expect(await countDocs(bed.client, "cli-watch-letters").catch(() => 0)).toBe(0);

    const metrics = await (await fetch(`${run.url}/metrics`)).text();
    expect(metrics).toMatch(/sluice_config_reloads_total\{result="refused"\} 1/);
    expect(metrics).toMatch(/sluice_config_reloads_total\{result="reloaded"\} 1/);
    expect(metrics).toMatch(/sluice_events_delivered_total\{pipeline="watched"\} 50/);

    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.count("sluice: stopped (drained)")).toBe(1);
  }, 180_000);
});
