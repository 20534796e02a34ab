// The demo (`pnpm demo`): Kafka and Elasticsearch (embedded unless KAFKA_BROKERS / ES_URL name them),
// realistic Fluent Bit records produced to the three insight topics by librdkafka (kcat, LZ4, Fluent
// Bit's producer settings), the insight-logs pipeline draining them with a live progress line, then a
// summary and a few documents as they landed.
import { Client } from "@elastic/elasticsearch";
import { createLogger, runUntilSignal, tuneProcess } from "@sluice/core";
import { produceWithKcat } from "../../test/harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../../test/harness/kafka/records.js";
import { configFromEnv } from "../insight-logs/config.js";
import { untilIdle } from "../insight-logs/idle.js";
import { insightLogsPipeline } from "../insight-logs/pipeline.js";
import { startInfra } from "../shared/infra.js";

// The process is ours: a pipeline's heap grows best with V8's growing percent fixed (bench/README.md).
tuneProcess();
const total = Number(process.env.SLUICE_DEMO_RECORDS ?? 60_000);
if (!Number.isInteger(total) || total < 10)
  throw new Error(`SLUICE_DEMO_RECORDS must be a whole number ≥ 10, got ${process.env.SLUICE_DEMO_RECORDS}`);
const config = configFromEnv();
const topics = Object.keys(config.targets);
// Container logs dominate; events and gateway logs are fewer, as on a real platform.
const shares: Record<string, number> = {
  "insight-logs": 0.7,
  "insight-event": 0.2,
  "insight-gw-skoala": 0.1,
};
const plan = topics.map((topic, i) => ({
  topic,
  records: fluentBitRecords(Math.round(total * (shares[topic] ?? 1 / topics.length)), { seed: 100 + i }),
}));
// Records no pipeline can write: they end in the dead-letter index with their bytes, the rest goes on.
const broken = [
  '{"@timestamp":1732492800.5,"log":"truncated',
  "plain text, not JSON",
  '{"log":"no timestamp"}',
];
plan[0]!.records.push(...broken);
const produced = Object.fromEntries(plan.map((p) => [p.topic, p.records.length]));

const infra = await startInfra();
console.log(`demo: ${infra.describe()}`);
for (const topic of topics) await infra.createTopic(topic, 3);
const started = Date.now();

const { pipeline, source } = insightLogsPipeline({
  brokers: infra.brokers,
  groupId: process.env.KAFKA_GROUP_ID || "sluice-demo",
  targets: config.targets,
  elasticsearch: { node: infra.esUrl, ...config.elasticsearch },
  deadLetterIndex: config.deadLetterIndex,
  logger: createLogger({ level: process.env.SLUICE_LOG_LEVEL ?? "warn" }),
});
await pipeline.start();
// Ctrl-C stops it gracefully (what was delivered is committed); a second one exits at once.
const stopped = runUntilSignal(pipeline);
console.log(
  `demo: producing ${Object.values(produced).reduce((a, b) => a + b, 0)} records with kcat (LZ4) to ${topics.join(", ")}; insight-logs is draining them`,
);

const sum = async (metric: { get(): Promise<{ values: Array<{ value: number }> }> }) =>
  (await metric.get()).values.reduce((acc, v) => acc + v.value, 0);
let lastDelivered = 0;
let lastAt = Date.now();
// The pipeline's own pace: from the first delivery to the last, without start-up and idle time.
let firstDeliveryAt: number | undefined;
let lastDeliveryAt: number | undefined;
let backlog = Number.NaN;
const tty = process.stdout.isTTY;
const progress = setInterval(async () => {
  const delivered = await sum(pipeline.metrics.eventsDelivered);
  const deadLetters = await sum(pipeline.metrics.eventsDeadLettered);
  const now = Date.now();
  const rate = Math.round(((delivered - lastDelivered) * 1000) / Math.max(1, now - lastAt));
  if (delivered > lastDelivered) {
    firstDeliveryAt ??= lastAt;
    lastDeliveryAt = now;
  }
  [lastDelivered, lastAt] = [delivered, now];
  const line = `demo: ${delivered.toLocaleString("en")} delivered, ${rate.toLocaleString("en")} records/s, in flight ${pipeline.flow.events.toLocaleString("en")}, lag ${Number.isNaN(backlog) ? "?" : backlog.toLocaleString("en")}, dead letters ${deadLetters}`;
  if (tty) process.stdout.write(`\r${line.padEnd(100)}`);
  else console.log(line);
}, 1000);

