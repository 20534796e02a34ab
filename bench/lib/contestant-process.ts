// One contestant of the end-to-end bench in a process of its own, so that no contestant's garbage, heap
// growth or compiled code is another's: reads one round per line on stdin (JSON), consumes it with the
// consumer its first round made, and answers with a line `ROUND {"seconds":…}`. Exits when stdin closes.
import { createInterface } from "node:readline";
import { baseline, type Round, raw, type Session, sluice, sluiceConcurrency } from "./contestants.js";

const contestants = { raw, baseline, sluice } as const;
const name = process.argv[2] as keyof typeof contestants;
const open = contestants[name];
if (!open) throw new Error(`no contestant ${process.argv[2]}; one of ${Object.keys(contestants).join(", ")}`);

let session: Session | undefined;
for await (const line of createInterface({ input: process.stdin })) {
  const round = JSON.parse(line) as Round;
  session ??= await open(round);
  const seconds = await session.round(round.count);
  const answer = { seconds, ...(name === "sluice" ? { concurrency: sluiceConcurrency.at(-1) } : {}) };
  process.stdout.write(`ROUND ${JSON.stringify(answer)}\n`);
}
await session?.close();
process.exit(0);
