// Where the sink writes what it cannot route as asked: events whose index template does not resolve go to
// dead letters or to templateFallbackIndex (never to an index named with a literal `%{`); tombstones
// (null values) are dead-lettered, ignored or delete the document of their key; a data stream template
// Elasticsearch refuses fails the start with its reason.
import { ErrorCode, PipelineMetrics, silentLogger } from "@sluice/core";
import { elasticsearchSink } from "@sluice/sink-elasticsearch";
import { parseJson } from "@sluice/transforms";
import kafkajs from "kafkajs";
import { describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import {
  countDocs,
  runUntilCommitted,
  type Testbed,
  topicPipeline,
  useTestbed,
  waitForCommits,
} from "./helpers.js";

const { Kafka, logLevel } = kafkajs;

interface Letter {
  error: { code: string; type: string; reason: string; stage: string };
  kafka: { offset: string };
}

type Message = { key?: string; value: string | null };

/** Writes `messages` to `topic` (created with one partition when `create`) with kafkajs, in order. */
async function produce(bed: Testbed, topic: string, messages: Message[], create = true): Promise<void> {
  if (create) await bed.kafka.createTopic(topic, 1);
  const kafka = new Kafka({
    brokers: [bed.kafka.bootstrapServers],
    clientId: "sink-targets",
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

async function lettersOf(bed: Testbed, index: string): Promise<Letter[]> {
  if (!(await bed.client.indices.exists({ index }))) return [];
  await bed.client.indices.refresh({ index });
  const found = await bed.client.search<Letter>({ index, size: 100 });
  return found.hits.hits
    .map((h) => h._source!)
    .sort((a, b) => Number(a.kafka.offset) - Number(b.kafka.offset));
}

describe(`Elasticsearch sink targets ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();

  it("an index template that does not resolve: the event is dead-lettered with the reference, and no `%{` index is created", async () => {
    const topic = "template-unresolved";
    await produce(bed, topic, [
      { value: JSON.stringify({ app: "web", n: 0 }) },
      { value: JSON.stringify({ n: 1 }) },
      { value: JSON.stringify({ app: "db", n: 2 }) },
    ]);
    const pipeline = topicPipeline(bed, topic, { index: `${topic}-%{[app]}`, stages: [parseJson()] });
    await runUntilCommitted(pipeline, bed, topic, 3);
    expect(await countDocs(bed.client, `${topic}-web`)).toBe(1);
    expect(await countDocs(bed.client, `${topic}-db`)).toBe(1);
    const indices = (await bed.client.cat.indices({ format: "json" })).map((i) => i.index ?? "");
    expect(indices.filter((name) => name.includes("%{"))).toEqual([]);
    const letters = await lettersOf(bed, `${topic}-letters`);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.kafka.offset).toBe("1");
    expect(letters[0]!.error).toMatchObject({
      code: ErrorCode.ES_TARGET,
      type: "index_template_unresolved",
      reason: expect.stringContaining("no value for %{[app]}"),
    });
  }, 120_000);

  it("with templateFallbackIndex the event whose template does not resolve lands there", async () => {
    const topic = "template-fallback";
    await produce(bed, topic, [
      { value: JSON.stringify({ app: "web", n: 0 }) },
      { value: JSON.stringify({ n: 1 }) },
      { value: JSON.stringify({ n: 2 }) },
    ]);
    const pipeline = topicPipeline(bed, topic, {
      index: `${topic}-%{[app]}`,
      stages: [parseJson()],
      sink: { templateFallbackIndex: `${topic}-unrouted` },
    });
    await runUntilCommitted(pipeline, bed, topic, 3);
    expect(await countDocs(bed.client, `${topic}-web`)).toBe(1);
    expect(await countDocs(bed.client, `${topic}-unrouted`)).toBe(2);
    expect(await lettersOf(bed, `${topic}-letters`)).toEqual([]);
    const indices = (await bed.client.cat.indices({ format: "json" })).map((i) => i.index ?? "");
    expect(indices.filter((name) => name.includes("%{"))).toEqual([]);
  }, 120_000);

  it("a tombstone passes the parser and is dead-lettered by default (SLUICE_ERR_NULL_VALUE); an empty value is a parse failure", async () => {
    const topic = "tombstone-default";
    await produce(bed, topic, [
      { key: "k1", value: JSON.stringify({ n: 0 }) },
      { key: "k1", value: null },
      { key: "k2", value: JSON.stringify({ n: 2 }) },
      { key: "k3", value: "" },
    ]);
    const pipeline = topicPipeline(bed, topic, { stages: [parseJson()] });
    await runUntilCommitted(pipeline, bed, topic, 4);
    expect(await countDocs(bed.client, `${topic}-docs`)).toBe(2);
    const letters = await lettersOf(bed, `${topic}-letters`);
    expect(letters.map((l) => l.kafka.offset)).toEqual(["1", "3"]);
    expect(letters[0]!.error).toMatchObject({ code: ErrorCode.NULL_VALUE, type: "null_value" });
    expect(letters[1]!.error).toMatchObject({ code: ErrorCode.PARSE });
  }, 120_000);

  it('nullValues "ignore": a tombstone is acknowledged, nothing written, nothing dead-lettered', async () => {
    const topic = "tombstone-ignore";
    await produce(bed, topic, [
      { key: "k1", value: JSON.stringify({ n: 0 }) },
      { key: "k1", value: null },
      { key: "k2", value: JSON.stringify({ n: 2 }) },
    ]);
    const pipeline = topicPipeline(bed, topic, { stages: [], sink: { nullValues: "ignore" } });
    await runUntilCommitted(pipeline, bed, topic, 3);
    expect(await countDocs(bed.client, `${topic}-docs`)).toBe(2);
    expect(await lettersOf(bed, `${topic}-letters`)).toEqual([]);
  }, 120_000);

  it('nullValues "delete" with id "key": a tombstone deletes the document of its key; one for a key never written is fine', async () => {
    const topic = "tombstone-delete";
    const index = `${topic}-docs`;
    await produce(bed, topic, [
      { key: "k1", value: JSON.stringify({ v: 1 }) },
      { key: "k2", value: JSON.stringify({ v: 2 }) },
    ]);
    const pipeline = topicPipeline(bed, topic, {
      stages: [parseJson()],
      sink: { id: "key", action: "index", nullValues: "delete" },
    });
    try {
      await pipeline.start();
      await waitForCommits(bed.kafka.brokers, topic, topic, 2);
      expect((await bed.client.get({ index, id: "k1" })).found).toBe(true);
      await produce(
        bed,
        topic,
        [
          { key: "k1", value: null },
          { key: "never-written", value: null },
        ],
        false,
      );
      await waitForCommits(bed.kafka.brokers, topic, topic, 4);
    } finally {
      await pipeline.stop();
    }
    await bed.client.indices.refresh({ index });
    expect(await bed.client.exists({ index, id: "k1" })).toBe(false);
    expect((await bed.client.get<{ v: number }>({ index, id: "k2" }))._source).toEqual({ v: 2 });
    expect(await countDocs(bed.client, index)).toBe(1);
    expect(await lettersOf(bed, `${topic}-letters`)).toEqual([]);
  }, 120_000);

  it("a data stream template Elasticsearch refuses fails the start with SLUICE_ERR_ES_TEMPLATE and its reason", async () => {
    const sink = elasticsearchSink({
      node: bed.es.url,
      index: "logs-refused-template",
      dataStream: {
        template: {
          name: "sluice-refused-template",
          // Replaces the patterns the sink puts: a template without any, which Elasticsearch refuses.
          body: { index_patterns: [] },
        },
      },
    });
    const context = {
      pipeline: "template-refused",
      logger: silentLogger(),
      metrics: new PipelineMetrics(),
      signal: new AbortController().signal,
    };
    const error = await sink.connect(context).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message?: string },
    );
    await sink.close();
    expect(error?.code).toBe(ErrorCode.ES_TEMPLATE);
    expect(error?.message).toMatch(
      /refused the data stream's index template sluice-refused-template \(HTTP 400\)/,
    );
    expect(error?.message).toContain(
      "illegal_argument_exception: There must be at least one pattern, zero given",
    );
  }, 120_000);
});
