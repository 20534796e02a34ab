// A/B: contestants that differ by Node flags, environment variables or checkout, over the same rounds in
// rotated order, so a change is measured side by side in one run (the end-to-end bench's bed, e2e.ts).
// Prints records/s per run, each contestant's ratio to the first one run by run and their medians, and,
// for a contestant started with --trace-gc, its process's full collections and scavenges per 100 000
// records (every isolate: the main thread and the consumer threads).
//
// Run: pnpm bench:ab [records] [runs] label=[name@][root][:arg,arg…] …
//   name: raw | baseline | sluice (the default); root: a checkout with its node_modules installed (this
//   one by default, e.g. a `git worktree` of main for the A side); args starting with `-` are Node flags,
//   NAME=value ones environment variables. E.g.
//   pnpm bench:ab 135000 8 main=../main-worktree new= tuned=:--initial-old-space-size=96

import { runOnce, startBenchBed } from "./e2e.js";
import { median } from "./lib/child.js";
import { Contestant } from "./lib/contestant.js";

export interface AbSpec {
  label: string;
  name: string;
  root?: string;
  nodeArgs: string[];
  env: Record<string, string>;
}

/** `label=[name@][root][:arg,arg…]`, as above. */
export function parseSpec(text: string): AbSpec {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new Error(`bench:ab: "${text}" is not label=[name@][root][:args]`);
  const label = text.slice(0, eq);
  let rest = text.slice(eq + 1);
  let name = "sluice";
  const at = rest.indexOf("@");
  if (at >= 0) {
    name = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  const colon = rest.indexOf(":");
  const root = colon < 0 ? rest : rest.slice(0, colon);
  const args =
    colon < 0
      ? []
      : rest
          .slice(colon + 1)
          .split(",")
          .filter(Boolean);
  const env: Record<string, string> = {};
  for (const arg of args.filter((a) => !a.startsWith("-"))) {
    const i = arg.indexOf("=");
    if (i <= 0) throw new Error(`bench:ab: "${arg}" is neither a Node flag nor NAME=value`);
    env[arg.slice(0, i)] = arg.slice(i + 1);
  }
  return {
    label,
    name,
    ...(root ? { root } : {}),
    nodeArgs: args.filter((a) => a.startsWith("-")),
    env,
  };
}

interface GcCount {
  full: number;
  scavenges: number;
}

/** Counts the collections in `--trace-gc` lines, of every isolate of the process. */
function gcCounter(): { count: GcCount; onLine: (line: string) => void } {
  const count = { full: 0, scavenges: 0 };
  return {
    count,
    onLine: (line) => {
      if (/: Mark-Compact /.test(line)) count.full++;
      else if (/: Scavenge /.test(line)) count.scavenges++;
    },
  };
}

export async function runAb(records: number, runs: number, specs: AbSpec[], log = console.log) {
  if (specs.length < 2) throw new Error("bench:ab: give at least two contestants");
  const bed = await startBenchBed(records);
  const gc = specs.map(() => gcCounter());
  const contestants = specs.map(
    (s, i) =>
      new Contestant(s.name, s.nodeArgs, {
        ...(s.root ? { root: s.root } : {}),
        env: s.env,
        onLine: gc[i]!.onLine,
      }),
  );
  const rates = specs.map(() => [] as number[]);
  try {
    for (let run = 0; run < runs; run++) {
      const seconds = await runOnce(
        bed,
        contestants,
        specs.map((s) => `ab-${s.label}`),
        run,
      );
      for (let i = 0; i < specs.length; i++) rates[i]!.push(records / seconds[i]!);
      const ratios = specs
        .slice(1)
        .map((s, i) => `${s.label} ${(rates[i + 1]![run]! / rates[0]![run]!).toFixed(3)}`);
      log(
        `ab run ${run + 1}/${runs}: ${specs.map((s, i) => `${s.label} ${Math.round(rates[i]![run]!).toLocaleString("en-US")}/s`).join(", ")}; over ${specs[0]!.label}: ${ratios.join(", ")}`,
      );
    }
  } finally {
    await Promise.all(contestants.map((c) => c.stop()));
    await bed.stop();
  }
  const counted = records * runs;
  return specs.map((s, i) => ({
    label: s.label,
    recordsPerSecond: Math.round(median(rates[i]!)),
    overFirst: Number(median(rates[i]!.map((r, run) => r / rates[0]![run]!)).toFixed(3)),
    perRun: rates[i]!.map(Math.round),
    ...(s.nodeArgs.includes("--trace-gc")
      ? {
          fullCollectionsPer100k: Number(((gc[i]!.count.full * 1e5) / counted).toFixed(1)),
          scavengesPer100k: Number(((gc[i]!.count.scavenges * 1e5) / counted).toFixed(1)),
        }
      : {}),
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [records, runs, ...specs] = process.argv.slice(2);
  const result = await runAb(Number(records ?? 135_000), Number(runs ?? 8), specs.map(parseSpec));
  console.log(JSON.stringify(result, null, 2));
}
