// Which part of a migrated config each plan warning concerns: the source, stage or target written nearest before it.
import type { Position } from "../logstash/ast.js";
import type { ConditionalStageSpec, Plan, PlannedTarget, PlanWarning, StageSpec } from "../plan.js";

/** What a warning is printed beside. */
export type Concern =
  | { readonly kind: "source"; readonly pipeline: number }
  | { readonly kind: "stage"; readonly spec: StageSpec }
  | { readonly kind: "target"; readonly target: PlannedTarget };

/** The plan's warnings sorted by where they are printed: beside a part, or in the header. */
export interface Placement {
  /** Warnings about no part of the config (or from a line no part is written at or after). */
  readonly header: PlanWarning[];
  /** Warnings by the part they concern: the pipeline's index, the stage spec or the target. */
  readonly beside: Map<number | StageSpec | PlannedTarget, PlanWarning[]>;
}

interface Part {
  readonly key: number | StageSpec | PlannedTarget;
  readonly where: Position;
}

/**
 * Places each warning beside the part of the config written nearest before its position in the same file
 * (a warning points into its plugin, component or option); on a tie the first part written wins, so a
 * kafka input's warnings go to the source, not to the stages it adds.
 */
export function placeWarnings(plan: Plan): Placement {
  const parts: Part[] = [];
  plan.pipelines.forEach((pipeline, i) => {
    if (pipeline.sourceWhere !== undefined) parts.push({ key: i, where: pipeline.sourceWhere });
    const visit = (specs: readonly StageSpec[]) => {
      for (const spec of specs) {
        const where = pipeline.stageWhere?.get(spec);
        if (where !== undefined) parts.push({ key: spec, where });
        if (isConditional(spec)) {
          visit(spec.then);
          visit(spec.else ?? []);
        }
      }
    };
    visit(pipeline.stageSpecs ?? []);
    for (const target of pipeline.targets)
      if (target.where !== undefined) parts.push({ key: target, where: target.where });
  });
  const header: PlanWarning[] = [];
  const beside = new Map<number | StageSpec | PlannedTarget, PlanWarning[]>();
  for (const warning of plan.warnings) {
    const at = warning.where;
    let best: Part | undefined;
    if (at !== undefined)
      for (const part of parts)
        if (part.where.file === at.file && compare(part.where, at) <= 0)
          if (best === undefined || compare(part.where, best.where) > 0) best = part;
    if (best === undefined) header.push(warning);
    else beside.set(best.key, [...(beside.get(best.key) ?? []), warning]);
  }
  return { header, beside };
}

/** Whether a spec is a conditional block. */
export function isConditional(spec: StageSpec): spec is ConditionalStageSpec {
  return Object.hasOwn(spec, "when") && Object.hasOwn(spec, "then");
}

function compare(a: Position, b: Position): number {
  return a.line === b.line ? a.column - b.column : a.line - b.line;
}
