// Bounds on what a JSON text becomes once parsed, checked on the text before it is parsed.
import type { JsonProblem } from "./json-bytes.js";

/**
 * In-flight limits count raw bytes, but parsed JSON can be far larger: `[{},{},…]` takes ~20 times its
 * bytes as objects. Counting containers and values bounds what one record can hold in the heap.
 */
export interface JsonLimits {
  /** Nesting deeper than this is refused (Elasticsearch refuses it too). */
  maxDepth: number;
  /** More objects and arrays than this, all levels together, are refused. */
  maxContainers: number;
  /** More values than this (every scalar, object and array, the top level included) are refused. */
  maxValues: number;
}

export const JSON_LIMIT_DEFAULTS: JsonLimits = Object.freeze({
  maxDepth: 1000,
  maxContainers: 10_000,
  maxValues: 100_000,
});

/** How a stage spells the limits' options, for the reason a refusal gives. */
export type JsonLimitNames = { readonly [K in keyof JsonLimits]: string };

const CAMEL_CASE_LIMITS: JsonLimitNames = {
  maxDepth: "maxDepth",
  maxContainers: "maxContainers",
  maxValues: "maxValues",
};
/** The spelling of a stage that mirrors a snake_case tool's config (Logstash's json filter). */
export const SNAKE_CASE_LIMITS: JsonLimitNames = {
  maxDepth: "max_depth",
  maxContainers: "max_containers",
  maxValues: "max_values",
};

/** The options' JSON Schema, with their defaults, for a stage that parses JSON. */
export const jsonLimitsSchema = {
  maxDepth: { type: "integer", minimum: 1, maximum: 100_000, default: JSON_LIMIT_DEFAULTS.maxDepth },
  maxContainers: { type: "integer", minimum: 1, default: JSON_LIMIT_DEFAULTS.maxContainers },
  maxValues: { type: "integer", minimum: 1, default: JSON_LIMIT_DEFAULTS.maxValues },
} as const;

/**
 * Whether parsing `text` would pass a limit, in one pass that builds nothing and stops at the first
 * limit passed. A text too short to pass any limit (each container takes two characters, each value
 * after the first a comma and a character) is not scanned. Only counts: invalid JSON is the parser's.
 */
export function jsonLimitProblem(
  text: string,
  limits: JsonLimits,
  names: JsonLimitNames = CAMEL_CASE_LIMITS,
): JsonProblem | undefined {
  const { maxDepth, maxContainers, maxValues } = limits;
  const n = text.length;
  if (n <= maxDepth && n < 2 * maxContainers + 2 && n <= 2 * maxValues) return undefined;
  let depth = 0;
  let containers = 0;
  let values = 1;
  // After `{` or `[`: the next token opens a first member unless it closes the container.
  let opened = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20) continue;
    if (opened) {
      opened = false;
      if (c !== 0x7d && c !== 0x5d && ++values > maxValues)
        return tooMany("values", maxValues, names.maxValues);
    }
    if (c === 0x22) i = stringEnd(text, i);
    else if (c === 0x2c) {
      if (++values > maxValues) return tooMany("values", maxValues, names.maxValues);
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth)
        return {
          type: "depth_limit_exceeded",
          reason: `record is nested deeper than ${maxDepth} levels (${names.maxDepth})`,
        };
      if (++containers > maxContainers)
        return tooMany("objects and arrays", maxContainers, names.maxContainers);
      opened = true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}

function tooMany(what: string, limit: number, option: string): JsonProblem {
  return { type: "size_limit_exceeded", reason: `record holds more than ${limit} ${what} (${option})` };
}

// The index of the quote closing the string opened at `open` (the text's end if none does). Native
// search finds each quote; one preceded by an odd run of backslashes is escaped.
function stringEnd(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return text.length;
    let k = quote - 1;
    while (text.charCodeAt(k) === 0x5c) k--;
    if ((quote - k) % 2 === 1) return quote;
    from = quote + 1;
  }
}
