// Runs once around the whole test run: builds what the backends need once (the mock cluster's launcher,
// the real nodes' launcher classes), and fails the run if any process it started outlived it.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { elasticsearchBackend, kafkaBackend } from "./backends.js";
import { prepareRealElasticsearch } from "./elasticsearch/real-node.js";
import { cacheDir, ensureMockClusterBinary } from "./kafka/launcher.js";
import { prepareRealKafka } from "./kafka/real-cluster.js";

/**
 * Processes of test run `run` still alive: mock-cluster launchers and real nodes' JVMs carrying its tag,
 * and pipelines the tests spawned from test/fixtures (they inherit SLUICE_TEST_RUN).
 */
export function leftoverProcesses(run: string): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      const launcher =
        cmdline.startsWith(cacheDir) &&
        cmdline.includes("sluice-kafka-mock-") &&
        cmdline.endsWith(`--run ${run}`);
      const jvm = cmdline.includes(` -Dsluice.test.run=${run} `);
      const fixture =
        cmdline.includes("test/fixtures/") &&
        readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(`SLUICE_TEST_RUN=${run}`);
      if (launcher || jvm || fixture) {
        const state = /State:\s+(\w)/.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1];
        if (state !== "Z") found.push({ pid: Number(entry), cmdline });
      }
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

export default async function setup(): Promise<() => Promise<void>> {
  // Fault tests use the mock whatever the environment says; real nodes need their classes compiled once.
  await Promise.all([
    ensureMockClusterBinary(),
    kafkaBackend() === "real" ? prepareRealKafka() : undefined,
    elasticsearchBackend() === "real" ? prepareRealElasticsearch() : undefined,
  ]);
  // Test workers inherit this and tag the launchers they start with it.
  const run = randomUUID();
  process.env.SLUICE_TEST_RUN = run;
  return async () => {
    // Give launchers whose parent just died a moment to notice (PR_SET_PDEATHSIG / stdin EOF).
    for (let i = 0; i < 20 && leftoverProcesses(run).length > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    const left = leftoverProcesses(run);
    if (left.length === 0) return;
    for (const { pid } of left) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    throw new Error(`test processes were left behind (now killed): ${left.map((p) => p.pid).join(", ")}`);
  };
}
