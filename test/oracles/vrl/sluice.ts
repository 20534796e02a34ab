// Sluice's side of a VRL comparison: a program compiled by Sluice's remap compiler and run on one
// event, with the program's value (its last expression's) as well as the event it leaves.
import { VrlCompileError } from "../../../packages/transforms/src/vector/ast.js";
import { check } from "../../../packages/transforms/src/vector/check.js";
import { generate } from "../../../packages/transforms/src/vector/codegen.js";
import { FUNCTIONS } from "../../../packages/transforms/src/vector/functions.js";
import { parse } from "../../../packages/transforms/src/vector/parser.js";
import { parseZone } from "../../../packages/transforms/src/vector/time.js";
import {
  deepClone,
  type JsonObject,
  VrlAbort,
  VrlError,
} from "../../../packages/transforms/src/vector/value.js";

/** The VRL functions Sluice implements: its function table plus the two that take a path (del, exists). */
export const SLUICE_VRL_FUNCTIONS: readonly string[] = [...Object.keys(FUNCTIONS), "del", "exists"].sort();

/** What Sluice made of a program on one event. */
export type SluiceOutcome =
  | { readonly compile: "error"; readonly message: string }
  | { readonly event: JsonObject; readonly value: unknown }
  | { readonly error: "runtime" | "abort"; readonly message: string };

/**
 * Compiles `program` and runs it on a copy of `event` in `timezone`. The event comes back as the remap
 * stage passes it on (timestamps as RFC 3339 text); the value as the program holds it (VrlTimestamp).
 */
export function runSluice(program: string, event: JsonObject, timezone = "UTC"): SluiceOutcome {
  const zone = parseZone(timezone);
  if (!zone) throw new Error(`unknown timezone ${timezone}`);
  let evaluate: ReturnType<typeof generate>;
  let variables: number;
  try {
    const syntax = parse(program);
    const checked = check(syntax);
    evaluate = generate(syntax, checked);
    variables = checked.variables;
  } catch (error) {
    if (error instanceof VrlCompileError) return { compile: "error", message: error.message };
    throw error;
  }
  const run = {
    root: deepClone(event) as JsonObject,
    variables: new Array<unknown>(variables).fill(null),
    stamped: [] as Array<(root: JsonObject) => JsonObject>,
    zone,
  };
  try {
    const value = evaluate(run);
    let root = run.root;
    for (const finish of run.stamped) root = finish(root);
    return { event: root, value: value === undefined ? null : value };
  } catch (error) {
    if (error instanceof VrlAbort) return { error: "abort", message: error.message };
    if (error instanceof VrlError) return { error: "runtime", message: error.message };
    throw error;
  }
}
