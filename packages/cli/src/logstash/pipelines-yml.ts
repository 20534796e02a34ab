// Reads Logstash's pipelines.yml (and logstash.yml settings) the way Logstash's MultiLocal source does.
import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { Position } from "./ast.js";
import { LogstashConfigError } from "./errors.js";
import type { ConfigText } from "./text.js";
import { parseYaml, scalarConfigText } from "./yaml-text.js";

/** One entry of a pipelines.yml. */
export interface PipelineDeclaration {
  /** `pipeline.id` (Logstash's default, `main`, when absent). */
  readonly id: string;
  /** Where the entry starts. */
  readonly position: Position;
  /** `path.config` and where it is written. */
  readonly pathConfig?: { readonly value: string; readonly position: Position };
  /** `config.string`, its positions in the YAML file. */
  readonly configString?: ConfigText;
  /** The other settings of the entry, by their dotted names (`pipeline.workers`, `config.support_escapes`, ...). */
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * The pipelines a pipelines.yml declares, refused as Logstash refuses it: an empty file, a file that is not
 * a list, an entry that is not a map, a non-string `pipeline.id`, duplicate ids, an entry naming no config.
 */
export function readPipelinesYml(input: ConfigText): PipelineDeclaration[] {
  const document = parseYaml(input);
  const root = document.contents;
  const at = (node: Node | null | undefined) => input.locate(node?.range?.[0] ?? 0);
  if (root === null || (isScalar(root) && (root.value === null || root.value === false))) {
    throw new LogstashConfigError(at(root), "Pipelines YAML file is empty");
  }
  if (!isSeq(root)) {
    throw new LogstashConfigError(at(root), "Pipelines YAML file must contain an array of pipeline configs");
  }
  const declarations: PipelineDeclaration[] = [];
  const seen = new Map<string, Position>();
  root.items.forEach((item, index) => {
    if (!isMap(item)) {
      throw new LogstashConfigError(
        at(item as Node),
        `pipeline entry ${index + 1} must be a map of settings`,
      );
    }
    const settings: Record<string, unknown> = {};
    let id = "main";
    let pathConfig: PipelineDeclaration["pathConfig"];
    let configString: ConfigText | undefined;
    for (const pair of item.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      const value = pair.value as Node | null;
      if (key === "pipeline.id") {
        if (!isScalar(value) || typeof value.value !== "string") {
          throw new LogstashConfigError(
            at(value ?? (pair.key as Node)),
            "Setting `pipeline.id` must be a string",
          );
        }
        id = value.value;
      } else if (key === "path.config") {
        if (!isScalar(value) || typeof value.value !== "string") {
          throw new LogstashConfigError(
            at(value ?? (pair.key as Node)),
            "Setting `path.config` must be a string",
          );
        }
        pathConfig = { value: value.value, position: at(value) };
      } else if (key === "config.string") {
        configString = scalarConfigText(input, value as Node, `pipeline "${id}" config.string`);
      } else {
        settings[key] = isScalar(value) ? value.value : (value?.toJSON() ?? null);
      }
    }
    const position = at(item);
    if (pathConfig === undefined && configString === undefined) {
      throw new LogstashConfigError(
        position,
        `pipeline "${id}" has neither \`path.config\` nor \`config.string\``,
      );
    }
    if (seen.has(id)) {
      throw new LogstashConfigError(
        position,
        `Pipelines YAML file contains duplicate pipeline ids: ["${id}"]`,
      );
    }
    seen.set(id, position);
    declarations.push({
      id,
      position,
      ...(pathConfig === undefined ? {} : { pathConfig }),
      ...(configString === undefined ? {} : { configString }),
      settings,
    });
  });
  return declarations;
}

/**
 * The settings of a logstash.yml, by their dotted names: Logstash accepts both `config.support_escapes: true`
 * and the nested `config: { support_escapes: true }`.
 */
export function readLogstashYml(input: ConfigText): Record<string, unknown> {
  const document = parseYaml(input);
  const settings: Record<string, unknown> = {};
  const flatten = (value: unknown, prefix: string) => {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value))
        flatten(inner, prefix === "" ? key : `${prefix}.${key}`);
    } else if (prefix !== "") {
      settings[prefix] = value;
    }
  };
  flatten(document.toJSON(), "");
  return settings;
}
