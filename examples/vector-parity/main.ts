// examples/vector-parity: `pnpm example:vector-parity`. The seed's Vector aggregator — the Kubernetes
// ConfigMap holding its config — run as it is on Sluice.
//
// It writes what that Vector writes (README, "Migrating from Logstash or Vector"), insight-gw-skoala's
// records twice as its graph sends them: `pnpm sluice check --vector test/fixtures/seed/vector-configmap.yaml`
// lists how that differs from Fluent Bit's own documents.
import { runSeed } from "../shared/run-seed.js";

process.exit(await runSeed("vector-parity", "--vector", "test/fixtures/seed/vector-configmap.yaml"));
