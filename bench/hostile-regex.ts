// The longest time one record holds the thread in mutate's gsub, over a set of hostile patterns and
// values (nested and overlapping repetition, a record's own value interpolated into a pattern).
// Run: pnpm tsx --conditions=source bench/hostile-regex.ts [value lengths…]   (default 29 1000 10000)
import { eventOf } from "@sluice/core";
import { type MutateOptions, mutate } from "@sluice/transforms";
import { lastValueFrom, of } from "rxjs";

const lengths = process.argv.slice(2).map(Number);
if (lengths.length === 0) lengths.push(29, 1000, 10_000);

/** Each case: the gsub and how the record is made from a length. */
const cases: Array<{ name: string; options: MutateOptions; doc: (n: number) => Record<string, unknown> }> = [
  {
    name: "^(\\w+\\s?)*$",
    options: { gsub: [["m", "^(\\w+\\s?)*$", "x"]] },
    doc: (n) => ({ m: `${"a".repeat(n)}!` }),
  },
  {
    name: "(a|%{[f]})*$, f = a",
    options: { gsub: [["m", "(a|%{[f]})*$", "x"]] },
    doc: (n) => ({ m: `${"a".repeat(n)}!`, f: "a" }),
  },
  {
    name: "(a|%{[f]})*$, f = 256 a",
    options: { gsub: [["m", "(a|%{[f]})*$", "x"]] },
    doc: (n) => ({ m: `${"a".repeat(n)}!`, f: "a".repeat(256) }),
  },
  { name: "^(a+)+$", options: { gsub: [["m", "^(a+)+$", "x"]] }, doc: (n) => ({ m: `${"a".repeat(n)}!` }) },
  {
    name: "(\\s*,\\s*)*x",
    options: { gsub: [["m", "(\\s*,\\s*)*x", "x"]] },
    doc: (n) => ({ m: `${" , ".repeat(Math.ceil(n / 3))}` }),
  },
  {
    name: "\\s+$ (quadratic)",
    options: { gsub: [["m", "\\s+$", ""]] },
    doc: (n) => ({ m: `${" ".repeat(n)}x` }),
  },
  {
    name: "(.*a){12}",
    options: { gsub: [["m", "(.*a){12}", "x"]] },
    doc: (n) => ({ m: "a".repeat(n) }),
  },
];

let worst = { ms: 0, name: "", length: 0 };
for (const c of cases) {
  let stage: ReturnType<typeof mutate>;
  try {
    stage = mutate(c.options);
  } catch (error) {
    console.log(`${c.name.padEnd(24)} refused at construction: ${(error as Error).message}`);
    continue;
  }
  for (const n of lengths) {
    const doc = c.doc(n);
    const start = performance.now();
    await lastValueFrom(of([eventOf(doc)]).pipe(stage));
    const ms = performance.now() - start;
    console.log(`${c.name.padEnd(24)} ${String(n).padStart(6)} chars  ${ms.toFixed(2).padStart(10)} ms`);
    if (ms > worst.ms) worst = { ms, name: c.name, length: n };
  }
}
console.log(`worst: ${worst.ms.toFixed(2)} ms (${worst.name}, ${worst.length} chars)`);
