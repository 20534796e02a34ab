// The plan: what a configuration (Sluice's own, Logstash's or Vector's) asks for, built before anything
// connects, so `sluice check` can print it and `sluice run` can start it.
import type { SluiceEvent, Stage } from "@sluice/core";
import type { Position } from "./logstash/ast.js";

/** Something a migrating team must read: where a config behaves unlike Fluent Bit writing directly, or where Sluice runs it unlike the original tool. */
export interface PlanWarning {
  /** `behaviour`: the config itself does something the team may not want; `difference`: Sluice differs from the tool. */
  readonly kind: "behaviour" | "difference";
  /** One sentence a user can act on. */
  readonly message: string;
  /** Where in the user's files, when it comes from a line. */
  readonly where?: Position;
}

/** A condition as a config writes it: Vector's VRL text, or a Logstash condition kept as the user wrote it. */
export type ConditionSpec = string | { readonly logstash: string };

/** A conditional block of stages: the events `when` takes run `then`, the others `else`. */
export interface ConditionalStageSpec {
  readonly when: ConditionSpec;
  readonly then: readonly StageSpec[];
  readonly else?: readonly StageSpec[];
}

/**
 * One stage as Sluice's config writes it: an object of one key, a stage's name (an export of
 * `@sluice/transforms` or `@sluice/source-kafka`, or a CLI-own stage) with its options; or a conditional block.
 */
export type StageSpec = { readonly [stage: string]: unknown } | ConditionalStageSpec;

/** One destination of a planned pipeline: options for `elasticsearchSink` and which events go there. */
export interface PlannedTarget {
  /** Unique within the pipeline: names the target in `/health`, errors and dead letters. */
  readonly name: string;
  /** The `elasticsearchSink` options, as plain data (secrets included: never print them). */
  readonly sink: Record<string, unknown>;
  /** Which events go here; absent: all. */
  readonly when?: (event: SluiceEvent) => boolean;
  /** For the printed plan: the condition as the user wrote it. */
  readonly whenText?: string;
  /** `when` as Sluice's config writes it, for `sluice migrate`. */
  readonly whenSpec?: ConditionSpec;
  /** Where the output or sink is written, so `sluice migrate` puts its warnings beside it. */
  readonly where?: Position;
}

/** One pipeline of a plan: one Kafka consumer group, its stages, its targets. */
export interface PlannedPipeline {
  /** The pipeline's name (Logstash's pipeline.id, Vector's source id, ...). */
  readonly name: string;
  /** The `kafkaSource` options, as plain data. */
  readonly source: Record<string, unknown>;
  /** The stages, in order, built from the config. */
  readonly stages: Stage[];
  /** For the printed plan: one line per stage, as the config names it. */
  readonly stageTexts: string[];
  /** The stages as Sluice's config writes them, one per entry of `stages`, for `sluice migrate`. */
  readonly stageSpecs?: StageSpec[];
  /** Where each spec (nested ones included) comes from in the user's files, so warnings land beside it. */
  readonly stageWhere?: ReadonlyMap<StageSpec, Position>;
  /** Where the source (input) is written. */
  readonly sourceWhere?: Position;
  readonly targets: PlannedTarget[];
  /** What becomes of an event no target takes (Logstash drops it). */
  readonly unrouted: "dead-letter" | "drop";
}

/** Where dead letters go: `elasticsearchDeadLetters` options as plain data (secrets included: never print them). */
export interface PlannedDeadLetters {
  readonly sink: Record<string, unknown>;
}

/** What a configuration asks for. */
export interface Plan {
  /** Which form it was read from. */
  readonly form: "sluice" | "logstash" | "vector";
  readonly pipelines: PlannedPipeline[];
  readonly warnings: PlanWarning[];
  /** Dead letters; absent: the index `sluice-dead-letter` on the first target's cluster. */
  readonly deadLetters?: PlannedDeadLetters;
  /** `createPipeline`'s `flow` options for every pipeline; absent: the defaults. */
  readonly flow?: Record<string, unknown>;
  /** The HTTP endpoint (`/metrics`, `/health`, `/livez`, `/readyz`); the command line overrides it. */
  readonly http?: { readonly host?: string; readonly port?: number };
  /** The log level (`debug`, `info`, `warn`, `error`); the command line overrides it. */
  readonly logging?: { readonly level?: string };
  /** The files the plan was read from, so `--watch` knows what to watch. */
  readonly files?: readonly string[];
}
