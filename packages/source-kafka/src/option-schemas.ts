// The JSON Schemas this package's factories validate their options with, for tools that check a configuration first.
import { schema as kafkaMetadata } from "./kafka-metadata.js";
import { schema as kafkaSource } from "./options.js";

/**
 * The JSON Schema (draft-07) `kafkaSource` and `kafkaMetadata` validate their options with, by function
 * name. `kafkaSource`'s `workerFile` also takes a URL, which no JSON Schema can say. Read-only.
 */
export const kafkaOptionSchemas: Readonly<Record<string, object>> = { kafkaMetadata, kafkaSource };
