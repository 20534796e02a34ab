// The user's own stage: a module's factory, imported by the path the config gives, called with the config's options.
import { dirname, isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Stage } from "@sluice/core";
import type { OptionPath } from "../vector/document.js";
import type { ConfigDocument } from "./document.js";

/** What `stage:` holds (valid by the schema). */
interface CustomStageOptions {
  readonly module: string;
  readonly export?: string;
  readonly options?: unknown;
}

/**
 * Imports the module `stage:` names (a path relative to the config file, or a package name), calls its
 * export with the options and checks it returned an operator; each failure is refused at its option's line.
 */
export async function customStage(
  document: ConfigDocument,
  path: OptionPath,
  options: CustomStageOptions,
): Promise<{ stage: Stage; text: string }> {
  const relative = options.module.startsWith(".") || isAbsolute(options.module);
  const specifier = relative
    ? pathToFileURL(resolve(dirname(resolve(document.file)), options.module)).href
    : options.module;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    throw document.refuse([...path, "module"], `cannot be imported: ${messageOf(error)}`, error);
  }
  const name = options.export ?? "default";
  const factory = loaded[name];
  if (factory === undefined)
    throw document.refuse(
      [...path, options.export === undefined ? "module" : "export"],
      `${options.module} has no export \`${name}\` (it exports ${Object.keys(loaded).sort().join(", ") || "nothing"})`,
    );
  if (typeof factory !== "function")
    throw document.refuse(
      [...path, "export"],
      `\`${name}\` of ${options.module} is a ${typeof factory}, not a function`,
    );
  let stage: unknown;
  try {
    stage = (factory as (options: unknown) => unknown)(options.options ?? {});
  } catch (error) {
    throw document.refuse(
      [...path, options.options === undefined ? "export" : "options"],
      `\`${name}\` of ${options.module} threw: ${messageOf(error)}`,
      error,
    );
  }
  if (typeof stage !== "function")
    throw document.refuse(
      [...path, "export"],
      `\`${name}\` of ${options.module} returned a ${stage === null ? "null" : typeof stage}, not an operator function (batch$) => batch$`,
    );
  return { stage: stage as Stage, text: `${options.module}#${name}` };
}

function messageOf(error: unknown): string {
  // Node names the importer, which is Sluice, not the config: only the module says something to the user.
  return error instanceof Error
    ? error.message.split("\n")[0]!.replace(/ imported from \S+$/, "")
    : String(error);
}
