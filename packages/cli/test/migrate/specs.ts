// Test helpers: stages built back from a plan's specs (what a Sluice config loader does), and the specs' invariants.
import type { Stage } from "@sluice/core";
import * as transforms from "@sluice/transforms";
import { expect } from "vitest";
import { cliStage, conditionalStage, logstashCondition, vrlCondition } from "../../src/migrate/runtime.js";
import { cliStages } from "../../src/migrate/stages.js";
import type { ConditionSpec, Plan, StageSpec } from "../../src/plan.js";

/** Every pipeline keeps one spec per stage, and every spec names a stage Sluice's config can build. */
export function expectSpecs(plan: Plan): Plan {
  for (const pipeline of plan.pipelines) {
    expect(pipeline.stageSpecs, pipeline.name).toBeDefined();
    expect(pipeline.stageSpecs!.length, pipeline.name).toBe(pipeline.stages.length);
    for (const spec of pipeline.stageSpecs!) expect(() => buildSpec(spec)).not.toThrow();
    for (const target of pipeline.targets)
      expect(target.whenSpec === undefined, target.name).toBe(target.when === undefined);
  }
  return plan;
}

/** A spec's condition as a predicate over events. */
export function conditionOf(
  spec: ConditionSpec,
): (event: Parameters<ReturnType<typeof vrlCondition>>[0]) => boolean {
  return typeof spec === "string" ? vrlCondition(spec) : logstashCondition(spec.logstash);
}

/** The stage a spec stands for, built from its data alone. */
export function buildSpec(spec: StageSpec): Stage {
  if ("when" in spec && "then" in spec) {
    const block = spec as { when: ConditionSpec; then: StageSpec[]; else?: StageSpec[] };
    return conditionalStage(
      conditionOf(block.when),
      block.then.map(buildSpec) as Stage<never, unknown>[],
      (block.else ?? []).map(buildSpec) as Stage<never, unknown>[],
    );
  }
  const entries = Object.entries(spec);
  expect(entries).toHaveLength(1);
  const [name, options] = entries[0]!;
  if (name === "filter") {
    const keep = vrlCondition((options as { condition: string }).condition);
    return transforms.filter<unknown>({ keep: (_value, event) => keep(event) }) as Stage;
  }
  if (Object.hasOwn(cliStages, name)) return cliStage(name, options);
  const factory = (transforms as unknown as Record<string, (options: unknown) => Stage>)[name];
  if (typeof factory !== "function") throw new Error(`no stage named ${name}`);
  return factory(options);
}
