// What a migrated TypeScript program imports from @sluice/cli: conditions kept as text, conditional blocks, CLI-own stages.

import type { SluiceEvent, Stage } from "@sluice/core";
import { branchStage } from "../logstash/plan/branch.js";
import { compileConditionText } from "../logstash/plan/condition-text.js";
import { fileText } from "../logstash/text.js";
import { compileCondition } from "../vector/condition.js";
import { buildCliStage } from "./stages.js";

/** A test over events: which ones a target takes, a block runs, a filter keeps. */
export type EventCondition = (event: SluiceEvent) => boolean;

/** A Logstash condition (what follows `if`), evaluated as Logstash evaluates it. */
export function logstashCondition(text: string): EventCondition {
  return compileConditionText(text);
}

/** A VRL condition over the event's value: it holds when it runs without error and yields `true`, as in Vector. */
export function vrlCondition(text: string): EventCondition {
  const test = compileCondition(fileText("condition", text), "condition");
  return (event) => test(event.value);
}

/** A conditional block: events `when` takes run `then`, the others `otherwise`; the batch goes on in its order. */
export function conditionalStage(
  when: EventCondition,
  then: readonly Stage<never, unknown>[],
  otherwise: readonly Stage<never, unknown>[] = [],
): Stage {
  return branchStage("if", [{ when, stages: then }, { stages: otherwise }]) as Stage;
}

/** The CLI-own stage `name` (see `cliStages`) with its options. */
export function cliStage(name: string, options: unknown): Stage {
  return buildCliStage({ [name]: options });
}
