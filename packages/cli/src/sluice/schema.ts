// The JSON Schema of a Sluice config, made of the very schemas the packages validate their options with.
import { coreOptionSchemas, ErrorCode, SluiceError } from "@sluice/core";
import { elasticsearchOptionSchemas } from "@sluice/sink-elasticsearch";
import { kafkaOptionSchemas } from "@sluice/source-kafka";
import { conditionSchema } from "./conditions.js";
import { type StageEntry, sluiceStages } from "./stages.js";

type Schema = Record<string, unknown>;

function component(schemas: Readonly<Record<string, object>>, name: string): Schema {
  const schema = schemas[name] as Schema | undefined;
  if (schema === undefined)
    throw new SluiceError(ErrorCode.CONFIG, `the options schema of ${name} is not exported`);
  return schema;
}

function properties(schema: Schema): Record<string, Schema> {
  return schema.properties as Record<string, Schema>;
}

/** `schema` with only `keys` of its properties (all optional), for the defaults merged under each part. */
function optional(schema: Schema, keep: (key: string) => boolean, description: string): Schema {
  const props = Object.fromEntries(Object.entries(properties(schema)).filter(([key]) => keep(key)));
  return { description, type: "object", properties: props, additionalProperties: false };
}

/** The options of `elasticsearchSink` whose values a config can hold: its `index` cannot be a function there. */
const INDEX = {
  description:
    "The index, alias or data stream; `%{field}` references are filled per event; or a target per topic.",
  anyOf: [
    { type: "string", minLength: 1 },
    {
      type: "object",
      properties: {
        topics: { type: "object", additionalProperties: { type: "string", minLength: 1 }, minProperties: 1 },
        default: { type: "string", minLength: 1 },
      },
      required: ["topics"],
      additionalProperties: false,
    },
  ],
};

/**
 * The JSON Schema (draft-07) of a Sluice config whose stages are `stages`' entries. Every option group is
 * the schema its package validates with; what is required may come from the defaults (`kafka:`,
 * `elasticsearch:`), so it is checked once those are merged.
 */
export function sluiceConfigSchema(stages: Readonly<Record<string, StageEntry>> = sluiceStages): Schema {
  const source = component(kafkaOptionSchemas, "kafkaSource");
  const sink = component(elasticsearchOptionSchemas, "elasticsearchSink");
  const deadLetters = component(elasticsearchOptionSchemas, "elasticsearchDeadLetters");
  const sourceProperties = {
    ...properties(source),
    // A URL object is not data: a config names the file.
    workerFile: { type: "string", minLength: 1 },
  };
  // A target's own `name` names its sink, so the sink's `name` option is not part of the config.
  const { name: _sinkName, ...sinkOptions } = properties(sink);
  const sinkProperties = { ...sinkOptions, index: INDEX };
  const shared = (key: string) => key in properties(deadLetters);
  const perPipeline = new Set(["topics", "topicPattern", "groupId", "startFrom"]);
  const stageProperties: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(stages))
    stageProperties[name] = { ...entry.schema, description: entry.description };
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "Sluice config",
    description: "Kafka to Elasticsearch pipelines run by `sluice run`.",
    type: "object",
    properties: {
      kafka: optional(
        { properties: sourceProperties },
        (key) => !perPipeline.has(key),
        "kafkaSource options merged under every pipeline's source (brokers, clientId, sasl, ssl, ...).",
      ),
      elasticsearch: optional(
        { properties: sinkProperties },
        shared,
        "Connection options merged under every target and the dead letters (node, auth, tls, ...).",
      ),
      pipelines: {
        description: "The pipelines: one Kafka consumer group each, its stages and its targets.",
        type: "array",
        minItems: 1,
        items: { $ref: "#/definitions/pipeline" },
      },
      deadLetters: optional(
        deadLetters,
        () => true,
        "elasticsearchDeadLetters options over `elasticsearch:`; the index defaults to sluice-dead-letter.",
      ),
      flow: { ...component(coreOptionSchemas, "flow"), description: "createPipeline's flow options." },
      http: {
        description: "Where /metrics, /health, /livez and /readyz are served; the command line overrides it.",
        type: "object",
        properties: {
          host: { type: "string", minLength: 1 },
          port: { type: "integer", minimum: 0, maximum: 65535 },
        },
        additionalProperties: false,
      },
      logging: {
        description: "The log level; the command line overrides it.",
        type: "object",
        properties: { level: { enum: ["trace", "debug", "info", "warn", "error", "fatal", "silent"] } },
        additionalProperties: false,
      },
    },
    required: ["pipelines"],
    additionalProperties: false,
    definitions: {
      pipeline: {
        type: "object",
        properties: {
          name: {
            description: "The pipeline's name in metrics, logs and dead letters.",
            type: "string",
            minLength: 1,
          },
          source: optional(
            { properties: sourceProperties },
            () => true,
            "kafkaSource options over `kafka:` (topics, groupId, startFrom, ...).",
          ),
          stages: { $ref: "#/definitions/stages" },
          targets: {
            description:
              "Where events go; more than one: each event goes to every target whose `when` holds.",
            type: "array",
            minItems: 1,
            items: { $ref: "#/definitions/target" },
          },
          unrouted: {
            description: "What becomes of an event no target takes. Default dead-letter.",
            enum: ["dead-letter", "drop"],
          },
        },
        required: ["name", "source", "targets"],
        additionalProperties: false,
      },
      target: {
        type: "object",
        properties: {
          name: {
            description: "Names the target in /health, errors and dead letters.",
            type: "string",
            minLength: 1,
          },
          when: { $ref: "#/definitions/condition" },
          elasticsearch: optional(
            { properties: sinkProperties },
            () => true,
            "elasticsearchSink options over `elasticsearch:` (index, action, id, dataStream, ...).",
          ),
        },
        required: ["name", "elasticsearch"],
        additionalProperties: false,
      },
      stages: {
        description: "Stages in order; each entry has one key: the stage's name, with its options.",
        type: "array",
        items: { $ref: "#/definitions/stage" },
      },
      stage: {
        type: "object",
        properties: {
          ...stageProperties,
          stage: {
            description: "Your own stage: a module's export called with `options`, returning an operator.",
            type: "object",
            properties: {
              module: {
                description: "A path relative to this config, or a package name.",
                type: "string",
                minLength: 1,
              },
              export: {
                description: "The factory's export name. Default `default`.",
                type: "string",
                minLength: 1,
              },
              options: { description: "What the factory is called with." },
            },
            required: ["module"],
            additionalProperties: false,
          },
          when: { $ref: "#/definitions/condition" },
          // biome-ignore lint/suspicious/noThenProperty: the config's own key, never awaited.
          then: { $ref: "#/definitions/stages" },
          else: { $ref: "#/definitions/stages" },
        },
        additionalProperties: false,
        minProperties: 1,
        if: { required: ["when"] },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, never awaited.
        then: { required: ["then"], propertyNames: { enum: ["when", "then", "else"] } },
        else: { maxProperties: 1, propertyNames: { not: { enum: ["then", "else"] } } },
      },
      condition: conditionSchema,
    },
  };
}
