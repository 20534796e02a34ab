// The stages a Sluice config names, by their exported function's name: how each is built and the schema of its options.
import { ErrorCode, SluiceError, type Stage } from "@sluice/core";
import { kafkaMetadata, kafkaOptionSchemas } from "@sluice/source-kafka";
import {
  date,
  epochToIso,
  filter,
  fluentBitToElasticsearch,
  json,
  mutate,
  parseJson,
  plain,
  remap,
  replaceDots,
  transformOptionSchemas,
  type ValidateSchemaOptions,
  validateSchema,
  vectorKafkaEvent,
} from "@sluice/transforms";
import type { ConfigText } from "../logstash/text.js";
import { cliStages } from "../migrate/stages.js";
import type { OptionPath } from "../vector/document.js";
import { atProgram } from "../vector/vrl-position.js";
import { type CompiledCondition, conditionSchema } from "./conditions.js";

/** What a stage's build may ask of the config it is written in, so its mistakes point at the user's line. */
export interface StageContext {
  /** The text of the string option at `path` (inside this stage's options), mapped to the file. */
  text(path: OptionPath): ConfigText | undefined;
  /** The condition at `path` (inside this stage's options), compiled. */
  condition(path: OptionPath): CompiledCondition;
}

/**
 * One stage a config can name. The same shape as the CLI's own stages (`cliStages`), so a registry is
 * extended by spreading more entries into it.
 */
export interface StageEntry {
  /** Builds the stage from options already valid by `schema`. */
  build(options: unknown, context?: StageContext): Stage;
  /** The JSON Schema of its options: the one the stage itself validates them with. */
  readonly schema: object;
  /** One sentence for editors and `sluice check`. */
  readonly description: string;
}

/** A stage built from the function of the same name, with that function's own options schema. */
function from<O>(
  factory: (options: O) => Stage<never, unknown>,
  schema: object | undefined,
  description: string,
): StageEntry {
  if (schema === undefined)
    throw new SluiceError(ErrorCode.CONFIG, `${factory.name}: no options schema is exported`);
  return { build: (options) => factory(options as O) as unknown as Stage, schema, description };
}

const t = transformOptionSchemas;

/**
 * The stages a config may name: those of @sluice/transforms and @sluice/source-kafka whose options are
 * plain data, `filter`, and the CLI's own (what a migrated Logstash config needs, e.g. `logstashDate`).
 */
export const sluiceStages: Readonly<Record<string, StageEntry>> = {
  plain: from(plain, t.plain, "The record's bytes as the `message` text (Logstash's plain codec)."),
  parseJson: from(parseJson, t.parseJson, "The record's bytes parsed as a JSON document."),
  vectorKafkaEvent: from(
    vectorKafkaEvent,
    t.vectorKafkaEvent,
    "The record as Vector's kafka source makes an event (message, topic, partition, offset, ...).",
  ),
  kafkaMetadata: from(
    kafkaMetadata,
    kafkaOptionSchemas.kafkaMetadata,
    "Copies the record's Kafka origin into the document (Logstash's decorate_events).",
  ),
  fluentBitToElasticsearch: from(
    fluentBitToElasticsearch,
    t.fluentBitToElasticsearch,
    "Fluent Bit's kafka records made into the documents its es output would write.",
  ),
  epochToIso: from(epochToIso, t.epochToIso, "A field of epoch seconds rewritten as ISO-8601 UTC."),
  replaceDots: from(replaceDots, t.replaceDots, "Dots in keys replaced (Fluent Bit's Replace_Dots)."),
  json: from(json, t.json, "Parses a field holding JSON (Logstash's json filter)."),
  mutate: from(
    mutate,
    t.mutate,
    "Renames, replaces, converts and removes fields (Logstash's mutate filter).",
  ),
  date: from(date, t.date, "Parses a date field into @timestamp (Logstash's date filter)."),
  validateSchema: from<ValidateSchemaOptions>(
    validateSchema,
    t.validateSchema,
    "Dead-letters documents that do not match a JSON Schema.",
  ),
  remap: {
    build(options, context) {
      const program = context?.text(["source"]);
      const build = () => remap(options as Parameters<typeof remap>[0]) as unknown as Stage;
      return program === undefined ? build() : atProgram(program, "VRL", build);
    },
    schema: t.remap ?? {},
    description: "Runs a VRL program on each document (Vector's remap).",
  },
  filter: {
    build(options, context) {
      if (context === undefined)
        throw new SluiceError(
          ErrorCode.CONFIG,
          "filter is built from a config, which compiles its condition",
        );
      const { name } = options as { name?: string };
      const condition = context.condition(["condition"]);
      return filter({ keep: (_value, event) => condition.when(event), name: name ?? "filter" }) as Stage;
    },
    schema: {
      type: "object",
      properties: { condition: conditionSchema, name: { type: "string", minLength: 1 } },
      required: ["condition"],
      additionalProperties: false,
    },
    description:
      "Drops the events whose condition is false (Vector's filter; Logstash's `if … { drop {} }`).",
  },
  ...cliStages,
};
