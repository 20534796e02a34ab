// Vector's VRL conditions (filter's `condition`, route's routes) as predicates over an event's value.
import { compileVrl, type JsonObject, resolveZone } from "@sluice/transforms";
import type { ConfigText } from "../logstash/text.js";
import { atProgram } from "./vrl-position.js";

/** A condition: true keeps (filter) or takes (route) the event. */
export type Condition = (value: unknown) => boolean;

// The program's value is read by assigning it to the root: Sluice's compiled VRL returns the root only.
const PREFIX = '. = {"v": (';

/**
 * A VRL condition true exactly where `text` passes as a condition (it runs without error and yields
 * `true`), to combine conditions with `&&`, `||` and `!` in one text without changing what each decides.
 */
export function passesText(text: string): string {
  // `f!(…)` aborts the whole program; as `f(…)` its error is caught by `??`, as the condition alone fails.
  const caught = text.replace(/\b([A-Za-z_][A-Za-z0-9_]*)!\(/g, "$1(");
  for (const candidate of [`((${caught}\n) ?? false) == true`, `((${text}\n) ?? false) == true`]) {
    try {
      compileVrl(`${PREFIX}${candidate}\n)}`, "condition");
      return candidate;
    } catch {
      // The compiler refuses `??` after an expression that cannot fail: the next form is the one.
    }
  }
  return `(${text}\n) == true`;
}

/**
 * Compiles a VRL condition. As Vector, an event whose condition fails at run time, or yields something
 * other than `true`, does not pass.
 */
export function compileCondition(program: ConfigText, label: string): Condition {
  const compiled = atProgram(
    program,
    label,
    () => compileVrl(`${PREFIX}${program.text}\n)}`, label),
    PREFIX.length,
  );
  const zone = resolveZone("UTC");
  return (value) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
    // A copy, because a condition that assigns must not change the event that goes on.
    const root = structuredClone(value) as JsonObject;
    const run = { root, variables: new Array(compiled.variables).fill(null), stamped: [], zone };
    try {
      return compiled.run(run as Parameters<typeof compiled.run>[0]).v === true;
    } catch {
      return false;
    }
  };
}
