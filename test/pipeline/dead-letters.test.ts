// Records that cannot be delivered go to dead letters with their bytes intact; the pipeline goes on. A
// letter its destination refuses for good is stored in minimal form, or the pipeline stops saying why.
import { createHash, randomBytes } from "node:crypto";
import {
  createPipeline,
  type DeadLetterContentOptions,
  ErrorCode,
  type Logger,
  mapValues,
  originId,
  reject,
  SluiceEvent,
  silentLogger,
  toDeadLetter,
} from "@sluice/core";
import { elasticsearchDeadLetters, elasticsearchSink } from "@sluice/sink-elasticsearch";
import { deadLetterHeaders, kafkaDeadLetters, kafkaSource, registerCodecs } from "@sluice/source-kafka";
import { epochToIso, parseJson } from "@sluice/transforms";
import kafkajs from "kafkajs";
import { describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import {
  committedTotal,
  countDocs,
  keptLog,
  runUntilCommitted,
  type Testbed,
  topicPipeline,
  useTestbed,
  waitFor,
  waitForDocs,
} from "./helpers.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

/** Produces records with headers through kafkajs (kcat cannot give a header an empty name). */
async function produceWithHeaders(
  brokers: string[],
  topic: string,
  messages: Array<{ value: string | Buffer; headers?: Record<string, string | Buffer> }>,
): Promise<void> {
  const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

interface StoredLetter {
  form: string;
  refusal?: string;
  error: { code: string; stage: string; reason: string };
  kafka: {
    offset: string;
    key: { data: string; encoding: string } | null;
    headers: Array<{ key: string; value: string; encoding: string }>;
  };
  raw: { bytes: number; truncated: boolean; data?: string; encoding?: string; sha256?: string };
}

async function lettersByOffset(bed: { client: import("@elastic/elasticsearch").Client }, index: string) {
  const found = await bed.client.search<StoredLetter>({ index, size: 100 });
  return new Map(found.hits.hits.map((h) => [h._source!.kafka.offset, h._source!]));
}

describe(`dead letters ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();

  it("sends a record that is not JSON to the dead-letter index with its bytes intact, and goes on", async () => {
    const topic = "dlq-es";
    await bed.kafka.createTopic(topic, 1);
    const good = fluentBitRecords(200, { seed: 5 });
    const notJson = '{"@timestamp":1732492800.5,"log":"truncated';
    const binary = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x22, 0xc3, 0x28, 0x7d]); // not UTF-8, no newline
    const messages: Array<string | Buffer> = [...good.slice(0, 100), notJson, binary, ...good.slice(100)];
    await produceWithKcat({ brokers: bed.kafka.bootstrapServers, topic, messages });

    const pipeline = topicPipeline(bed, topic);
    await pipeline.start();
    await waitForDocs(bed.client, "dlq-es-docs", 200);
    await waitForDocs(bed.client, "dlq-es-letters", 2);
    await pipeline.stop();

    expect(await countDocs(bed.client, "dlq-es-docs")).toBe(200);
    const letters = await bed.client.search<{
      error: { code: string; type: string; stage: string; reason: string };
      kafka: { topic: string; partition: number; offset: string };
      raw: { data: string; encoding: string; bytes: number };
    }>({ index: "dlq-es-letters", size: 10 });
    const docs = letters.hits.hits.map((h) => h._source!);
    expect(docs.length).toBe(2);
    const byOffset = new Map(docs.map((d) => [d.kafka.offset, d]));
    const truncated = byOffset.get("100")!;
    // Stored once: as text when it is UTF-8, as base64 when it is not.
    expect(truncated.raw).toEqual({
      data: notJson,
      encoding: "utf8",
      bytes: notJson.length,
      truncated: false,
    });
    expect(truncated.error).toMatchObject({
      code: "SLUICE_ERR_PARSE",
      type: "json_parse_exception",
      stage: "parseJson",
    });
    expect(truncated.kafka).toMatchObject({ topic, partition: 0 });
    const bytes = byOffset.get("101")!;
    expect(bytes.raw.encoding).toBe("base64");
    expect(Buffer.from(bytes.raw.data, "base64").equals(binary)).toBe(true);
    expect(bytes.error).toMatchObject({ code: "SLUICE_ERR_PARSE", type: "invalid_utf8" });
  }, 120_000);

  it("routes Elasticsearch's refusals (a mapping conflict) to dead letters with Elasticsearch's reason", async () => {
    const topic = "dlq-mapping";
    await bed.kafka.createTopic(topic, 1);
    const records = [
      JSON.stringify({ "@timestamp": 1732492800.1, log: "a", kubernetes: { labels: { app: "x" } } }),
      JSON.stringify({
        "@timestamp": 1732492800.2,
        log: "b",
        kubernetes: { labels: { app: { name: "y" } } },
      }),
      JSON.stringify({ "@timestamp": 1732492800.3, log: "c", kubernetes: { labels: { app: "z" } } }),
    ];
    await produceWithKcat({ brokers: bed.kafka.bootstrapServers, topic, messages: records });
    const pipeline = topicPipeline(bed, topic);
    await pipeline.start();
    await waitForDocs(bed.client, "dlq-mapping-letters", 1);
    await waitForDocs(bed.client, "dlq-mapping-docs", 2);
    await pipeline.stop();
    const [letter] = (
      await bed.client.search<{
        error: { type: string; reason: string; code: string };
        raw: { data: string };
      }>({
        index: "dlq-mapping-letters",
      })
    ).hits.hits.map((h) => h._source!);
    expect(letter!.error.code).toBe("SLUICE_ERR_REJECTED");
    expect(letter!.error.type).toBe("document_parsing_exception");
    expect(letter!.error.reason).toContain("kubernetes.labels.app");
    expect(letter!.raw.data).toBe(records[1]);
  }, 120_000);

  it("writes dead letters to a Kafka topic with the raw bytes as value and the error as headers", async () => {
    const topic = "dlq-kafka-in";
    const dlqTopic = "dlq-kafka-out";
    await bed.kafka.createTopic(topic, 1);
    await bed.kafka.createTopic(dlqTopic, 1);
    const bad = "not json at all";
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: [...fluentBitRecords(3, { seed: 1 }), bad],
    });
    const pipeline = createPipeline({
      name: "kafka-dlq",
      source: kafkaSource({ brokers: bed.kafka.brokers, topics: [topic], groupId: "dlq-kafka" }),
      stages: [parseJson(), epochToIso()],
      sink: elasticsearchSink({ node: bed.es.url, index: "dlq-kafka-docs" }),
      deadLetters: kafkaDeadLetters({ brokers: bed.kafka.brokers, topic: dlqTopic }),
      logger: silentLogger(),
    });
    await pipeline.start();
    await waitForDocs(bed.client, "dlq-kafka-docs", 3);

    const received = await readTopic(bed.kafka.brokers, dlqTopic, 1);
    await pipeline.stop();
    expect(received.length).toBe(1);
    expect(received[0]!.value!.toString()).toBe(bad);
    expect(received[0]!.headers).toMatchObject({
      [deadLetterHeaders.code]: "SLUICE_ERR_PARSE",
      [deadLetterHeaders.type]: "json_parse_exception",
      [deadLetterHeaders.stage]: "parseJson",
      [deadLetterHeaders.topic]: topic,
      [deadLetterHeaders.partition]: "0",
      [deadLetterHeaders.offset]: "3",
      [deadLetterHeaders.pipeline]: "kafka-dlq",
    });
  }, 120_000);

  it("stores letters of records whose header names cannot be field names, and commits past them", async () => {
    const topic = "dlq-headers";
    await bed.kafka.createTopic(topic, 1);
    const many: Record<string, string> = {};
    for (let i = 0; i < 1100; i++) many[`h${i}`] = `v${i}`;
    const good = fluentBitRecords(2, { seed: 9 });
    await produceWithHeaders(bed.kafka.brokers, topic, [
      { value: "not json 0", headers: { "": "empty name" } },
      { value: "not json 1", headers: { ".": "dot" } },
      { value: "not json 2", headers: { a: "x", "a.b": "y" } },
      { value: "not json 3", headers: many },
      // A value that looks like a date first, then one that does not, in the same field.
      { value: "not json 4", headers: { when: "2026-12-06T10:00:00Z" } },
      { value: "not json 5", headers: { when: "not a date", bin: Buffer.from([0xff, 0x00]) } },
      { value: good[0]! },
      { value: good[1]! },
    ]);
    await runUntilCommitted(topicPipeline(bed, topic), bed, topic, 8);
    const letters = await lettersByOffset(bed, `${topic}-letters`);
    expect(letters.size).toBe(6);
    for (const letter of letters.values()) expect(letter.form).toBe("full");
    expect(letters.get("0")!.kafka.headers).toEqual([{ key: "", value: "empty name", encoding: "utf8" }]);
    expect(letters.get("1")!.kafka.headers).toEqual([{ key: ".", value: "dot", encoding: "utf8" }]);
    expect(letters.get("2")!.kafka.headers.map((h) => h.key)).toEqual(["a", "a.b"]);
    expect(letters.get("3")!.kafka.headers.length).toBe(1100);
    expect(letters.get("5")!.kafka.headers).toEqual([
      { key: "when", value: "not a date", encoding: "utf8" },
      { key: "bin", value: Buffer.from([0xff, 0x00]).toString("base64"), encoding: "base64" },
    ]);
    expect(await countDocs(bed.client, `${topic}-docs`)).toBe(2);
  }, 150_000);

  it("stores a letter its index refuses for good in minimal form, and commits past it", async () => {
    const topic = "dlq-minimal";
    await bed.kafka.createTopic(topic, 1);
    // An index of the user's whose mapping cannot take the record's bytes as text (where they are now,
    // and where they were before letters had a fixed shape).
    await bed.client.indices.create({
      index: `${topic}-letters`,
      mappings: { properties: { raw: { properties: { data: { type: "long" }, text: { type: "long" } } } } },
    });
    const bad = "definitely not json";
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: [bad, ...fluentBitRecords(3, { seed: 3 })],
    });
    await runUntilCommitted(topicPipeline(bed, topic), bed, topic, 4);
    const letter = (await lettersByOffset(bed, `${topic}-letters`)).get("0")!;
    expect(letter.form).toBe("minimal");
    expect(letter.refusal).toContain("raw.data");
    expect(letter.error).toMatchObject({ code: ErrorCode.PARSE, stage: "parseJson" });
    expect(letter.raw).toEqual({
      bytes: bad.length,
      truncated: false,
      sha256: createHash("sha256").update(bad).digest("hex"),
    });
    expect(letter.kafka.headers).toEqual([]);
  }, 150_000);

  it("stops with SLUICE_ERR_DEAD_LETTER_REFUSED when even the minimal letter is refused, committing nothing past it", async () => {
    const topic = "dlq-refused";
    await bed.kafka.createTopic(topic, 1);
    await bed.client.indices.create({
      index: `${topic}-letters`,
      mappings: { properties: { error: { properties: { code: { type: "long" } } } } },
    });
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: [...fluentBitRecords(2, { seed: 4 }), "not json", ...fluentBitRecords(2, { seed: 5 })],
    });
    const { logger, entries } = keptLog("warn");
    const pipeline = topicPipeline(bed, topic, { logger });
    await pipeline.start();
    const report = await pipeline.stopped;
    expect(pipeline.currentState).toBe("failed");
    expect(report.drained).toBe(false);
    expect(pipeline.health().status).toBe("down");
    const fatal = entries().find((l) => l.code === ErrorCode.DEAD_LETTER_REFUSED);
    expect(fatal?.err).toMatch(/refused the dead letter of dlq-refused\/0@2 even in minimal form/);
    expect(await committedTotal([bed.kafka.bootstrapServers], topic, topic)).toBeLessThanOrEqual(2);
  }, 150_000);

  it("logs each new dead-letter reason and reports degraded while letters pass the share, ok once good records follow", async () => {
    const topic = "dlq-health";
    await bed.kafka.createTopic(topic, 1);
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: Array.from({ length: 50 }, (_, i) => `bad ${i}`),
    });
    const { logger, entries } = keptLog("warn");
    const refuseBad = mapValues<Buffer, Buffer>("refuseBad", (raw) =>
      raw.toString().startsWith("bad") ? reject("bad_record", "a bad record", ErrorCode.TRANSFORM) : raw,
    );
    const pipeline = createPipeline({
      name: "dlq-health",
      source: kafkaSource({ brokers: bed.kafka.brokers, topics: [topic], groupId: topic }),
      stages: [refuseBad, parseJson(), epochToIso()],
      sink: elasticsearchSink({ node: bed.es.url, index: `${topic}-docs` }),
      deadLetters: elasticsearchDeadLetters({ node: bed.es.url, index: `${topic}-letters` }),
      deadLetterAlerts: { windowMs: 2_000, degradedShare: 0.1 },
      logger,
    });
    await pipeline.start();
    try {
      // The dead letters' share, not the source's join, which reports degraded too until it is done.
      await waitFor(
        "health degraded by dead letters",
        () => pipeline.health(),
        (h) =>
          h.status === "degraded" &&
          (h.detail as { deadLetters?: { status: string } }).deadLetters?.status === "degraded",
      );
      const reasons = entries().filter((l) => l.code === ErrorCode.TRANSFORM && l.stage === "refuseBad");
      expect(reasons.length).toBe(1);
      expect(reasons[0]).toMatchObject({ type: "bad_record", count: 1 });
      expect(reasons[0]!.msg).toContain("SLUICE_ERR_TRANSFORM in refuseBad");
      await waitForDocs(bed.client, `${topic}-letters`, 50);
      await produceWithKcat({
        brokers: bed.kafka.bootstrapServers,
        topic,
        messages: fluentBitRecords(200, { seed: 8 }),
      });
      await waitForDocs(bed.client, `${topic}-docs`, 200);
      await waitFor(
        "health ok again",
        () => pipeline.health(),
        (h) => h.status === "ok",
      );
      expect(await countDocs(bed.client, `${topic}-docs`)).toBe(200);
    } finally {
      await pipeline.stop();
    }
  }, 150_000);

  it("keeps, truncates, hashes or omits a letter's bytes and headers as its options say", async () => {
    const index = "dlq-privacy";
    const text = "héllo wörld, not json";
    const binary = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x22]);
    const event = (offset: number, raw: Buffer) => {
      const e = new SluiceEvent(undefined, raw, {
        topic: "privacy",
        partition: 0,
        offset: String(offset),
        key: Buffer.from("k"),
        headers: { user: "alice", trace: Buffer.from([0xc3, 0x28]) },
        timestamp: "1732492800000",
      });
      e.fail({ code: ErrorCode.PARSE, type: "json_parse_exception", reason: "bad", stage: "parseJson" });
      return e;
    };
    const cases: Array<{ options: DeadLetterContentOptions; raw: Buffer; expect: Partial<StoredLetter> }> = [
      {
        options: {},
        raw: Buffer.from(text),
        expect: { raw: { bytes: Buffer.byteLength(text), truncated: false, data: text, encoding: "utf8" } },
      },
      {
        options: {},
        raw: binary,
        expect: { raw: { bytes: 5, truncated: false, data: binary.toString("base64"), encoding: "base64" } },
      },
      {
        // 2 bytes would split the "é": the cut goes back to a whole character.
        options: { raw: "truncate", rawMaxBytes: 2 },
        raw: Buffer.from(text),
        expect: { raw: { bytes: Buffer.byteLength(text), truncated: true, data: "h", encoding: "utf8" } },
      },
      {
        options: { raw: "hash" },
        raw: Buffer.from(text),
        expect: {
          raw: {
            bytes: Buffer.byteLength(text),
            truncated: false,
            sha256: createHash("sha256").update(text).digest("hex"),
          },
        },
      },
      {
        options: { raw: "omit", headers: "omit" },
        raw: Buffer.from(text),
        expect: {
          raw: { bytes: Buffer.byteLength(text), truncated: false },
          kafka: { offset: "4", key: { data: "k", encoding: "utf8" }, headers: [] },
        },
      },
      {
        options: { headers: "keep" },
        raw: Buffer.from(text),
        expect: {
          kafka: {
            offset: "5",
            key: { data: "k", encoding: "utf8" },
            headers: [
              { key: "user", value: "alice", encoding: "utf8" },
              { key: "trace", value: Buffer.from([0xc3, 0x28]).toString("base64"), encoding: "base64" },
            ],
          },
        },
      },
    ];
    for (const [i, c] of cases.entries()) {
      const destination = elasticsearchDeadLetters({ node: bed.es.url, index, ...c.options });
      await destination.connect({ logger: silentLogger(), pipeline: "privacy" });
      const letter = toDeadLetter(event(i, c.raw), "privacy");
      expect(await destination.write([letter])).toEqual([{ status: "stored" }]);
      await destination.close();
      const stored = await bed.client.get<StoredLetter>({ index, id: originId(letter.origin) });
      expect(stored._source, `case ${i}: ${JSON.stringify(c.options)}`).toMatchObject(c.expect);
      if (c.expect.raw) expect(stored._source!.raw).toEqual(c.expect.raw);
    }
    expect(() => elasticsearchDeadLetters({ node: bed.es.url, raw: "some" as "full" })).toThrow(/`raw`/);
    expect(() => elasticsearchDeadLetters({ node: bed.es.url, rawMaxBytes: 0 })).toThrow(/`rawMaxBytes`/);
  }, 120_000);

  it("on a Kafka topic too: truncates, hashes or omits the bytes, keeps or omits the record's headers", async () => {
    const dlqTopic = "dlq-kafka-privacy";
    await bed.kafka.createTopic(dlqTopic, 1);
    const text = "héllo wörld, not json";
    const cases: Array<{
      options: DeadLetterContentOptions;
      value: Buffer | null;
      headers: Record<string, string>;
    }> = [
      { options: {}, value: Buffer.from(text), headers: { user: "alice" } },
      {
        options: { raw: "truncate", rawMaxBytes: 2, headers: "omit" },
        value: Buffer.from("h"),
        headers: { "sluice.raw.truncated": "true" },
      },
      {
        options: { raw: "hash" },
        value: null,
        headers: { "sluice.raw.sha256": createHash("sha256").update(text).digest("hex") },
      },
      {
        options: { raw: "omit" },
        value: null,
        headers: { "sluice.raw.bytes": String(Buffer.byteLength(text)) },
      },
    ];
    for (const [i, c] of cases.entries()) {
      const event = new SluiceEvent(undefined, Buffer.from(text), {
        topic: "privacy",
        partition: 0,
        offset: String(i),
        key: null,
        headers: { user: "alice" },
        timestamp: "1732492800000",
      });
      event.fail({ code: ErrorCode.PARSE, type: "json_parse_exception", reason: "bad", stage: "parseJson" });
      const destination = kafkaDeadLetters({ brokers: bed.kafka.brokers, topic: dlqTopic, ...c.options });
      await destination.connect({ logger: silentLogger(), pipeline: "privacy" });
      expect(await destination.write([toDeadLetter(event, "privacy")])).toEqual([{ status: "stored" }]);
      await destination.close();
    }
    const received = await readTopic(bed.kafka.brokers, dlqTopic, cases.length);
    for (const [i, c] of cases.entries()) {
      const message = received.find((m) => m.headers["sluice.origin.offset"] === String(i))!;
      expect(message.value, `case ${i}`).toEqual(c.value);
      expect(message.headers, `case ${i}`).toMatchObject(c.headers);
      expect("user" in message.headers, `case ${i}`).toBe(c.options.headers !== "omit");
    }
  }, 120_000);

  it("sends a letter larger than the topic's max.message.bytes in minimal form, and commits past it", async () => {
    const topic = "dlq-big-in";
    const dlqTopic = "dlq-big-out";
    await bed.kafka.createTopic(topic, 1);
    await bed.kafka.createTopic(dlqTopic, 1, 1, { "max.message.bytes": "4096" });
    // Random bytes: not UTF-8, so parseJson refuses them, and LZ4 cannot shrink them under the limit.
    const big = randomBytes(20_000);
    big[0] = 0xff;
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: [...fluentBitRecords(2, { seed: 11 })],
    });
    await produceWithHeaders(bed.kafka.brokers, topic, [
      { value: big },
      { value: fluentBitRecords(1, { seed: 12 })[0]! },
    ]);
    await runUntilCommitted(kafkaLetterPipeline(bed, topic, dlqTopic), bed, topic, 4);
    const [letter] = await readTopic(bed.kafka.brokers, dlqTopic, 1);
    expect(letter!.value).toBeNull();
    expect(letter!.headers).toMatchObject({
      "sluice.letter.form": "minimal",
      "sluice.origin.offset": "2",
      "sluice.raw.bytes": "20000",
      "sluice.raw.sha256": createHash("sha256").update(big).digest("hex"),
      "sluice.error.code": ErrorCode.PARSE,
    });
    expect(letter!.headers["sluice.letter.refusal"]).toMatch(/larger|too large/i);
  }, 150_000);

  it("stops with SLUICE_ERR_DEAD_LETTER_REFUSED when the topic refuses even the minimal letter", async () => {
    const topic = "dlq-tiny-in";
    const dlqTopic = "dlq-tiny-out";
    await bed.kafka.createTopic(topic, 1);
    await bed.kafka.createTopic(dlqTopic, 1, 1, { "max.message.bytes": "100" });
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      messages: ["not json", ...fluentBitRecords(2, { seed: 13 })],
    });
    const { logger, entries } = keptLog("warn");
    const pipeline = kafkaLetterPipeline(bed, topic, dlqTopic, logger);
    await pipeline.start();
    await pipeline.stopped;
    expect(pipeline.currentState).toBe("failed");
    expect(entries().find((l) => l.code === ErrorCode.DEAD_LETTER_REFUSED)?.err).toMatch(
      /refused the dead letter of dlq-tiny-in\/0@0 even in minimal form/,
    );
    expect(await committedTotal([bed.kafka.bootstrapServers], topic, topic)).toBe(0);
  }, 150_000);
});

function kafkaLetterPipeline(bed: Testbed, topic: string, dlqTopic: string, logger?: Logger) {
  return topicPipeline(bed, topic, {
    deadLetters: kafkaDeadLetters({ brokers: bed.kafka.brokers, topic: dlqTopic }),
    ...(logger ? { logger } : {}),
  });
}

/** Reads `count` messages of a topic from its start. */
async function readTopic(
  brokers: string[],
  topic: string,
  count: number,
): Promise<Array<{ value: Buffer | null; headers: Record<string, string> }>> {
  registerCodecs();
  const consumer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).consumer({
    groupId: `${topic}-reader`,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const received: Array<{ value: Buffer | null; headers: Record<string, string> }> = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      received.push({ value: message.value, headers });
    },
  });
  try {
    await waitFor(
      `${count} message(s) on ${topic}`,
      () => received.length,
      (n) => n >= count,
      30_000,
    );
  } finally {
    await consumer.disconnect();
  }
  return received;
}
