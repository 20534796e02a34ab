// The json filter as @sluice/transforms' `json`, failures sent to dead letters; with decorations (applied on success only), the CLI stage `logstashJson`.
import type { Stage } from "@sluice/core";
import { type JsonOptions, json } from "@sluice/transforms";
import { buildCliStage } from "../../migrate/stages.js";
import type { StageSpec } from "../../plan.js";
import type { LsPlugin } from "../ast.js";
import type { LogstashJsonOptions } from "./decorated.js";
import { readDecorations } from "./matched.js";
import { PluginOptions } from "./options.js";
import { construct, type PlannedStages, refuseMetadataFields } from "./planned.js";

/** A json filter's stages; text that is not JSON goes to dead letters where Logstash tags `_jsonparsefailure`. */
export function planJson(plugin: LsPlugin): PlannedStages {
  refuseMetadataFields(plugin);
  const options = new PluginOptions(plugin);
  const source = options.string("source");
  if (source === undefined)
    throw options.refuse(
      undefined,
      "the option `source` is required (Logstash refuses the filter without it)",
    );
  const target = options.string("target");
  const skip = options.boolean("skip_on_invalid_json");
  const tagOnFailureGiven = options.strings("tag_on_failure");
  const tagOnFailure = tagOnFailureGiven ?? ["_jsonparsefailure"];
  options.oneOf("ecs_compatibility", ["disabled", "v1", "v8"]);
  const decorations = readDecorations(options);
  const id = options.id();
  options.finish();
  const common = {
    source,
    ...(target === undefined ? {} : { target }),
    ...(skip === undefined ? {} : { skip_on_invalid_json: skip }),
    ...(tagOnFailureGiven === undefined ? {} : { tag_on_failure: tagOnFailureGiven }),
  };
  // Without decorations the plain `json` stage is the filter; with them, Logstash's success-only rule.
  let spec: StageSpec;
  let stage: Stage<never, unknown>;
  if (decorations === undefined) {
    const plainOptions: JsonOptions = {
      ...common,
      on_failure: "deadLetter",
      ...(id === undefined ? {} : { name: id }),
    };
    spec = { json: plainOptions };
    stage = construct(plugin, () => json(plainOptions)) as Stage<never, unknown>;
  } else {
    const own: LogstashJsonOptions = { ...common, ...decorations, ...(id === undefined ? {} : { name: id }) };
    spec = { logstashJson: own };
    stage = construct(plugin, () => buildCliStage({ logstashJson: own })) as Stage<never, unknown>;
  }
  return {
    stages: [stage],
    specs: [spec],
    texts: [`json ${JSON.stringify({ source, target, on_failure: "deadLetter", ...decorations })}`],
    warnings: [
      {
        kind: "difference",
        message: `json: text that is not JSON (or not an object) goes to dead letters, where Logstash would tag it ${tagOnFailure.map((t) => `"${t}"`).join(", ")} and write it on`,
        where: plugin.position,
      },
    ],
  };
}
