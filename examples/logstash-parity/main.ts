// examples/logstash-parity: `pnpm example:logstash-parity`. The seed's Logstash pipeline on Sluice.
import { createLogger } from "@sluice/core";
import { startInfra } from "../shared/infra.js";
import { logstashParityPipeline, TOPICS } from "./pipeline.js";

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
const report = await pipeline.stopped;
await infra.stop();
process.exit(report.drained ? 0 : 1);
