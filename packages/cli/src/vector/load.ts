// Loads a Vector configuration file: YAML, TOML or JSON, or a Kubernetes ConfigMap holding one.
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { isMap, isScalar, parseDocument } from "yaml";
import { type ConfigText, fileText } from "../logstash/text.js";
import { scalarConfigText } from "../logstash/yaml-text.js";
import type { VectorDocument } from "./document.js";
import { VectorConfigError } from "./errors.js";
import { tomlDocument } from "./toml-document.js";
import { yamlDocument } from "./yaml-document.js";

/** Reads the Vector configuration in `file` (a ConfigMap is recognised by its `data` and `apiVersion`). */
export function loadVector(file: string): VectorDocument {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new VectorConfigError(
      { file, line: 1, column: 1 },
      `cannot read the file: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return parseVector(text, file);
}

/** Parses a Vector configuration's text; `file` names it in positions, and its extension picks TOML. */
export function parseVector(text: string, file: string): VectorDocument {
  const input = fileText(file, text);
  const extension = extname(file).toLowerCase();
  if (extension === ".toml") return tomlDocument(input, file);
  const entry = configMapEntry(input);
  if (entry === undefined) return yamlDocument(input, file);
  return entry.name.toLowerCase().endsWith(".toml")
    ? tomlDocument(entry.text, file)
    : yamlDocument(entry.text, file);
}

/** The configuration a ConfigMap holds under `data`, or undefined when the file is not a ConfigMap. */
function configMapEntry(input: ConfigText): { name: string; text: ConfigText } | undefined {
  const document = parseDocument(input.text);
  if (document.errors.length > 0 || !isMap(document.contents)) return undefined;
  const kind = document.get("kind");
  const data = document.get("data", true);
  if (!isMap(data) || (document.get("apiVersion") === undefined && kind !== "ConfigMap")) return undefined;
  const entries = data.items.filter(
    (item) => isScalar(item.key) && /\.(ya?ml|toml|json)$/i.test(String(item.key.value)),
  );
  const first = entries[0];
  if (first === undefined || !isScalar(first.key))
    throw new VectorConfigError(
      input.locate(data.range?.[0] ?? 0),
      "the ConfigMap holds no Vector configuration (an entry named *.yaml, *.yml, *.toml or *.json)",
    );
  if (entries.length > 1)
    throw new VectorConfigError(
      input.locate(entries[1]!.key && isScalar(entries[1]!.key) ? (entries[1]!.key.range?.[0] ?? 0) : 0),
      "the ConfigMap holds several configurations; Sluice reads one (give it the file holding the one to run)",
    );
  const name = String(first.key.value);
  const node = first.value;
  if (!isScalar(node) || typeof node.value !== "string")
    throw new VectorConfigError(input.locate(first.key.range?.[0] ?? 0), `data.${name} must be a string`);
  return { name, text: scalarConfigText(input, node, `data["${name}"]`) };
}
