// The json filter as @sluice/transforms' `json`, failures sent to dead letters, decorations on success only.
import { getField, parseFieldReference } from "@sluice/core";
import { json } from "@sluice/transforms";
import type { LsPlugin } from "../ast.js";
import { readDecorations, withDecorations } from "./matched.js";
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
  const tagOnFailure = options.strings("tag_on_failure") ?? ["_jsonparsefailure"];
  options.oneOf("ecs_compatibility", ["disabled", "v1", "v8"]);
  const decorations = readDecorations(options);
  const id = options.id();
  options.finish();
  const name = id ?? "json";
  const path = construct(plugin, () => parseFieldReference(source));
  const inner = construct(plugin, () =>
    json({
      source,
      ...(target === undefined ? {} : { target }),
      ...(skip === undefined ? {} : { skip_on_invalid_json: skip }),
      tag_on_failure: tagOnFailure,
      on_failure: "deadLetter",
      name,
    }),
  );
  // Logstash's `return unless source`: nil and false do nothing, so nothing to decorate.
  const attempted = (doc: Record<string, unknown>) => {
    const value = getField(doc, path);
    return value !== undefined && value !== null && value !== false;
  };
  return {
    stages: withDecorations(name, inner, attempted, tagOnFailure, decorations),
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
