// Sluice's outcome for a program on several events, in the oracle's answer shape, so the two sides of a
// differential test compare as plain JSON: timestamps in the event and in the last value are RFC 3339 text.
import { deepClone, encodeTimestamps } from "../../../packages/transforms/src/vector/value.js";
import { runSluice } from "./sluice.js";

/** One event's result: the event and the program's last value, or how it failed. */
export type EventOutcome =
  | { readonly event: unknown; readonly value: unknown }
  | { readonly error: "runtime" | "abort"; readonly message: string };

/** A program's outcome: refused at compile time, or one result per event. */
export type ProgramOutcome =
  | { readonly compile: "error"; readonly message: string }
  | { readonly results: readonly EventOutcome[] };

/** Runs `program` through Sluice's remap compiler on each of `events` in `timezone`. */
export function sluiceOutcome(
  program: string,
  events: readonly Record<string, unknown>[],
  timezone = "UTC",
): ProgramOutcome {
  const results: EventOutcome[] = [];
  for (const event of events) {
    const outcome = runSluice(program, event, timezone);
    if ("compile" in outcome) return outcome;
    if ("error" in outcome) results.push(outcome);
    else results.push({ event: outcome.event, value: encodeTimestamps(deepClone(outcome.value)) });
  }
  // A program with no events still compiles or not.
  if (events.length === 0) {
    const outcome = runSluice(program, {}, timezone);
    if ("compile" in outcome) return outcome;
  }
  return { results };
}
