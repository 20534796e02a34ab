// examples/vector-parity: `pnpm example:vector-parity`. The seed's Vector aggregator on Sluice.
import { createLogger, runUntilSignal, tuneProcess } from "@sluice/core";
import { startInfra } from "../shared/infra.js";
import { vectorParityPipelines } from "./pipeline.js";

// The process is ours: a pipeline's heap grows best with V8's growing percent fixed (bench/README.md).
tuneProcess();
const infra = await startInfra();
console.log(`vector-parity: ${infra.describe()}`);
if (infra.embeddedKafka)
  for (const topic of ["insight-logs", "insight-event", "insight-gw-skoala"])
    await infra.createTopic(topic, 3);
const pipelines = vectorParityPipelines({
  brokers: infra.brokers,
  elasticsearch: { node: infra.esUrl },
  logger: createLogger({ level: process.env.SLUICE_LOG_LEVEL ?? "info" }),
});
for (const pipeline of pipelines) await pipeline.start();
console.log(`vector-parity: running ${pipelines.length} pipelines (insight-gw-skoala feeds two sinks)`);
// Runs until SIGTERM or Ctrl-C stops every pipeline gracefully; a second one exits at once.
const reports = await Promise.all(pipelines.map((p) => runUntilSignal(p)));
await infra.stop();
process.exit(reports.every((r) => r.drained) ? 0 : 1);
