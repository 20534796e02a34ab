// Heap held by hostile records in flight: records of a few MB whose JSON is `{"a":[{},{},…]}` (~20 times
// their bytes once parsed) go through parseJson, and their text through Logstash's json filter; the
// events that come out are all kept, as a stalled sink keeps them, and the heap is read after each batch
// and, collected, at the end.
// Run: pnpm tsx --conditions=source bench/hostile-memory.ts [records=100] [MiB per record=2]
// (Node may need --max-old-space-size where the records are parsed: 100 × 2 MiB took ~4.3 GB.)
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { eventOf, type SluiceEvent, type Stage } from "@sluice/core";
import { json, parseJson } from "@sluice/transforms";
import { lastValueFrom, of } from "rxjs";

const records = Number(process.argv[2] ?? 100);
const mib = Number(process.argv[3] ?? 2);
const batch = 10;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapMiB = () => process.memoryUsage().heapUsed / 2 ** 20;

const inner = Array.from({ length: Math.floor((mib * 2 ** 20) / 3) }, () => "{}").join(",");
const hostile = `{"a":[${inner}]}`;

async function measure<A>(name: string, stage: () => Stage<A, unknown>, input: () => A): Promise<void> {
  const inputs = Array.from({ length: records }, () => eventOf(input()));
  gc();
  const base = heapMiB();
  let peak = base;
  const kept: SluiceEvent<unknown>[] = [];
  const started = performance.now();
  const s = stage();
  for (let i = 0; i < records; i += batch) {
    const out = await lastValueFrom(of(inputs.slice(i, i + batch)).pipe(s));
    kept.push(...out);
    peak = Math.max(peak, heapMiB());
  }
  const ms = performance.now() - started;
  gc();
  const held = heapMiB() - base;
  const refused = kept.filter((e) => !e.ok).length;
  const reason = kept.find((e) => !e.ok)?.failure?.reason ?? "-";
  console.log(
    `${name.padEnd(14)} ${records} × ${(hostile.length / 2 ** 20).toFixed(2)} MiB: peak heap +${(peak - base).toFixed(0)} MiB, held +${held.toFixed(0)} MiB after GC, ${refused} refused (${reason}), ${ms.toFixed(0)} ms`,
  );
  kept.length = 0;
}

await measure(
  "parseJson",
  () => parseJson(),
  () => Buffer.from(hostile),
);
await measure(
  "json (Logstash)",
  () => json({ source: "message", on_failure: "deadLetter" }),
  () => ({ message: hostile }),
);
