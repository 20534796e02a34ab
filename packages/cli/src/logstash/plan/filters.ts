// A pipeline's filter section as stages: each plugin by its module, `if`/`else` as branch stages.
import type { Stage } from "@sluice/core";
import type { ConditionalStageSpec, PlanWarning, StageSpec } from "../../plan.js";
import type { LsBranch, LsStatement, Position } from "../ast.js";
import { type BranchClause, branchStage } from "./branch.js";
import { planDate } from "./date.js";
import { planJson } from "./json.js";
import { planMutate } from "./mutate.js";
import { PluginOptions } from "./options.js";
import type { PlannedStages } from "./planned.js";
import { compileCondition, conditionText } from "./predicate.js";

/** The filters in order, built fresh (a stage belongs to one pipeline). */
export function planFilters(statements: readonly LsStatement[], indent = ""): PlannedStages {
  const stages: Stage<never, unknown>[] = [];
  const specs: StageSpec[] = [];
  const where = new Map<StageSpec, Position>();
  const texts: string[] = [];
  const warnings: PlanWarning[] = [];
  for (const statement of statements) {
    if (statement.kind === "plugin") {
      const planned = planFilter(statement);
      stages.push(...planned.stages);
      specs.push(...planned.specs);
      for (const spec of planned.specs) where.set(spec, statement.position);
      texts.push(...planned.texts.map((text) => indent + text));
      warnings.push(...planned.warnings);
      continue;
    }
    const clauses: BranchClause[] = [];
    const bodies: PlannedStages[] = [];
    statement.clauses.forEach((clause, i) => {
      const body = planFilters(clause.body, `${indent}  `);
      bodies.push(body);
      clauses.push({ when: compileCondition(clause.condition), stages: body.stages });
      texts.push(`${indent}${i === 0 ? "if" : "else if"} ${conditionText(clause.condition)}`, ...body.texts);
      warnings.push(...body.warnings);
    });
    let otherwise: PlannedStages | undefined;
    if (statement.otherwise !== undefined) {
      otherwise = planFilters(statement.otherwise.body, `${indent}  `);
      clauses.push({ stages: otherwise.stages });
      texts.push(`${indent}else`, ...otherwise.texts);
      warnings.push(...otherwise.warnings);
    }
    stages.push(branchStage("if", clauses) as Stage<never, unknown>);
    specs.push(branchSpec(statement, bodies, otherwise, where));
  }
  return { stages, specs, where, texts, warnings };
}

/** `if … else if … else` as nested conditional blocks: each `else if` is the `else` of the clause before. */
function branchSpec(
  statement: LsBranch,
  bodies: readonly PlannedStages[],
  otherwise: PlannedStages | undefined,
  where: Map<StageSpec, Position>,
): ConditionalStageSpec {
  for (const body of [...bodies, ...(otherwise === undefined ? [] : [otherwise])])
    for (const [spec, position] of body.where ?? []) where.set(spec, position);
  let rest: StageSpec[] | undefined = otherwise?.specs;
  for (let i = statement.clauses.length - 1; i >= 0; i--) {
    const clause = statement.clauses[i]!;
    const spec: ConditionalStageSpec = {
      when: { logstash: conditionText(clause.condition) },
      // biome-ignore lint/suspicious/noThenProperty: the config's conditional block names its stages `then`.
      then: bodies[i]!.specs,
      ...(rest === undefined ? {} : { else: rest }),
    };
    where.set(spec, clause.position);
    rest = [spec];
  }
  return rest![0] as ConditionalStageSpec;
}

function planFilter(plugin: Parameters<typeof planMutate>[0]): PlannedStages {
  switch (plugin.name) {
    case "mutate":
      return planMutate(plugin);
    case "json":
      return planJson(plugin);
    case "date":
      return planDate(plugin);
    default:
      throw new PluginOptions(plugin).refuse(
        undefined,
        "Sluice runs the mutate, json and date filters (and conditionals) only; this filter cannot run on Sluice",
      );
  }
}
