// Reads a Vector configuration written in YAML or JSON (JSON is YAML), keeping every option's position.
import { type Document, isMap, isScalar, isSeq, type Node, parseDocument } from "yaml";
import type { ConfigText } from "../logstash/text.js";
import { scalarConfigText } from "../logstash/yaml-text.js";
import type { OptionPath, VectorDocument } from "./document.js";
import { VectorConfigError } from "./errors.js";

/** Parses `input` (a whole file or a ConfigMap entry) as a Vector configuration. */
export function yamlDocument(input: ConfigText, file: string): VectorDocument {
  const document = parseDocument(input.text, { uniqueKeys: true });
  const error = document.errors[0];
  if (error !== undefined)
    throw new VectorConfigError(input.locate(error.pos[0]), `invalid YAML: ${error.message.split("\n")[0]}`);
  const value: unknown = document.toJS();
  if (!isMap(document.contents) || value === null || typeof value !== "object")
    throw new VectorConfigError(input.locate(0), "a Vector configuration must be a table of options");
  return {
    file,
    value: value as Record<string, unknown>,
    where(path) {
      return input.locate(optionOffset(document, path));
    },
    textAt(path) {
      const node = document.getIn(path, true);
      if (!isScalar(node) || typeof node.value !== "string") return undefined;
      return scalarConfigText(input, node, path.join("."));
    },
  };
}

/**
 * Where the option at `path` is written: its key's offset (an array item's own), or its nearest written
 * parent's; `fallback` when none is, so messages point at the name.
 */
export function optionOffset(document: Document, path: OptionPath, fallback = 0): number {
  for (let depth = path.length; depth >= 1; depth--) {
    const parent: unknown = depth === 1 ? document.contents : document.getIn(path.slice(0, depth - 1), true);
    const part = path[depth - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === part);
      const key = pair?.key as Node | undefined;
      if (key?.range) return key.range[0];
    } else if (isSeq(parent) && typeof part === "number") {
      const item = parent.items[part] as Node | undefined;
      if (item?.range) return item.range[0];
    }
  }
  return fallback;
}
