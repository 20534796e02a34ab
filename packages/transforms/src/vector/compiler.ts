// Compiles a VRL program in three steps: parse (parser.ts), check (check.ts), generate code (codegen.ts).
import { check } from "./check.js";
import { generate, type RunContext } from "./codegen.js";
import { parse } from "./parser.js";
import type { JsonObject } from "./value.js";

export { VrlCompileError } from "./ast.js";
export type { RunContext } from "./codegen.js";

export interface Program {
  /** Runs on `run.root`; throws VrlError or VrlAbort. Returns the event's final root. */
  run(run: RunContext): JsonObject;
  /** How many variables a run needs (`run.variables`' length). */
  readonly variables: number;
  /** True when a failure can follow a change to the event, so the caller must keep the original. */
  readonly needsSnapshot: boolean;
}

/** Compiles `source`; throws VrlCompileError (with the offset of the problem) when Vector would refuse it. */
export function compile(source: string): Program {
  const syntax = parse(source);
  const checked = check(syntax);
  const evaluate = generate(syntax, checked);
  return {
    variables: checked.variables,
    needsSnapshot: checked.facts(syntax).failsAfterMutation,
    run(run: RunContext): JsonObject {
      evaluate(run);
      let root = run.root;
      const stamped = run.stamped;
      for (let i = 0; i < stamped.length; i++) root = stamped[i]!(root);
      return root;
    },
  };
}
