// Test runner configuration: every package's test/ plus the cross-package tests in test/.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources (the "source" export condition), so tests
// never depend on a stale build.
const conditions = ["source", "import", "module", "node", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ["test/harness/global-setup.ts"],
    pool: "forks",
    // The Kafka source's consumer thread runs from the sources too: it resolves them with the same
    // condition, and loads TypeScript through tsx, registered in worker threads only.
    execArgv: [
      "--conditions=source",
      "--import",
      fileURLToPath(new URL("scripts/ts-threads.mjs", import.meta.url)),
    ],
    // In CI a JSON report lets .ci/run print a plain "N passed, N failed" line.
    reporters: process.env.CI
      ? ["default", ["json", { outputFile: ".cache/vitest-report.json" }]]
      : ["default"],
  },
});
