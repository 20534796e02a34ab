// One Logstash pipeline made of several config texts, joined as Logstash joins them.
import type { LsConfigText, LsStatement, Position } from "./ast.js";

/** Something in the configuration a migrating team should know Logstash does quietly. */
export interface LogstashNotice {
  /** Where it is. */
  readonly position: Position;
  /** What Logstash does there. */
  readonly message: string;
}

/**
 * A pipeline as Logstash runs it: every text's `input` sections feed it, every event passes every text's
 * `filter` sections in order, and every `output` section sees every event. That is why files meant as
 * separate pipelines but loaded as one (the Helm chart's) guard their outputs with conditions.
 */
export interface LogstashPipeline {
  /** `pipeline.id`: `main` unless a pipelines.yml names it. */
  readonly id: string;
  /** The texts in the order Logstash reads them (files sorted by name). */
  readonly texts: readonly LsConfigText[];
  /** Every input, from every text's input sections in order. */
  readonly inputs: readonly LsStatement[];
  /** Every filter statement, from every text's filter sections in order: one chain. */
  readonly filters: readonly LsStatement[];
  /** Every output statement, from every text's output sections in order. */
  readonly outputs: readonly LsStatement[];
  /** The pipeline's other settings by dotted name (from logstash.yml and its pipelines.yml entry). */
  readonly settings: Readonly<Record<string, unknown>>;
  /** What Logstash did quietly while loading it (skipped files, an ignored `path.config`). */
  readonly notices: readonly LogstashNotice[];
}

/** The pipelines of a Logstash configuration. */
export interface LogstashConfig {
  /** What was read: pipeline files, a Helm chart's values, or a pipelines.yml. */
  readonly form: "files" | "helm-values" | "pipelines.yml";
  /** The pipelines, in the order declared. */
  readonly pipelines: readonly LogstashPipeline[];
}

/** Joins parsed texts into one pipeline: sections of a kind appended in text order, then section order. */
export function joinTexts(
  id: string,
  texts: readonly LsConfigText[],
  settings: Readonly<Record<string, unknown>>,
  notices: readonly LogstashNotice[],
): LogstashPipeline {
  const of = (kind: "input" | "filter" | "output") =>
    texts.flatMap((text) => text.sections.filter((section) => section.kind === kind).flatMap((s) => s.body));
  return {
    id,
    texts,
    inputs: of("input"),
    filters: of("filter"),
    outputs: of("output"),
    settings,
    notices,
  };
}
