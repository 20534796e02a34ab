// remap: Vector's remap transform: a VRL program, compiled once, run on each event's JSON object.
import { mapValues, reject, SluiceConfigError, type Stage, validateOptions } from "@sluice/core";
import { lineColumn, VrlCompileError } from "./ast.js";
import { compile, type Program, type RunContext } from "./compiler.js";
import { parseZone } from "./time.js";
import { deepClone, isObject, type JsonObject, VrlAbort, VrlError } from "./value.js";

/** Mirrors Vector's remap transform one to one, so each option is spelled as Vector spells it. */
export interface RemapOptions {
  /** The VRL program. */
  source: string;
  /** On a runtime error, drop the event instead of passing the original on unchanged. Default false. */
  drop_on_error?: boolean;
  /** On `abort`, drop the event instead of passing the original on unchanged. Default true, as Vector. */
  drop_on_abort?: boolean;
  /**
   * Send events dropped by `drop_on_error`/`drop_on_abort` to dead letters (Vector's `<id>.dropped`
   * output) instead of discarding them. Default false, as Vector.
   */
  reroute_dropped?: boolean;
  /** Zone for parse_timestamp formats without an offset: an IANA name, "UTC" or "local" (default, as Vector). */
  timezone?: string;
  /** The stage's name in metrics and dead letters. */
  name?: string;
}

export const schema = {
  type: "object",
  properties: {
    source: { type: "string", minLength: 1 },
    drop_on_error: { type: "boolean", default: false },
    drop_on_abort: { type: "boolean", default: true },
    reroute_dropped: { type: "boolean", default: false },
    timezone: { type: "string", minLength: 1, default: "local" },
    name: { type: "string", minLength: 1, default: "remap" },
  },
  required: ["source"],
  additionalProperties: false,
} as const;

/** Compiles `source`, or throws SluiceConfigError naming `source` and the line:column of the problem. */
export function compileVrl(source: string, component = "remap"): Program {
  try {
    return compile(source);
  } catch (error) {
    if (error instanceof VrlCompileError)
      throw new SluiceConfigError(
        component,
        "source",
        `has an error at ${lineColumn(source, error.offset)}: ${error.message}`,
      );
    throw error;
  }
}

/**
 * Runs the VRL program on each event. As Vector: a runtime error passes the original event on unchanged
 * (the program's partial changes are undone), unless `drop_on_error`; `abort` drops the event unless
 * `drop_on_abort` is false; dropped events go to dead letters when `reroute_dropped`. Timestamps the
 * program stores become RFC 3339 UTC text when the event leaves the stage, as Vector's JSON encoder writes them.
 */
export function remap(options: RemapOptions): Stage<JsonObject, JsonObject> {
  const o = validateOptions<Required<RemapOptions>>("remap", schema, options);
  const zone = parseZone(o.timezone);
  if (!zone)
    throw new SluiceConfigError("remap", "timezone", 'must be an IANA time zone name, "UTC" or "local"');
  const program = compileVrl(o.source);
  const variables = program.variables;
  const run: RunContext = { root: {}, variables: new Array(variables).fill(null), stamped: [], zone };
  return mapValues<JsonObject, JsonObject>(o.name, (doc, event) => {
    if (!isObject(doc))
      return reject("vrl_invalid_event", "remap runs on events whose value is a JSON object");
    const original = program.needsSnapshot ? (deepClone(doc) as JsonObject) : doc;
    run.root = doc;
    for (let i = 0; i < variables; i++) run.variables[i] = null;
    run.stamped.length = 0;
    try {
      return program.run(run);
    } catch (error) {
      const aborted = error instanceof VrlAbort;
      const message = error instanceof Error ? error.message : String(error);
      const drop = aborted ? o.drop_on_abort : o.drop_on_error;
      if (!drop) return original;
      if (o.reroute_dropped) return reject(aborted ? "vrl_abort" : "vrl_runtime_error", message);
      event.drop();
      return original;
    } finally {
      run.root = {};
      run.stamped.length = 0;
    }
  });
}

export { VrlAbort, VrlError };
