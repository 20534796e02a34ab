// planLogstash: a Logstash configuration as Sluice's plan, one planned pipeline per kafka input.
import type { Stage } from "@sluice/core";
import { buildCliStage, type LogstashDataStreamSyncOptions } from "../../migrate/stages.js";
import type { Plan, PlannedPipeline, PlannedTarget, PlanWarning, StageSpec } from "../../plan.js";
import type { LsPlugin, LsStatement, Position } from "../ast.js";
import { LogstashConfigError } from "../errors.js";
import type { LogstashConfig, LogstashPipeline } from "../pipeline.js";
import { routedAsBeforeSync } from "./data-stream.js";
import { type PlannedOutput, planElasticsearchOutput } from "./elasticsearch-output.js";
import { planFilters } from "./filters.js";
import { planKafkaInput } from "./kafka-input.js";
import { PluginOptions } from "./options.js";
import { compileCondition, conditionText, type Predicate } from "./predicate.js";

/**
 * The plan of a Logstash configuration (from `loadLogstash`). Each kafka input of a Logstash pipeline
 * becomes one planned pipeline (its own consumer group and topics) that runs the Logstash pipeline's
 * whole filter chain and every output, as Logstash runs every input's events through them; outputs
 * inside conditionals become targets with `when`, and an event no output takes is dropped, as in
 * Logstash. What Sluice cannot run, and what Logstash itself refuses, throws {@link LogstashConfigError}
 * (`SLUICE_ERR_CONFIG`) naming the plugin, the option and its `file:line:column`.
 */
export function planLogstash(config: LogstashConfig): Plan {
  const pipelines: PlannedPipeline[] = [];
  const warnings: PlanWarning[] = [];
  for (const pipeline of config.pipelines) {
    const planned = planPipeline(pipeline);
    pipelines.push(...planned.pipelines);
    warnings.push(...planned.warnings);
  }
  return { form: "logstash", pipelines, warnings: unique(warnings) };
}

function planPipeline(pipeline: LogstashPipeline): { pipelines: PlannedPipeline[]; warnings: PlanWarning[] } {
  const setting = pipeline.settings["pipeline.ecs_compatibility"];
  // Logstash 8 runs every plugin with ECS compatibility v8 unless the pipeline turns it off.
  const ecs = setting === undefined ? true : String(setting) !== "disabled";
  const warnings: PlanWarning[] = pipeline.notices.map((notice) => ({
    kind: "behaviour",
    message: notice.message,
    where: notice.position,
  }));
  refuseDuplicateIds([...pipeline.inputs, ...pipeline.filters, ...pipeline.outputs]);
  const inputs = pipeline.inputs.map((statement) => {
    if (statement.kind !== "plugin")
      throw new LogstashConfigError(
        statement.position,
        "input: conditionals are not allowed in an input section",
      );
    return planKafkaInput(statement, ecs);
  });
  if (inputs.length === 0) {
    const at = pipeline.texts[0]?.sections[0]?.position ?? { file: pipeline.id, line: 1, column: 1 };
    throw new LogstashConfigError(
      at,
      `pipeline ${pipeline.id}: no kafka input; Sluice reads from Kafka only`,
    );
  }
  const outputs = collectOutputs(pipeline.outputs, ecs);
  if (outputs.length === 0) {
    const at = pipeline.texts[0]?.sections[0]?.position ?? { file: pipeline.id, line: 1, column: 1 };
    throw new LogstashConfigError(
      at,
      `pipeline ${pipeline.id}: no elasticsearch output; every event would be dropped`,
    );
  }
  const syncs = outputs.some((output) => output.planned.sync !== undefined);
  const targets: PlannedTarget[] = outputs.map((output, i) => ({
    name: output.planned.id ?? `elasticsearch-${i + 1}`,
    sink: output.planned.sink,
    where: output.planned.where,
    ...(output.when === undefined
      ? {}
      : {
          when: syncs ? routedAsBeforeSync(i, output.when) : output.when,
          whenText: output.whenText!,
          whenSpec: { logstash: output.whenText! },
        }),
  }));
  for (const output of outputs) warnings.push(...output.planned.warnings);

  const planned = inputs.map((input, i): PlannedPipeline => {
    const filters = planFilters(pipeline.filters);
    warnings.push(...input.warnings, ...filters.warnings);
    const stages = [...input.stages, ...filters.stages];
    const stageSpecs = [...input.specs, ...filters.specs];
    const stageWhere = new Map<StageSpec, Position>(filters.where);
    for (const spec of input.specs) stageWhere.set(spec, input.where);
    const stageTexts = [...input.texts, ...filters.texts];
    if (syncs) {
      // The sync decides routes with the outputs' conditions as text, so a migrated config builds it the same.
      const sync: LogstashDataStreamSyncOptions = {
        targets: outputs.map((output) => ({
          ...(output.whenText === undefined ? {} : { when: output.whenText }),
          ...(output.planned.sync === undefined ? {} : { dataStream: output.planned.sync }),
        })),
      };
      stages.push(buildCliStage({ logstashDataStreamSync: sync }) as (typeof stages)[number]);
      stageSpecs.push({ logstashDataStreamSync: sync });
      stageTexts.push("data_stream fields synced to the stream written to");
    }
    return {
      name: inputs.length === 1 ? pipeline.id : `${pipeline.id}.${input.id ?? `kafka-${i + 1}`}`,
      source: input.source,
      sourceWhere: input.where,
      stages: stages as unknown as Stage[],
      stageTexts,
      stageSpecs,
      stageWhere,
      targets,
      unrouted: "drop",
    };
  });
  return { pipelines: planned, warnings };
}

