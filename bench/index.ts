// `pnpm bench [records] [runs]`: the end-to-end comparison, memory under a stalled sink, and the
// per-stage figures; results in bench/results/bench.json and bench/results/bench.svg.
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { runE2e } from "./e2e.js";
import { barChart } from "./lib/chart.js";
import { spawnScript } from "./lib/child.js";
import { SLUICE_NODE_FLAGS } from "./lib/node-flags.js";
import { type MemoryResult, runMemory } from "./memory.js";

const records = Number(process.argv[2] ?? 500_000);
const runs = Number(process.argv[3] ?? 3);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`bench: ${records} records, ${runs} runs, on ${machine}`);

const e2e = await runE2e(records, runs);
for (const c of e2e.contestants)
  console.log(
    `e2e ${c.name.padEnd(12)} ${c.recordsPerSecond.toLocaleString("en-US").padStart(9)} records/s ${String(c.mbPerSecond).padStart(6)} MB/s  (runs: ${c.perRun.join(", ")})`,
  );
const verdict = (value: number, target: number) =>
  `${value} (target ≥ ${target}: ${value >= target ? "met" : "NOT met"})`;
console.log(`e2e sluice/baseline ${verdict(e2e.ratios.sluiceOverBaseline, 4)}`);
console.log(`e2e sluice/raw      ${verdict(e2e.ratios.sluiceOverRaw, 0.6)}`);
const flags = SLUICE_NODE_FLAGS.join(" ");
console.log(`e2e sluice-tuned/baseline ${verdict(e2e.ratios.tunedOverBaseline, 4)} (node ${flags})`);
console.log(`e2e sluice-tuned/raw      ${verdict(e2e.ratios.tunedOverRaw, 0.6)} (node ${flags})`);
console.log(
  `e2e sluice's adaptive bulk concurrency at the end of a round: median ${e2e.sluiceConcurrency.median}, max ${e2e.sluiceConcurrency.max}`,
);

const memoryReport = (m: MemoryResult) =>
  `memory${m.nodeFlags.length > 0 ? ` (node ${m.nodeFlags.join(" ")})` : ""}: peak RSS ${m.peakRssMiB} MiB with ${m.records} records waiting (bound ${m.boundMiB} MiB: ${m.peakRssMiB <= m.boundMiB ? "kept" : "EXCEEDED"}); all delivered ${m.secondsToDrain} s after recovery`;
const memory = await runMemory(records);
console.log(memoryReport(memory));
const memoryTuned = await runMemory(records, SLUICE_NODE_FLAGS);
console.log(memoryReport(memoryTuned));

const stagesRun = spawnScript("bench/stages.ts");
stagesRun.child.stdin!.end();
if ((await stagesRun.exited) !== 0) throw new Error(`bench/stages.ts failed:\n${stagesRun.output()}`);
process.stdout.write(stagesRun.output());
const stages = JSON.parse(readFileSync(new URL("./results/stages.json", import.meta.url), "utf8")) as {
  results: Array<{ stage: string; recordsPerSecond: number }>;
};

const date = new Date().toISOString().slice(0, 10);
writeFileSync(
  new URL("./results/bench.json", import.meta.url),
  `${JSON.stringify({ date, machine, e2e, memory, memoryTuned, stages: stages.results }, null, 2)}\n`,
);
writeFileSync(
  new URL("./results/bench.svg", import.meta.url),
  barChart(`Sluice benchmarks, ${date}`, machine, [
    {
      title: `Kafka → Elasticsearch, ${records.toLocaleString("en-US")} records of ~${e2e.meanBytes} B (median of ${runs})`,
      unit: "records/s",
      bars: e2e.contestants.map((c) => ({
        label: {
          raw: "kafkajs alone (ceiling)",
          baseline: "hand-written eachBatch + bulk",
          sluice: "Sluice insight-logs",
          "sluice-tuned": `Sluice, node ${flags}`,
        }[c.name as "raw" | "baseline" | "sluice" | "sluice-tuned"],
        value: c.recordsPerSecond,
        highlight: c.name.startsWith("sluice"),
      })),
    },
    {
      title: `Peak RSS, sink stalled, ${memory.records.toLocaleString("en-US")} records waiting`,
      unit: "MiB",
      bars: [
        { label: "Sluice insight-logs", value: memory.peakRssMiB, highlight: true },
        { label: `Sluice, node ${flags}`, value: memoryTuned.peakRssMiB, highlight: true },
        { label: "bound", value: memory.boundMiB },
      ],
    },
    {
      title: "Transform stages alone, one thread",
      unit: "records/s",
      bars: stages.results.map((s) => ({ label: s.stage, value: s.recordsPerSecond })),
    },
  ]),
);
console.log("bench: wrote bench/results/bench.json and bench/results/bench.svg");
