// A pipeline's filter section as stages: each plugin by its module, `if`/`else` as branch stages.
import type { Stage } from "@sluice/core";
import type { PlanWarning } from "../../plan.js";
import type { LsStatement } from "../ast.js";
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
  const texts: string[] = [];
  const warnings: PlanWarning[] = [];
  for (const statement of statements) {
    if (statement.kind === "plugin") {
      const planned = planFilter(statement);
      stages.push(...planned.stages);
      texts.push(...planned.texts.map((text) => indent + text));
      warnings.push(...planned.warnings);
      continue;
    }
    const clauses: BranchClause[] = [];
    statement.clauses.forEach((clause, i) => {
      const body = planFilters(clause.body, `${indent}  `);
      clauses.push({ when: compileCondition(clause.condition), stages: body.stages });
      texts.push(`${indent}${i === 0 ? "if" : "else if"} ${conditionText(clause.condition)}`, ...body.texts);
      warnings.push(...body.warnings);
    });
    if (statement.otherwise !== undefined) {
      const body = planFilters(statement.otherwise.body, `${indent}  `);
      clauses.push({ stages: body.stages });
      texts.push(`${indent}else`, ...body.texts);
      warnings.push(...body.warnings);
    }
    stages.push(branchStage("if", clauses) as Stage<never, unknown>);
  }
  return { stages, texts, warnings };
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
