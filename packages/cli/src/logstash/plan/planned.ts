// What planning one plugin gives: stages (with their printed lines) and warnings, and how a stage's construction error is placed.
import { SluiceError, type Stage } from "@sluice/core";
import type { PlanWarning, StageSpec } from "../../plan.js";
import type { LsPlugin, LsValue, Position } from "../ast.js";
import { LogstashConfigError } from "../errors.js";

/** A plugin's part of a pipeline. */
export interface PlannedStages {
  readonly stages: Stage<never, unknown>[];
  /** The stages as Sluice's config writes them, one per stage. */
  readonly specs: StageSpec[];
  /** Where each spec (nested ones included) is written, when the planner knows. */
  readonly where?: ReadonlyMap<StageSpec, Position>;
  readonly texts: string[];
  readonly warnings: PlanWarning[];
}

/** Builds a Sluice stage; an option the stage refuses is reported at the plugin, naming it. */
export function construct<T>(plugin: LsPlugin, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof SluiceError && !(error instanceof LogstashConfigError))
      throw new LogstashConfigError(
        plugin.position,
        error.message.startsWith(`${plugin.name}:`) ? error.message : `${plugin.name}: ${error.message}`,
        { cause: error },
      );
    throw error;
  }
}

/**
 * Refuses a plugin whose options name `[@metadata]`: Sluice keeps it beside the document, where its
 * transforms' field references and templates do not look.
 */
export function refuseMetadataFields(plugin: LsPlugin): void {
  for (const attribute of plugin.attributes) {
    if (mentionsMetadata(attribute.value))
      throw new LogstashConfigError(
        attribute.position,
        `${plugin.name} option \`${attribute.name}\`: Sluice's ${plugin.name} does not read or write [@metadata] (only conditions read it)`,
      );
  }
}

function mentionsMetadata(value: LsValue): boolean {
  switch (value.kind) {
    case "string":
    case "bareword":
      return value.value.includes("@metadata");
    case "number":
      return false;
    case "array":
      return value.items.some(mentionsMetadata);
    case "hash":
      return value.entries.some(
        (entry) => String(entry.key.value).includes("@metadata") || mentionsMetadata(entry.value),
      );
    case "plugin":
      return value.attributes.some((attribute) => mentionsMetadata(attribute.value));
  }
}
