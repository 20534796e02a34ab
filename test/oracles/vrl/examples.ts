// The vrl crate's documented function examples judged on both sides: the oracle must give each stated
// result (which proves the oracle and the comparison), and so must Sluice for the functions it implements.
import { isDeepStrictEqual } from "node:util";
import type { JsonObject } from "../../../packages/transforms/src/vector/value.js";
import { fromOracle, type VrlExample, type VrlFunction, type VrlOracle } from "./client.js";
import { runSluice, SLUICE_VRL_FUNCTIONS } from "./sluice.js";

/**
 * Examples Sluice deliberately does not run as the crate does, each with the reason; the examples test
 * pins both sides of each, and the counts leave them out.
 */
export const PINNED_EXAMPLES: Readonly<Record<string, string>> = {
  // Function name + example title → why.
  "del: Returns null for unknown field":
    "queries on an expression (not on the event or a variable) are outside Sluice's subset: refused at compile time",
  "exists: Does not exist (field)":
    "queries on an expression (not on the event or a variable) are outside Sluice's subset: refused at compile time",
  "to_string: Regex":
    "regex values are outside Sluice's subset: a regex literal is refused at compile time, before the runtime error",
};

/** How one example went on one side. */
export type Verdict =
  /** Gave the stated result. */
  | { readonly pass: true }
  /** Did not; `why` says what it gave. */
  | { readonly pass: false; readonly why: string }
  /** Sluice could not run it: it calls a function Sluice does not implement (named). */
  | { readonly unsupported: string }
  /** The crate only compiles it (network and the like), or it is pinned as a deliberate difference. */
  | { readonly skipped: string };

export interface ExampleReport {
  readonly function: string;
  readonly example: VrlExample;
  readonly oracle: Verdict;
  /** Absent when Sluice does not implement the example's function. */
  readonly sluice?: Verdict;
}

/** The key PINNED_EXAMPLES uses. */
export function exampleKey(fn: string, example: VrlExample): string {
  return `${fn}: ${example.title}`;
}

/** A value reduced as the crate's example tests compare it: timestamps and regexes as their text. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === "$timestamp" || keys[0] === "$regex"))
      return (value as Record<string, unknown>)[keys[0]];
    // Bytes that are not UTF-8 read lossily, as the crate's tests read them.
    if (keys.length === 1 && keys[0] === "$bytes")
      return Buffer.from((value as { $bytes: string }).$bytes, "hex").toString("utf8");
    if (keys.length === 1 && keys[0] === "$object")
      return comparable((value as { $object: unknown }).$object);
    if (keys.length === 1 && keys[0] === "$float") return value;
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = comparable((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** The JSON kind the crate's non-deterministic examples compare (serde_json's variant). */
function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object")
    return Object.keys(value).length === 1 && "$float" in value ? "number" : "object";
  return typeof value;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function judgeValue(example: VrlExample, got: unknown, want: unknown): Verdict {
  if (!example.deterministic)
    return jsonKind(got) === jsonKind(want)
      ? { pass: true }
      : { pass: false, why: `gave ${show(got)}, of another kind than ${show(want)}` };
  return isDeepStrictEqual(got, want) ? { pass: true } : { pass: false, why: `gave ${show(got)}` };
}

const COMPILE_DIAGNOSTIC = /^error\[E\d+\]/;

async function judgeOracle(oracle: VrlOracle, example: VrlExample): Promise<Verdict> {
  const event = example.input ?? {};
  const answer = await oracle.run(example.source, [event]);
  if ("error" in answer) return { pass: false, why: `${answer.error}: ${answer.message}` };
  if ("compile" in answer) {
    if ("error" in example.result && answer.message.trim() === example.result.error.trim())
      return { pass: true };
    return { pass: false, why: `refused to compile: ${answer.message}` };
  }
  const result = answer.results[0]!;
  if ("error" in result) {
    if (!("error" in example.result))
      return { pass: false, why: `failed (${result.error}): ${result.message}` };
    if (result.message.trim() === example.result.error.trim()) return { pass: true };
    // The crate's tests take an abort's stated result as the event it leaves.
    if (result.error === "abort") return { pass: false, why: `aborted: ${result.message}` };
    return { pass: false, why: `failed with another message: ${result.message}` };
  }
  if (!("ok" in example.result)) return { pass: false, why: `gave ${show(result.value)} instead of failing` };
  return judgeValue(example, comparable(result.value), comparable(example.expected));
}

/** Sluice's value as the crate's tests compare it: timestamps as text; numbers as they are. */
function sluiceComparable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null));
}

function judgeSluice(example: VrlExample): Verdict {
  const outcome = runSluice(example.source, (example.input ?? {}) as JsonObject);
  if ("compile" in outcome) {
    const undefinedCall = /^call to undefined function `([^`]+)`/.exec(outcome.message);
    if (undefinedCall) return { unsupported: undefinedCall[1]! };
    // A stated compile diagnostic: Sluice refusing too is the same outcome (wording is not compared).
    if ("error" in example.result && COMPILE_DIAGNOSTIC.test(example.result.error)) return { pass: true };
    return { pass: false, why: `refused to compile: ${outcome.message}` };
  }
  if ("error" in outcome) {
    // A stated runtime error: failing at run time too is the same outcome (wording is not compared).
    if ("error" in example.result && !COMPILE_DIAGNOSTIC.test(example.result.error)) return { pass: true };
    return { pass: false, why: `failed (${outcome.error}): ${outcome.message}` };
  }
  if (!("ok" in example.result))
    return { pass: false, why: `gave ${show(outcome.value)} instead of failing` };
  const want = sluiceComparable(fromOracle(comparable(example.expected), "text"));
  return judgeValue(example, sluiceComparable(outcome.value), want);
}

/** Every example of every function, judged on the oracle and (for the functions it implements) on Sluice. */
export async function judgeExamples(
  oracle: VrlOracle,
  functions: readonly VrlFunction[],
): Promise<ExampleReport[]> {
  const reports: Array<Promise<ExampleReport>> = [];
  const supported = new Set(SLUICE_VRL_FUNCTIONS);
  for (const fn of functions)
    for (const example of fn.examples) {
      const pinned = PINNED_EXAMPLES[exampleKey(fn.name, example)];
      reports.push(
        (async (): Promise<ExampleReport> => {
          const oracleVerdict: Verdict = example.skip
            ? { skipped: "the crate only compiles it" }
            : await judgeOracle(oracle, example);
          if (!supported.has(fn.name)) return { function: fn.name, example, oracle: oracleVerdict };
          const sluice: Verdict = example.skip
            ? { skipped: "the crate only compiles it" }
            : pinned
              ? { skipped: pinned }
              : judgeSluice(example);
          return { function: fn.name, example, oracle: oracleVerdict, sluice };
        })(),
      );
    }
  return Promise.all(reports);
}
