// examples/insight-logs: `pnpm example:insight-logs`. Kafka's three insight topics into Elasticsearch,
// configured by the environment (see config.ts); embedded Kafka / the emulator when none is named.
import { createLogger, runUntilSignal, tuneProcess } from "@sluice/core";
import { startInfra } from "../shared/infra.js";
import { configFromEnv } from "./config.js";
import { untilIdle } from "./idle.js";
import { insightLogsPipeline } from "./pipeline.js";

// The process is ours: a pipeline's heap grows best with V8's growing percent fixed (bench/README.md).
tuneProcess();
const config = configFromEnv();
const infra = await startInfra();
console.log(`insight-logs: ${infra.describe()}`);
if (infra.embeddedKafka) for (const topic of Object.keys(config.targets)) await infra.createTopic(topic, 3);

const { pipeline, source } = insightLogsPipeline({
  brokers: infra.brokers,
  groupId: config.groupId,
  ...(config.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: config.sessionTimeoutMs } : {}),
  targets: config.targets,
  elasticsearch: { node: infra.esUrl, ...config.elasticsearch },
  deadLetterIndex: config.deadLetterIndex,
  ...(config.httpPort !== undefined ? { httpPort: config.httpPort } : {}),
  logger: createLogger({ level: process.env.SLUICE_LOG_LEVEL ?? "info" }),
});

try {
  await pipeline.start();
} catch (error) {
  console.error(`insight-logs: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  await infra.stop();
  process.exit(1);
}
console.log(
  `insight-logs: running: ${Object.entries(config.targets)
    .map(([topic, target]) => `${topic} → ${target}`)
    .join(
      ", ",
    )}; dead letters → ${config.deadLetterIndex}${pipeline.httpUrl ? `; ${pipeline.httpUrl}/metrics` : ""}`,
);

// SIGTERM or Ctrl-C stops it gracefully; a second one exits at once.
const stopped = runUntilSignal(pipeline);
if (config.exitWhenIdleMs !== undefined) {
  await untilIdle(pipeline, source, { idleMs: config.exitWhenIdleMs });
  if (pipeline.currentState === "running") console.log("insight-logs: caught up and idle; stopping");
  void pipeline.stop();
}
const report = await stopped;
await infra.stop();
console.log(
  `insight-logs: stopped (${report.drained ? "drained" : `${report.unsettled} unsettled, not committed`})`,
);
process.exit(report.drained ? 0 : 1);
