// A config's conditions (`filter`, a `when` block, a target's `when`): VRL text, `{ vrl }` or `{ logstash }` kept verbatim from a migrated config.
import type { SluiceEvent } from "@sluice/core";
import type { LsBranch } from "../logstash/ast.js";
import { LogstashConfigError } from "../logstash/errors.js";
import { parseConfigText } from "../logstash/parser.js";
import { compileCondition as compileLogstash, conditionText } from "../logstash/plan/predicate.js";
import type { ConfigText } from "../logstash/text.js";
import { compileCondition as compileVrlCondition } from "../vector/condition.js";
import { type OptionPath, pathText } from "../vector/document.js";
import { VectorConfigError } from "../vector/errors.js";
import type { ConfigDocument } from "./document.js";
import { SluiceConfigFileError } from "./errors.js";

/** A compiled condition and the text the plan prints for it. */
export interface CompiledCondition {
  /** True when the event passes (filter keeps it, the block runs, the target takes it). */
  readonly when: (event: SluiceEvent) => boolean;
  /** As the user wrote it, prefixed `logstash:` for a Logstash condition. */
  readonly text: string;
}

/** The JSON Schema of a condition, for the config's schema. */
export const conditionSchema = {
  description:
    'A VRL condition (text, or { vrl: "…" }), or { logstash: "…" }: a Logstash condition as written after `if`.',
  anyOf: [
    { type: "string", minLength: 1 },
    {
      type: "object",
      properties: { vrl: { type: "string", minLength: 1 } },
      required: ["vrl"],
      additionalProperties: false,
    },
    {
      type: "object",
      properties: { logstash: { type: "string", minLength: 1 } },
      required: ["logstash"],
      additionalProperties: false,
    },
  ],
} as const;

/** Compiles the condition at `path` (already valid by `conditionSchema`); a mistake is refused at its line. */
export function conditionAt(document: ConfigDocument, path: OptionPath): CompiledCondition {
  const value = valueAt(document.value, path);
  const key = typeof value === "string" ? undefined : "logstash" in Object(value) ? "logstash" : "vrl";
  const textPath = key === undefined ? path : [...path, key];
  const text = document.textAt(textPath);
  if (text === undefined) throw document.refuse(path, "must be a condition");
  try {
    if (key === "logstash") return logstashCondition(text);
    const test = compileVrlCondition(text, "VRL condition");
    return { when: (event) => test(event.value), text: text.text };
  } catch (error) {
    if (error instanceof VectorConfigError || error instanceof LogstashConfigError) {
      const prefix = error.message.indexOf(": ");
      const problem = error.message.slice(prefix + 2);
      throw new SluiceConfigFileError(error.position, pathText(textPath), problem, { cause: error });
    }
    throw error;
  }
}

// The Logstash grammar reads a condition only inside a section: wrap it, then map offsets back.
const PREFIX = "filter { if ";
const SUFFIX = " { } }";

function logstashCondition(input: ConfigText): CompiledCondition {
  const wrapped: ConfigText = {
    text: `${PREFIX}${input.text}${SUFFIX}`,
    source: input.source,
    locate: (offset) => input.locate(Math.min(Math.max(offset - PREFIX.length, 0), input.text.length)),
  };
  let parsed: ReturnType<typeof parseConfigText>;
  try {
    parsed = parseConfigText(wrapped);
  } catch (error) {
    if (!(error instanceof LogstashConfigError)) throw error;
    // The grammar quotes the text before the mistake, which starts with the wrapping.
    const problem = error.message
      .slice(error.message.indexOf(": ") + 2)
      .replace(` after ${PREFIX}`, " after ");
    throw new LogstashConfigError(error.position, problem, { expected: error.expected, cause: error });
  }
  const statement = parsed.sections.length === 1 ? parsed.sections[0]!.body : [];
  const branch =
    statement.length === 1 && statement[0]!.kind === "branch" ? (statement[0] as LsBranch) : undefined;
  const clause = branch?.clauses.length === 1 && !branch.otherwise ? branch.clauses[0] : undefined;
  if (clause === undefined || clause.body.length > 0)
    throw new LogstashConfigError(input.locate(0), "must be one Logstash condition, as written after `if`");
  return { when: compileLogstash(clause.condition), text: `logstash: ${conditionText(clause.condition)}` };
}

/** The plain value at `path`. */
export function valueAt(value: unknown, path: OptionPath): unknown {
  let current = value;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}
