// The README's first command: the demo runs end to end, and its summary matches what reached Elasticsearch.
import { describe, expect, it } from "vitest";
import { elasticsearchNames, kafkaNames, runsOn } from "../harness/backends.js";
import { countDocs, useTestbed } from "../pipeline/helpers.js";
import { runExample } from "./run.js";

interface Summary {
  drained: boolean;
  delivered: number;
  deadLettered: number;
  topics: Array<{ topic: string; produced: number; target: string; documents: number }>;
  deadLetters: { index: string; documents: number };
}

function summaryOf(output: string): Summary {
  const line = output.split("\n").find((l) => l.startsWith("demo: summary "));
  if (!line) throw new Error(`the demo printed no summary:\n${output}`);
  return JSON.parse(line.slice("demo: summary ".length)) as Summary;
}

describe(`the demo ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();

  it("on KAFKA_BROKERS and ES_URL: every record lands, the summary says so, the broken ones are dead letters", async () => {
    // The mock cluster takes topics from its launcher only; the demo creates those that are missing.
    for (const topic of ["insight-logs", "insight-event", "insight-gw-skoala"])
      await bed.kafka.createTopic(topic, 3);
    const run = runExample("examples/demo/main.ts", {
      KAFKA_BROKERS: bed.kafka.bootstrapServers,
      ES_URL: bed.es.url,
      SLUICE_DEMO_RECORDS: "3000",
      KAFKA_GROUP_ID: "demo-on-testbed",
    });
    const code = await run.exited;
    const output = run.output();
    expect(code, output).toBe(0);
    expect(output.split("\n")[0]).toBe(
      `demo: Kafka at ${bed.kafka.bootstrapServers} (KAFKA_BROKERS); Elasticsearch at ${bed.es.url} (ES_URL)`,
    );
    const summary = summaryOf(output);
    expect(summary.drained).toBe(true);
    expect(summary.topics.map((t) => t.target)).toEqual([
      "insight-es-k8s-logs-alias",
      "insight-es-k8s-event-logs-alias",
      "skoala-gw-alias",
    ]);
    // What the summary says is what the emulator holds.
    for (const t of summary.topics) expect(t.documents).toBe(await countDocs(bed.client, t.target));
    expect(summary.deadLetters.documents).toBe(await countDocs(bed.client, "sluice-dead-letter"));
    // And it is everything that was produced: the three broken records in dead letters, the rest delivered.
    expect(summary.deadLetters.documents).toBe(3);
    const produced = summary.topics.reduce((n, t) => n + t.produced, 0);
    const landed = summary.topics.reduce((n, t) => n + t.documents, 0);
    expect(produced).toBe(3003);
    expect(landed + summary.deadLetters.documents).toBe(produced);
    expect(summary.delivered).toBe(landed);
    expect(output).toMatch(/records\/s, in flight [\d,]+, lag [\d,?]+, dead letters \d+/);
    const doc = await bed.client.search<Record<string, unknown>>({
      index: "insight-es-k8s-logs-alias",
      size: 1,
      query: { term: { _id: "insight-logs+0+0" } },
    });
    expect(doc.hits.hits[0]?._source?.["@timestamp"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }, 180_000);

  it("with nothing set, starts Kafka and Elasticsearch itself and says which first", async () => {
    const run = runExample("examples/demo/main.ts", {
      KAFKA_BROKERS: undefined,
      ES_URL: undefined,
      SLUICE_DEMO_RECORDS: "2000",
    });
    const code = await run.exited;
    const output = run.output();
    expect(code, output).toBe(0);
    // What the harness starts with KAFKA_BROKERS and ES_URL unset: real ones, unless the run asks otherwise.
    const kafka = kafkaNames[process.env.SLUICE_TEST_KAFKA === "mock" ? "mock" : "real"];
    const es = elasticsearchNames[process.env.SLUICE_TEST_ES === "emulator" ? "emulator" : "real"];
    const first = output.split("\n")[0]!;
    expect(first).toMatch(
      /^demo: KAFKA_BROKERS is unset: started .+ at [\d.:]+; ES_URL is unset: started .+ at http:\/\/127\.0\.0\.1:\d+$/,
    );
    expect(first).toContain(`started ${kafka} at`);
    expect(first).toContain(`started ${es} at`);
    const summary = summaryOf(output);
    for (const t of summary.topics)
      expect(t.documents).toBe(t.topic === "insight-logs" ? t.produced - 3 : t.produced);
    expect(summary.deadLetters.documents).toBe(3);
  }, 180_000);
});