interface GuardedOutput {
  readonly planned: PlannedOutput;
  readonly when?: Predicate;
  readonly whenText?: string;
}

/** Every output with the conjunction of the conditions around it: `if`, then `else if` and `else` excluding the clauses before. */
function collectOutputs(
  statements: readonly LsStatement[],
  ecs: boolean,
  guard?: { when: Predicate; text: string },
): GuardedOutput[] {
  const out: GuardedOutput[] = [];
  for (const statement of statements) {
    if (statement.kind === "plugin") {
      out.push({
        planned: planOutput(statement, ecs),
        ...(guard === undefined ? {} : { when: guard.when, whenText: guard.text }),
      });
      continue;
    }
    const before: Array<{ when: Predicate; text: string }> = [];
    const branch = (own: { when: Predicate; text: string } | undefined) => {
      const parts = [
        ...(guard === undefined ? [] : [guard]),
        ...before.map(negate),
        ...(own === undefined ? [] : [own]),
      ];
      return parts.length === 0 ? undefined : conjunction(parts);
    };
    for (const clause of statement.clauses) {
      const own = { when: compileCondition(clause.condition), text: conditionText(clause.condition) };
      out.push(...collectOutputs(clause.body, ecs, branch(own)));
      before.push(own);
    }
    if (statement.otherwise !== undefined)
      out.push(...collectOutputs(statement.otherwise.body, ecs, branch(undefined)));
  }
  return out;
}

function planOutput(plugin: LsPlugin, ecs: boolean): PlannedOutput {
  if (plugin.name !== "elasticsearch")
    throw new PluginOptions(plugin).refuse(
      undefined,
      "Sluice runs the elasticsearch output only; this output cannot run on Sluice",
    );
  return planElasticsearchOutput(plugin, ecs);
}

function negate(part: { when: Predicate; text: string }): { when: Predicate; text: string } {
  const when = part.when;
  return { when: (event) => !when(event), text: `!(${part.text})` };
}

function conjunction(parts: ReadonlyArray<{ when: Predicate; text: string }>): {
  when: Predicate;
  text: string;
} {
  if (parts.length === 1) return parts[0]!;
  const predicates = parts.map((part) => part.when);
  return {
    when: (event) => predicates.every((predicate) => predicate(event)),
    text: parts.map((part) => part.text).join(" and "),
  };
}

/** Logstash refuses two plugins of a pipeline with the same `id`; Sluice names stages and targets by it. */
function refuseDuplicateIds(statements: readonly LsStatement[]): void {
  const seen = new Set<string>();
  const visit = (statement: LsStatement): void => {
    if (statement.kind === "branch") {
      for (const clause of statement.clauses) clause.body.forEach(visit);
      statement.otherwise?.body.forEach(visit);
      return;
    }
    for (const attribute of statement.attributes) {
      if (attribute.name !== "id" || !("value" in attribute.value)) continue;
      const id = String(attribute.value.value);
      if (seen.has(id))
        throw new LogstashConfigError(
          attribute.position,
          `${statement.name} option \`id\`: Two plugins have the id '${id}', please fix this conflict (Logstash refuses it)`,
        );
      seen.add(id);
    }
  };
  statements.forEach(visit);
}

function unique(warnings: readonly PlanWarning[]): PlanWarning[] {
  const seen = new Set<string>();
  return warnings.filter((warning) => {
    const key = JSON.stringify([warning.kind, warning.message, warning.where]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
