// The JSON Schemas core validates option groups with, for tools that check a configuration before building anything.
import { flowOptionsSchema } from "./flow.js";

/**
 * The JSON Schema (draft-07) of each plain-data option group core validates, by name: `flow` is
 * `createPipeline`'s `flow`. Read-only: `validateOptions` caches what it compiled from these objects.
 */
export const coreOptionSchemas: Readonly<Record<string, object>> = { flow: flowOptionsSchema };
