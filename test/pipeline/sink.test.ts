// The Elasticsearch sink on a real node: data streams and the targets users configure. Refusals, outages,
// credentials and Elasticsearch 7.x are in sink-faults.test.ts, on the emulator.
import { describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import {
  committedTotal,
  countDocs,
  topicOfRecords,
  topicPipeline,
  useTestbed,
  waitFor,
  waitForDocs,
} from "./helpers.js";

describe(`Elasticsearch sink ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();

  it("creates a data stream through its index template and writes to it", async () => {
    const topic = "sink-ds";
    await topicOfRecords(bed, topic, 1_000, 24);
    const pipeline = topicPipeline(bed, topic, {
      index: "logs-sluice-test",
      sink: { dataStream: { template: { name: "sluice-test-logs" } } },
    });
    await pipeline.start();
    await waitForDocs(bed.client, "logs-sluice-test", 1_000);
    await pipeline.stop();
    const template = await bed.client.indices.getIndexTemplate({ name: "sluice-test-logs" });
    expect(template.index_templates[0]!.index_template.index_patterns).toEqual(["logs-sluice-test"]);
    // _resolve/index, not GET _data_stream: the latter is in a module not published to Maven Central.
    const resolved = await bed.client.indices.resolveIndex({ name: "logs-sluice-test" });
    expect(resolved.data_streams.map((d) => d.name)).toEqual(["logs-sluice-test"]);
    expect(resolved.indices).toEqual([]);
    expect(await countDocs(bed.client, "logs-sluice-test")).toBe(1_000);
  }, 120_000);

  it("routes by topic map and by a %{field}/%{+date} template", async () => {
    const topic = "sink-route";
    await topicOfRecords(bed, topic, 500, 25);
    const byField = topicPipeline(bed, topic, {
      index: "route-%{[kubernetes][namespace_name]}-%{+yyyy.MM}",
    });
    await byField.start();
    await waitFor(
      "every record",
      () => committedTotal([bed.kafka.bootstrapServers], topic, topic),
      (n) => n >= 500,
    );
    await byField.stop();
    // Searchable only once refreshed: a real node refreshes every second, not at each write.
    await bed.client.indices.refresh({ index: "route-*" });
    const indices = await bed.client.cat.indices({ index: "route-*", format: "json" });
    const names = indices.map((i) => i.index!).sort();
    expect(names.length).toBeGreaterThan(1);
    for (const name of names) expect(name).toMatch(/^route-[a-z-]+-2024\.11$/);
    expect(indices.reduce((n, i) => n + Number(i["docs.count"]), 0)).toBe(500);
  }, 120_000);
});
