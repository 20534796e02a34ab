// A Logstash condition kept as text (in a migrated config) compiled again with Logstash's grammar.
import type { LsCondition } from "../ast.js";
import { LogstashConfigError } from "../errors.js";
import { parseLogstashConfig } from "../parse.js";
import { compileCondition, type Predicate } from "./predicate.js";

const PREFIX = "filter { if ";

/** The condition `text` (what follows `if`) as Logstash parses it; `file` names it in errors. */
export function parseConditionText(text: string, file = "condition"): LsCondition {
  const parsed = parseLogstashConfig(`${PREFIX}${text} {} }`, { file });
  const statement = parsed.sections[0]?.body[0];
  if (parsed.sections.length !== 1 || statement?.kind !== "branch" || statement.clauses.length !== 1)
    throw new LogstashConfigError(
      { file, line: 1, column: 1 },
      `condition: expected one Logstash condition, got "${text}"`,
    );
  return statement.clauses[0]!.condition;
}

/** The condition `text` as a predicate over events, read and evaluated as Logstash does. */
export function compileConditionText(text: string, file?: string): Predicate {
  return compileCondition(parseConditionText(text, file));
}
