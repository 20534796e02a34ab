// Compares the VRL oracle's answer with Sluice's outcome for the same program and events: both refuse to
// compile, or each event gives the same event and last value, or both fail the same way.
import { isDeepStrictEqual } from "node:util";
import { fromOracle, type VrlRunAnswer } from "./client.js";
import type { ProgramOutcome } from "./sluice-outcome.js";

/** The oracle's answer to one program (its protocol: test/oracles/vrl/src/main.rs). */
export type OracleAnswer = VrlRunAnswer | { readonly error: "request"; readonly message: string };

/** An oracle value as Sluice holds it once it leaves a remap stage: floats as numbers, timestamps as text. */
const untag = (value: unknown): unknown => fromOracle(value, "text");

/** JSON's view of a value: -0 and 0 alike, as both sides write them to a document. */
const canonical = (value: unknown): unknown =>
  value === undefined ? null : eachString(JSON.parse(JSON.stringify(value) ?? "null"), jsonDetail);

/** What the outcome was, in a word: for counting how generated cases fared. */
export function outcomeClass(outcome: ProgramOutcome): string {
  if ("compile" in outcome) return "compile error";
  return outcome.results.map((r) => ("error" in r ? r.error : "ok")).join("+");
}

/**
 * Deliberate divergences (each pinned in packages/transforms/test/vector/vrl-parity.test.ts): the reason
 * when this case is one of them, so the comparison skips it.
 */
export function pinnedDivergence(
  program: string,
  oracle: OracleAnswer,
  sluice: ProgramOutcome,
): string | undefined {
  const sluiceText =
    "compile" in sluice
      ? sluice.message
      : sluice.results.map((r) => ("message" in r ? r.message : "")).join("\n");
  const oracleEvents =
    "results" in oracle
      ? oracle.results.filter((r) => "event" in r).map((r) => untag((r as { event: unknown }).event))
      : [];
  if (
    sluiceText.includes("the event root can only be an object") ||
    oracleEvents.some((e) => e === null || typeof e !== "object" || Array.isArray(e))
  )
    return "root";
  if (program.includes("%Z") && program.includes("Asia/Kolkata")) return "zone abbreviation";
  const vrlRefuses = "compile" in oracle ? oracle.message : "";
  // VRL knows the fields of an object literal given to the root; Sluice's checker only that it is an object.
  if (
    /^\. = (\{|merge\()/m.test(program) &&
    /error\[E(642|110|651|104)\]/.test(vrlRefuses) &&
    !("compile" in sluice)
  )
    return "closed object";
  // VRL's lexer loses its way in some bracketed expressions (`[(… .)]`, `[(t'…' + .), .]`) when a quoted
  // literal follows later on the line; Sluice reads such programs as VRL's grammar describes them.
  if (
    /Expected characters at end of \w+ literal/.test(vrlRefuses) &&
    program.includes("]") &&
    !("compile" in sluice)
  )
    return "lexer";
  // VRL also knows what a variable holds below its top (a literal container's elements, `x.a = 1`);
  // Sluice's checker only the variable's own kind.
  const onlyOneRefuses = "compile" in oracle !== "compile" in sluice;
  if (onlyOneRefuses && /^[a-z_]\w*(?: = [[{]|[.[][^=\n]*=)/m.test(program)) return "variable contents";
  // chrono-tz stops daylight saving time in 2037; Intl keeps the zone's rules going.
  if (program.includes("2262") && /timezone: "(?!UTC)/.test(program)) return "far-future zone rules";
  return undefined;
}

/**
 * Error texts as both sides can agree on them (each pinned): parse_json's detail is JSON.parse's on one
 * side and serde_json's on the other, and a whole float (`-0.0`, `2.0`) is an integer to JavaScript.
 */
const jsonDetail = (value: unknown): unknown =>
  typeof value === "string"
    ? value
        .replace(/(unable to (?:parse|read) json: ).*$/s, "$1…")
        .replace(/\b(?:integer|float)\b/g, "number")
    : value;

/** The value with `edit` applied to every string in it. */
function eachString(value: unknown, edit: (text: unknown) => unknown): unknown {
  if (typeof value === "string") return edit(value);
  if (Array.isArray(value)) return value.map((item) => eachString(item, edit));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, eachString(v, edit)]));
}

/** Undefined when both sides agree, else the difference in a sentence with both outcomes. */
export function difference(oracle: OracleAnswer, sluice: ProgramOutcome): string | undefined {
  if ("error" in oracle) throw new Error(`the oracle refused the request: ${oracle.message}`);
  const both = `\nvrl:    ${JSON.stringify(oracle)}\nsluice: ${JSON.stringify(sluice)}`;
  if ("compile" in oracle || "compile" in sluice) {
    if ("compile" in oracle && "compile" in sluice) return undefined;
    return `${"compile" in oracle ? "only vrl" : "only sluice"} refuses to compile the program${both}`;
  }
  for (let i = 0; i < oracle.results.length; i++) {
    const want = oracle.results[i]!;
    const got = sluice.results[i]!;
    if ("error" in want || "error" in got) {
      if ("error" in want && "error" in got && want.error === got.error) continue;
      return `event ${i}: ${"error" in want ? `vrl fails (${want.error})` : "vrl runs"}, ${"error" in got ? `sluice fails (${got.error})` : "sluice runs"}${both}`;
    }
    if (!isDeepStrictEqual(canonical(untag(want.event)), canonical(got.event)))
      return `event ${i}: the resulting events differ${both}`;
    if (!isDeepStrictEqual(canonical(untag(want.value ?? null)), canonical(got.value)))
      return `event ${i}: the programs' last values differ${both}`;
  }
  return undefined;
}
