// A user's service in a process of its own, for guest.test.ts: it watches what belongs to the process (V8's
// flags, signal handlers, kafkajs's codec table) before Sluice is loaded, runs a Kafka → Elasticsearch
// pipeline, and prints what it saw as `REPORT {json}` lines.
//
// SERVICE_MODE=plain: no opt-in helper; start, deliver SERVICE_RECORDS, stop; then tuneProcess() and undo.
// SERVICE_MODE=signal: runUntilSignal(); prints `running` and waits for the test's signal.
import v8 from "node:v8";
import kafkajs from "kafkajs";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

// Every V8 flag set from now on, by anyone in this process.
const flagsSet: string[] = [];
const setFlagsFromString = v8.setFlagsFromString;
v8.setFlagsFromString = (flags: string) => {
  flagsSet.push(flags);
  setFlagsFromString(flags);
};
const signals = () => ({
  SIGTERM: process.listenerCount("SIGTERM"),
  SIGINT: process.listenerCount("SIGINT"),
});
const codecTable = { ...kafkajs.CompressionCodecs };
/** The codec table's entries that are not the very functions it held before Sluice was loaded. */
const codecsChanged = () => {
  const now = kafkajs.CompressionCodecs as Record<number, unknown>;
  const keys = new Set([...Object.keys(codecTable), ...Object.keys(now)].map(Number));
  return [...keys].filter((key) => now[key] !== (codecTable as Record<number, unknown>)[key]);
};
const look = () => ({ flagsSet: [...flagsSet], signals: signals(), codecsChanged: codecsChanged() });
const report = (name: string, value: unknown) =>
  process.stdout.write(`REPORT ${JSON.stringify({ name, value })}\n`);

report("before", look());
// Sluice is loaded only now, after the probes are in place.
const { createPipeline, runUntilSignal, silentLogger, tuneProcess } = await import("@sluice/core");
const { elasticsearchDeadLetters, elasticsearchSink } = await import("@sluice/sink-elasticsearch");
const { kafkaSource } = await import("@sluice/source-kafka");
const { epochToIso, parseJson } = await import("@sluice/transforms");

const pipeline = createPipeline({
  name: "guest",
  source: kafkaSource({ brokers: env("KAFKA_BROKERS"), topics: [env("SERVICE_TOPIC")], groupId: "guest" }),
  stages: [parseJson(), epochToIso()],
  sink: elasticsearchSink({ node: env("ES_URL"), index: env("SERVICE_TOPIC") }),
  deadLetters: elasticsearchDeadLetters({ node: env("ES_URL"), index: `${env("SERVICE_TOPIC")}-letters` }),
  commitIntervalMs: 200,
  logger: silentLogger(),
});
report("built", look());

const delivered = async () =>
  (await pipeline.metrics.eventsDelivered.get()).values.reduce((sum, v) => sum + v.value, 0);

if (env("SERVICE_MODE") === "plain") {
  await pipeline.start();
  report("started", look());
  const records = Number(env("SERVICE_RECORDS"));
  // Watched while records flow, every 50 ms, until all are delivered.
  while ((await delivered()) < records) {
    const now = look();
    if (now.flagsSet.length || now.codecsChanged.length) report("running", now);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  report("delivered", { ...look(), delivered: await delivered() });
  const health = pipeline.health().detail as { source: { detail: Record<string, unknown> } };
  report("decoder", {
    health: health.source.detail.recordBatchDecoder,
    metric: (await pipeline.metrics.kafkaDecoderPatched.get()).values,
  });
  report("stopped", { ...look(), stop: await pipeline.stop() });
  await new Promise((resolve) => setTimeout(resolve, 100));
  report("after", look());
  // The opt-in helper: sets V8's flag until undone.
  const undo = tuneProcess({ heapGrowingPercent: 150 });
  report("tuned", look());
  undo();
  report("untuned", look());
  process.exit(0);
} else {
  const running = runUntilSignal(pipeline);
  // It starts the pipeline, then installs its handlers.
  while (pipeline.currentState !== "running") await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setImmediate(resolve));
  report("running", look());
  process.stdout.write("running\n");
  const stop = await running;
  report("stopped", { ...look(), stop, exitCode: process.exitCode ?? 0 });
  process.exit(stop.drained ? 0 : 1);
}
