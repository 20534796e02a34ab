// examples/logstash-parity: `pnpm example:logstash-parity`. The seed's Logstash configuration — the Helm
// chart's values, its three pipeline files under `logstashPipeline:` — run as it is on Sluice.
//
// It writes what that Logstash writes (README, "Migrating from Logstash or Vector"): `pnpm sluice check
// --logstash test/fixtures/seed/logstash-values.yaml` lists how that differs from Fluent Bit's own
// documents. Its kafka inputs start at the end of the topics, as Logstash's do for a group without commits.
import { runSeed } from "../shared/run-seed.js";

process.exit(await runSeed("logstash-parity", "--logstash", "test/fixtures/seed/logstash-values.yaml"));
