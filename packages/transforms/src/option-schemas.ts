// The JSON Schemas the stages validate their options with, for tools that check a configuration before building anything.
import { schema as epochToIso } from "./epoch-to-iso.js";
import { schema as replaceDots } from "./fluent-bit/replace-dots.js";
import { schema as fluentBitToElasticsearch } from "./fluent-bit/to-elasticsearch.js";
import { schema as date } from "./logstash/date.js";
import { schema as json } from "./logstash/json.js";
import { schema as mutate } from "./logstash/mutate/options.js";
import { schema as plain } from "./logstash/plain.js";
import { schema as parseJson } from "./parse-json.js";
import { optionsSchema as validateSchema } from "./validate-schema.js";
import { schema as vectorKafkaEvent } from "./vector/kafka-event.js";
import { schema as remap } from "./vector/remap.js";

/**
 * The JSON Schema (draft-07) each stage whose options are plain data validates them with, by the stage
 * function's name (`mutate`, `json`, `remap`, ...). Read-only: the stages compile these very objects.
 */
export const transformOptionSchemas: Readonly<Record<string, object>> = {
  date,
  epochToIso,
  fluentBitToElasticsearch,
  json,
  mutate,
  parseJson,
  plain,
  remap,
  replaceDots,
  validateSchema,
  vectorKafkaEvent,
};
