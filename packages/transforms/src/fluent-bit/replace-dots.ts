// replaceDots: Fluent Bit's Replace_Dots — `.` in keys becomes `_`, at every level.
import { mapValues, reject, type Stage, validateOptions } from "@sluice/core";
import { isPlainObject, setOwn } from "../fields/index.js";

type JsonObject = Record<string, unknown>;

/** Not a one-to-one mirror of a Fluent Bit config, so its options are camelCase as Sluice's own. */
export interface ReplaceDotsOptions {
  /** What replaces each dot. Default `_`, as in Fluent Bit. */
  replacement?: string;
  /** Deeper documents fail to dead letters instead of being walked. Default 1000. */
  maxDepth?: number;
  /** The stage's name in metrics, logs and dead letters. Default `replaceDots`. */
  name?: string;
}

export const schema = {
  type: "object",
  properties: {
    replacement: { type: "string", pattern: "^[^.]*$", default: "_" },
    maxDepth: { type: "integer", minimum: 1, maximum: 5000, default: 1000 },
    name: { type: "string", minLength: 1, default: "replaceDots" },
  },
  additionalProperties: false,
} as const;

class TooDeep extends Error {}

/**
 * Label keys such as `app.kubernetes.io/name` are read by Elasticsearch as paths and clash with
 * `app`; Fluent Bit's es output can rewrite them. Keys keep their order; objects inside arrays are
 * rewritten too. When a rewritten key collides with an existing one the later key wins (Fluent Bit
 * would write both, and Elasticsearch refuses a document with a duplicate key).
 */
export function replaceDots(options: ReplaceDotsOptions = {}): Stage<JsonObject, JsonObject> {
  const o = validateOptions<Required<ReplaceDotsOptions>>("replaceDots", schema, options);
  return mapValues<JsonObject, JsonObject>(o.name, (doc) => {
    try {
      return rewrite(doc, o.replacement, o.maxDepth, 0) as JsonObject;
    } catch (error) {
      if (error instanceof TooDeep)
        return reject("depth_limit_exceeded", `document is nested deeper than ${o.maxDepth} levels`);
      throw error;
    }
  });
}

/** Rewrites keys in place where possible; returns the (possibly new) value. */
export function replaceDotsIn(value: unknown, replacement = "_", maxDepth = 1000): unknown {
  return rewrite(value, replacement, maxDepth, 0);
}

function rewrite(value: unknown, replacement: string, maxDepth: number, depth: number): unknown {
  if (Array.isArray(value)) {
    if (depth >= maxDepth) throw new TooDeep();
    for (let i = 0; i < value.length; i++) value[i] = rewrite(value[i], replacement, maxDepth, depth + 1);
    return value;
  }
  if (!isPlainObject(value)) return value;
  if (depth >= maxDepth) throw new TooDeep();
  const keys = Object.keys(value);
  let dotted = false;
  for (const key of keys) {
    if (key.includes(".")) dotted = true;
    value[key] = rewrite(value[key], replacement, maxDepth, depth + 1);
  }
  if (!dotted) return value;
  // Rebuild so the renamed keys keep their place.
  const out: JsonObject = {};
  for (const key of keys) setOwn(out, key.includes(".") ? key.replaceAll(".", replacement) : key, value[key]);
  return out;
}
