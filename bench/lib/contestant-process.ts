// One contestant of the end-to-end bench in a process of its own, so that no contestant's garbage, heap
// growth or compiled code is another's: reads one round per line on stdin (JSON), consumes it, and
// answers with a line `ROUND {"seconds":…}`. Exits when stdin closes.
import { createInterface } from "node:readline";
import { baseline, type Round, raw, sluice, sluiceConcurrency } from "./contestants.js";

const contestants = { raw, baseline, sluice } as const;
const name = process.argv[2] as keyof typeof contestants;
const consume = contestants[name];
if (!consume)
  throw new Error(`no contestant ${process.argv[2]}; one of ${Object.keys(contestants).join(", ")}`);

for await (const line of createInterface({ input: process.stdin })) {
  const seconds = await consume(JSON.parse(line) as Round);
  const answer = { seconds, ...(name === "sluice" ? { concurrency: sluiceConcurrency.at(-1) } : {}) };
  process.stdout.write(`ROUND ${JSON.stringify(answer)}\n`);
}
process.exit(0);
