// A plan as the parts a migrated config writes: connection defaults factored out, credentials replaced, warnings placed.

import { SluiceConfigError } from "@sluice/core";
import type { Position } from "../logstash/ast.js";
import type { Plan, PlannedTarget, PlanWarning, StageSpec } from "../plan.js";
import { type Placement, placeWarnings } from "./placement.js";
import { SecretNames, type SecretVariable } from "./secrets.js";

/** One target of a migrated pipeline. */
export interface MigratedTarget {
  readonly planned: PlannedTarget;
  readonly name: string;
  readonly when?: PlannedTarget["whenSpec"];
  /** `elasticsearchSink` options over the `elasticsearch` defaults, credentials replaced. */
  readonly sink: Record<string, unknown>;
  /** What the migration itself must say about this target. */
  readonly notes: string[];
}

/** One migrated pipeline. */
export interface MigratedPipeline {
  readonly index: number;
  readonly name: string;
  /** `kafkaSource` options over the `kafka` defaults, credentials replaced. */
  readonly source: Record<string, unknown>;
  readonly stages: readonly StageSpec[];
  readonly targets: MigratedTarget[];
  readonly unrouted: "dead-letter" | "drop";
}

/** What `sluice migrate` prints, in either language. */
export interface Migrated {
  readonly plan: Plan;
  /** Options every source shares (brokers, TLS, SASL). */
  readonly kafka: Record<string, unknown>;
  /** Options every sink and the dead letters share (node, auth, TLS). */
  readonly elasticsearch: Record<string, unknown>;
  readonly pipelines: MigratedPipeline[];
  readonly deadLetters?: Record<string, unknown>;
  readonly secrets: SecretVariable[];
  readonly placement: Placement;
}

// Connection options that usually repeat across a config's sources and sinks.
const KAFKA_SHARED = ["brokers", "ssl", "sasl"];
const ELASTICSEARCH_SHARED = ["node", "auth", "tls"];

/** The plan's parts for printing; refuses a plan whose pipelines do not keep their stages as specs. */
export function migrated(plan: Plan): Migrated {
  plan.pipelines.forEach((pipeline) => {
    if (pipeline.stageSpecs === undefined || pipeline.stageSpecs.length !== pipeline.stages.length)
      throw new SluiceConfigError(
        "sluice migrate",
        `pipelines.${pipeline.name}.stages`,
        "the plan does not say how its stages are written in Sluice's config",
      );
  });
  const sinks = plan.pipelines.flatMap((pipeline) => pipeline.targets.map((target) => target.sink));
  if (plan.deadLetters !== undefined) sinks.push(plan.deadLetters.sink);
  const kafka = shared(
    plan.pipelines.map((pipeline) => pipeline.source),
    KAFKA_SHARED,
  );
  const elasticsearch = shared(sinks, ELASTICSEARCH_SHARED);
  const names = new SecretNames();
  const pipelines = plan.pipelines.map((pipeline, i): MigratedPipeline => {
    const at = `pipelines[${i}]`;
    return {
      index: i,
      name: pipeline.name,
      source: names.replace(without(pipeline.source, kafka), "KAFKA", `${at}.source`) as Record<
        string,
        unknown
      >,
      stages: pipeline.stageSpecs!,
      targets: pipeline.targets.map((target, j) => {
        const { sink, notes } = printable(target);
        return {
          planned: target,
          name: target.name,
          ...(target.whenSpec === undefined ? {} : { when: target.whenSpec }),
          sink: names.replace(
            without(sink, elasticsearch),
            "ES",
            `${at}.targets[${j}].elasticsearch`,
          ) as Record<string, unknown>,
          notes,
        };
      }),
      unrouted: pipeline.unrouted,
    };
  });
  // Without dead letters of its own a plan sends them to the first target's cluster: say which when no default does.
  const firstSink = plan.pipelines[0]?.targets[0]?.sink;
  const deadLetterSink =
    plan.deadLetters?.sink ??
    (elasticsearch.node !== undefined || firstSink === undefined
      ? undefined
      : {
          index: "sluice-dead-letter",
          ...Object.fromEntries(
            ELASTICSEARCH_SHARED.flatMap((key) => (key in firstSink ? [[key, firstSink[key]]] : [])),
          ),
        });
  const deadLetters =
    deadLetterSink === undefined
      ? undefined
      : (names.replace(without(deadLetterSink, elasticsearch), "ES", "deadLetters") as Record<
          string,
          unknown
        >);
  return {
    plan,
    kafka: names.replace(kafka, "KAFKA", "kafka") as Record<string, unknown>,
    elasticsearch: names.replace(elasticsearch, "ES", "elasticsearch") as Record<string, unknown>,
    pipelines,
    ...(deadLetters === undefined ? {} : { deadLetters }),
    secrets: names.variables,
    placement: placeWarnings(plan),
  };
}

/** `file:line:column` of a warning, or nothing. */
export function positionText(where: Position | undefined): string | undefined {
  return where === undefined ? undefined : `${where.file}:${where.line}:${where.column}`;
}

/** A warning as one comment line: `file:line:column: message`. */
export function warningText(warning: PlanWarning): string {
  const where = positionText(warning.where);
  return where === undefined ? warning.message : `${where}: ${warning.message}`;
}

/**
 * The header's lines about warnings: those no part took (`whole`), after the line that introduces them.
 */
export function wholeConfigLines(whole: readonly PlanWarning[]): string[] {
  if (whole.length === 0) return [];
  return [
    "Each warning is a comment beside what it concerns; these concern the whole config:",
    ...whole.map((warning) => `  ${warningText(warning)}`),
  ];
}

/** Whether two option values are the same data. */
export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The options in `keys` that every one of `all` holds with the same value. */
function shared(all: readonly Record<string, unknown>[], keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (all.length === 0) return out;
  for (const key of keys) {
    const first = all[0]![key];
    if (first !== undefined && all.every((options) => same(options[key], first))) out[key] = first;
  }
  return out;
}

function without(
  options: Record<string, unknown>,
  defaults: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([key]) => !Object.hasOwn(defaults, key)));
}

/** The sink's options as data; an index computed by a function is written as the template closest to it. */
function printable(target: PlannedTarget): { sink: Record<string, unknown>; notes: string[] } {
  if (typeof target.sink.index !== "function") return { sink: target.sink, notes: [] };
  return {
    sink: {
      ...target.sink,
      index: "%{[data_stream][type]}-%{[data_stream][dataset]}-%{[data_stream][namespace]}",
    },
    notes: [
      "sluice migrate: the plan names this data stream per event, filling a missing [data_stream] field from the output's settings; this template sends an event without all three fields to dead letters instead",
    ],
  };
}
