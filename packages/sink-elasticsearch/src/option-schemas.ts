// The JSON Schemas this package's factories validate their options with, for tools that check a configuration first.
import { schema as elasticsearchDeadLetters } from "./elasticsearch-dead-letters.js";
import { schema as elasticsearchSink } from "./elasticsearch-sink.js";

/**
 * The JSON Schema (draft-07) `elasticsearchSink` and `elasticsearchDeadLetters` validate their options
 * with, by function name. `elasticsearchSink`'s `index` also takes a function, so its schema accepts any
 * value there. Read-only.
 */
export const elasticsearchOptionSchemas: Readonly<Record<string, object>> = {
  elasticsearchDeadLetters,
  elasticsearchSink,
};
