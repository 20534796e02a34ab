// Builds a config's `stages:` list: registry stages, `when` blocks and the user's own stages, in order.
import { SluiceConfigError, type Stage } from "@sluice/core";
import type { Position } from "../logstash/ast.js";
import { branchStage } from "../logstash/plan/branch.js";
import { type OptionPath, pathText } from "../vector/document.js";
import { conditionAt, valueAt } from "./conditions.js";
import { customStage } from "./custom-stage.js";
import { type ConfigDocument, redact } from "./document.js";
import { SluiceConfigFileError } from "./errors.js";
import type { StageEntry } from "./stages.js";

/** Stages and the plan's line for each. */
export interface BuiltStages {
  readonly stages: Stage[];
  readonly texts: string[];
}

/** Builds the list at `path` (valid by the schema). */
export async function buildStages(
  document: ConfigDocument,
  path: OptionPath,
  registry: Readonly<Record<string, StageEntry>>,
): Promise<BuiltStages> {
  const items = (valueAt(document.value, path) as Record<string, unknown>[] | undefined) ?? [];
  const stages: Stage[] = [];
  const texts: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const itemPath = [...path, i];
    const item = items[i]!;
    if ("when" in item) {
      const condition = conditionAt(document, [...itemPath, "when"]);
      const then = await buildStages(document, [...itemPath, "then"], registry);
      const otherwise = await buildStages(document, [...itemPath, "else"], registry);
      stages.push(
        branchStage(`when[${i}]`, [
          { when: condition.when, stages: then.stages },
          { stages: otherwise.stages },
        ]) as Stage,
      );
      texts.push(
        `when ${condition.text}: [${then.texts.join(", ")}]${otherwise.stages.length > 0 ? ` else [${otherwise.texts.join(", ")}]` : ""}`,
      );
      continue;
    }
    const [name, options] = Object.entries(item)[0]!;
    if (name === "stage") {
      const built = await customStage(document, [...itemPath, "stage"], options as { module: string });
      stages.push(built.stage);
      texts.push(`stage ${built.text}`);
      continue;
    }
    const entry = registry[name];
    if (entry === undefined) throw document.refuse([...itemPath, name], "is not a stage Sluice knows");
    stages.push(buildOne(document, [...itemPath, name], name, entry, options));
    texts.push(stageText(name, options, document.secrets));
  }
  return { stages, texts };
}

function buildOne(
  document: ConfigDocument,
  path: OptionPath,
  name: string,
  entry: StageEntry,
  options: unknown,
): Stage {
  try {
    return entry.build(options ?? {}, {
      text: (inside) => document.textAt([...path, ...inside]),
      condition: (inside) => conditionAt(document, [...path, ...inside]),
    });
  } catch (error) {
    if (error instanceof SluiceConfigFileError) throw error;
    const position = (error as { position?: Position }).position;
    const message = error instanceof Error ? error.message : String(error);
    // A Logstash or Vector config error already points into the file; keep its place, name the option.
    if (position !== undefined) {
      // The position's entry names the option holding the text (`….remap.source`): name that one.
      const own = pathText(path);
      const option = position.entry?.startsWith(own) ? position.entry.split(" ")[0]! : own;
      throw new SluiceConfigFileError(position, option, message.slice(message.indexOf(": ") + 2), {
        cause: error,
      });
    }
    if (error instanceof SluiceConfigError) {
      const inside = error.option.split(".").filter((part) => part !== "" && part !== "(root)");
      const problem = message.slice(message.indexOf(`\`${error.option}\``) + error.option.length + 3);
      throw document.refuse([...path, ...inside], problem, error);
    }
    throw document.refuse(path, `${name} cannot be built: ${message}`, error);
  }
}

/** `mutate {"gsub":[…]}`, shortened, secrets hidden. */
function stageText(name: string, options: unknown, secrets: readonly string[]): string {
  const json =
    options === undefined || (typeof options === "object" && Object.keys(options as object).length === 0)
      ? ""
      : ` ${JSON.stringify(options)}`;
  const text = redact(`${name}${json}`, secrets);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
