// A Vector configuration as plain data, with the way back from any option to its place in the user's file.
import type { Position } from "../logstash/ast.js";
import type { ConfigText } from "../logstash/text.js";

/** A path into the configuration: keys and array indexes. */
export type OptionPath = readonly (string | number)[];

/** A parsed Vector configuration (YAML, TOML or JSON, possibly held in a ConfigMap). */
export interface VectorDocument {
  /** The file the configuration was read from. */
  readonly file: string;
  /** The configuration's top-level table. */
  readonly value: Record<string, unknown>;
  /** Where the option at `path` is written (its value, else the nearest enclosing option). */
  where(path: OptionPath): Position;
  /** For a string option: its text, whose offsets map to the user's file; undefined when it is not a string. */
  textAt(path: OptionPath): ConfigText | undefined;
}

/** `sinks.es.bulk.index` for `["sinks", "es", "bulk", "index"]`. */
export function pathText(path: OptionPath): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join("");
}