// Produced in slices, so the pipeline drains while records still arrive, as in production.
const slice = 5000;
await Promise.all(
  plan.map(async ({ topic, records }) => {
    for (let i = 0; i < records.length; i += slice)
      await produceWithKcat({ brokers: infra.brokers, topic, messages: records.slice(i, i + slice) });
  }),
);
await untilIdle(pipeline, source, {
  idleMs: 1500,
  onPoll: (b) => {
    backlog = b;
  },
});
clearInterval(progress);
if (tty) process.stdout.write("\n");
const delivered = await sum(pipeline.metrics.eventsDelivered);
const deadLettered = await sum(pipeline.metrics.eventsDeadLettered);
void pipeline.stop();
const report = await stopped;
const seconds = (Date.now() - started) / 1000;

const es = new Client({
  node: infra.esUrl,
  ...(config.elasticsearch.auth ? { auth: config.elasticsearch.auth } : {}),
});
const countOf = async (index: string) => {
  if (!(await es.indices.exists({ index }))) return 0;
  await es.indices.refresh({ index });
  return (await es.count({ index })).count;
};
const summary = {
  seconds: Number(seconds.toFixed(1)),
  recordsPerSecond:
    firstDeliveryAt !== undefined && lastDeliveryAt !== undefined
      ? Math.round(((delivered + deadLettered) * 1000) / Math.max(1, lastDeliveryAt - firstDeliveryAt))
      : 0,
  drained: report.drained,
  delivered,
  deadLettered,
  topics: await Promise.all(
    topics.map(async (topic) => ({
      topic,
      produced: produced[topic]!,
      target: config.targets[topic]!,
      documents: await countOf(config.targets[topic]!),
    })),
  ),
  deadLetters: { index: config.deadLetterIndex, documents: await countOf(config.deadLetterIndex) },
};
console.log(
  `demo: done in ${summary.seconds} s; the pipeline drained ${(delivered + deadLettered).toLocaleString("en")} records at ${summary.recordsPerSecond.toLocaleString("en")} records/s (while kcat was still producing them)`,
);
for (const t of summary.topics)
  console.log(
    `demo:   ${t.topic.padEnd(18)} ${String(t.produced).padStart(7)} produced → ${String(t.documents).padStart(7)} documents in ${t.target}`,
  );
console.log(
  `demo:   ${"dead letters".padEnd(18)} ${String(broken.length).padStart(7)} broken   → ${String(summary.deadLetters.documents).padStart(7)} documents in ${summary.deadLetters.index}`,
);

console.log("demo: a document as it landed (what Fluent Bit's es output would have written):");
const [first] = (
  await es.search({ index: config.targets[topics[0]!]!, size: 1, sort: [{ "@timestamp": "asc" }] })
).hits.hits;
console.log(JSON.stringify({ _index: first?._index, _id: first?._id, _source: first?._source }, null, 2));
console.log("demo: a dead letter (the record's bytes, the error, its Kafka coordinates):");
const [letter] = (await es.search({ index: config.deadLetterIndex, size: 1 })).hits.hits;
console.log(JSON.stringify(letter?._source, null, 2));
console.log(`demo: summary ${JSON.stringify(summary)}`);
await es.close();
await infra.stop();
process.exit(report.drained ? 0 : 1);
