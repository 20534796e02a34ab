// examples/logstash-parity: `pnpm example:logstash-parity`. The seed's Logstash pipeline on Sluice.
import { createLogger, runUntilSignal, tuneProcess } from "@sluice/core";
import { startInfra } from "../shared/infra.js";
import { logstashParityPipeline, TOPICS } from "./pipeline.js";

// The process is ours: a pipeline's heap grows best with V8's growing percent fixed (bench/README.md).
tuneProcess();
const infra = await startInfra();
console.log(`logstash-parity: ${infra.describe()}`);
if (infra.embeddedKafka) for (const topic of TOPICS) await infra.createTopic(topic, 3);
const pipeline = logstashParityPipeline({
  brokers: infra.brokers,
  elasticsearch: { node: infra.esUrl },
  logger: createLogger({ level: process.env.SLUICE_LOG_LEVEL ?? "info" }),
});
await pipeline.start();
console.log("logstash-parity: running; data stream logs-insight-default");
// Runs until SIGTERM or Ctrl-C stops it gracefully; a second one exits at once.
const report = await runUntilSignal(pipeline);
await infra.stop();
process.exit(report.drained ? 0 : 1);
