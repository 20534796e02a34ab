// The CLI's own stages: what the Logstash and Vector planners build that no @sluice/transforms stage does with plain options.
import { SluiceConfigError, type Stage, validateOptions } from "@sluice/core";
import { codecJsonStage } from "../logstash/plan/codec-json.js";
import { compileConditionText } from "../logstash/plan/condition-text.js";
import { type DataStream, dataStreamSyncStage } from "../logstash/plan/data-stream.js";
import { decorateEventsStage } from "../logstash/plan/decorate-events.js";
import {
  type LogstashDateOptions,
  type LogstashJsonOptions,
  logstashDateStage,
  logstashJsonStage,
} from "../logstash/plan/decorated.js";

/** A stage a config names by its key: how it is built from its options, and their JSON Schema. */
export interface CliStage {
  /** Builds the stage; options that do not fit `schema` throw `SLUICE_ERR_CONFIG` naming the option. */
  build(options: unknown): Stage;
  /** The ajv JSON Schema of the options. */
  readonly schema: object;
  /** One sentence for the config's schema and the docs. */
  readonly description: string;
}

/** Options of `logstashCodecJson`. */
export interface LogstashCodecJsonOptions {
  /** Whether the pipeline runs with ECS compatibility (Logstash 8's default): keeps the text as `[event][original]`. */
  readonly ecs: boolean;
}

/** Options of `logstashDecorateEvents`. */
export interface LogstashDecorateEventsOptions {
  /** The consumer group written as `[@metadata][kafka][consumer_group]`. */
  readonly groupId: string;
  /** `decorate_events => extended`: the record's headers too. Default false. */
  readonly extended?: boolean;
}

/** Options of `logstashDataStreamSync`. */
export interface LogstashDataStreamSyncOptions {
  /** The pipeline's targets, in order: each one's Logstash condition and the data stream it writes. */
  readonly targets: ReadonlyArray<{
    /** The output's condition, as Logstash writes it; absent: every event. */
    readonly when?: string;
    /** The data stream whose fields the output syncs; absent: it writes the document unchanged. */
    readonly dataStream?: DataStream;
  }>;
}

const strings = { type: "array", items: { type: "string" } } as const;
const list = { anyOf: [{ type: "string" }, strings] } as const;
const decorations = {
  add_field: {
    anyOf: [{ type: "object", additionalProperties: { anyOf: [{ type: "string" }, strings] } }, strings],
  },
  remove_field: list,
  add_tag: list,
  remove_tag: list,
} as const;
const name = { type: "string", minLength: 1 } as const;

const codecJsonSchema = {
  type: "object",
  properties: { ecs: { type: "boolean" } },
  required: ["ecs"],
  additionalProperties: false,
} as const;

const decorateEventsSchema = {
  type: "object",
  properties: { groupId: { type: "string" }, extended: { type: "boolean" } },
  required: ["groupId"],
  additionalProperties: false,
} as const;

const dateSchema = {
  type: "object",
  properties: {
    match: { type: "array", items: { type: "string", minLength: 1 }, minItems: 2 },
    timezone: { type: "string" },
    locale: { type: "string" },
    target: { type: "string" },
    tag_on_failure: strings,
    ...decorations,
    name,
  },
  required: ["match"],
  additionalProperties: false,
} as const;

const jsonSchema = {
  type: "object",
  properties: {
    source: { type: "string", minLength: 1 },
    target: { type: "string" },
    skip_on_invalid_json: { type: "boolean" },
    tag_on_failure: strings,
    ...decorations,
    name,
  },
  required: ["source"],
  additionalProperties: false,
} as const;

const dataStreamSchema = {
  type: "object",
  properties: {
    type: { type: "string", minLength: 1 },
    dataset: { type: "string", minLength: 1 },
    namespace: { type: "string", minLength: 1 },
    autoRouting: { type: "boolean" },
    syncFields: { type: "boolean" },
  },
  required: ["type", "dataset", "namespace", "autoRouting", "syncFields"],
  additionalProperties: false,
} as const;

const syncSchema = {
  type: "object",
  properties: {
    targets: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        properties: { when: { type: "string", minLength: 1 }, dataStream: dataStreamSchema },
        additionalProperties: false,
      },
    },
  },
  required: ["targets"],
  additionalProperties: false,
} as const;

/**
 * The stages only the `sluice` command has, by the name a config gives them. The Logstash planner builds
 * its stages through these same entries, so a plan and the config `sluice migrate` prints for it run the
 * same stages.
 */
export const cliStages: Readonly<Record<string, CliStage>> = {
  logstashCodecJson: {
    description:
      "The Logstash kafka input's json codec: the record's JSON object as the event (not an object: dead letters), its text kept as [event][original] under ECS.",
    schema: codecJsonSchema,
    build(options) {
      const o = validateOptions<LogstashCodecJsonOptions>("logstashCodecJson", codecJsonSchema, options);
      return codecJsonStage(o.ecs) as Stage;
    },
  },
  logstashDecorateEvents: {
    description:
      "The Logstash kafka input's decorate_events: the record's topic, partition, offset, key and timestamp in [@metadata][kafka], which conditions read and Elasticsearch never receives.",
    schema: decorateEventsSchema,
    build(options) {
      const o = validateOptions<LogstashDecorateEventsOptions>(
        "logstashDecorateEvents",
        decorateEventsSchema,
        options,
      );
      return decorateEventsStage(o.groupId, o.extended === true) as unknown as Stage;
    },
  },
  logstashDate: {
    description:
      "Logstash's date filter: failures tagged, an event without the source field left alone, add_field/remove_field/add_tag/remove_tag applied only when a pattern matched.",
    schema: dateSchema,
    build(options) {
      return logstashDateStage(
        validateOptions<LogstashDateOptions>("logstashDate", dateSchema, options),
      ) as Stage;
    },
  },
  logstashJson: {
    description:
      "Logstash's json filter: text that is not JSON goes to dead letters; add_field/remove_field/add_tag/remove_tag applied only when it parsed.",
    schema: jsonSchema,
    build(options) {
      return logstashJsonStage(
        validateOptions<LogstashJsonOptions>("logstashJson", jsonSchema, options),
      ) as Stage;
    },
  },
  logstashDataStreamSync: {
    description:
      "The Logstash elasticsearch outputs' data_stream field sync: each event's [data_stream] fields made to name the data stream its outputs write to (conflicting outputs: dead letters).",
    schema: syncSchema,
    build(options) {
      const o = validateOptions<LogstashDataStreamSyncOptions>("logstashDataStreamSync", syncSchema, options);
      return dataStreamSyncStage(
        o.targets.map((target) => ({
          sync: target.dataStream,
          ...(target.when === undefined ? {} : { when: compileConditionText(target.when) }),
        })),
      ) as unknown as Stage;
    },
  },
};

/** Builds the CLI stage a spec `{ <name>: options }` names. */
export function buildCliStage(spec: Readonly<Record<string, unknown>>): Stage {
  const [key, ...rest] = Object.keys(spec);
  const entry = key === undefined ? undefined : cliStages[key];
  if (entry === undefined || rest.length > 0)
    throw new SluiceConfigError("stages", String(key), "is not a stage of the sluice command");
  return entry.build(spec[key!]);
}
