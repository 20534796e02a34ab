// The date filter as @sluice/transforms' `date`, its decorations (remove_field, remove_tag, …) applied only when a pattern matched.
import { getField, parseFieldReference } from "@sluice/core";
import { date } from "@sluice/transforms";
import type { LsPlugin } from "../ast.js";
import { FAILED_TAG, readDecorations, withDecorations } from "./matched.js";
import { PluginOptions } from "./options.js";
import { construct, type PlannedStages, refuseMetadataFields } from "./planned.js";

/** A date filter's stages: failures are tagged, as Logstash tags them. */
export function planDate(plugin: LsPlugin): PlannedStages {
  refuseMetadataFields(plugin);
  const options = new PluginOptions(plugin);
  const match = options.strings("match");
  if (match === undefined || match.length < 2)
    throw options.refuse(
      match === undefined ? undefined : "match",
      "`match` needs a field and at least one pattern",
    );
  const timezone = options.string("timezone");
  const locale = options.string("locale");
  const target = options.string("target");
  const tagOnFailure = options.strings("tag_on_failure") ?? ["_dateparsefailure"];
  const decorations = readDecorations(options);
  const id = options.id();
  options.finish();
  const name = id ?? "date";
  const path = construct(plugin, () => parseFieldReference(match[0]!));
  const inner = construct(plugin, () =>
    date({
      match,
      ...(timezone === undefined ? {} : { timezone }),
      ...(locale === undefined ? {} : { locale }),
      ...(target === undefined ? {} : { target }),
      tag_on_failure: [FAILED_TAG],
      name,
    }),
  );
  // Logstash's date filter ignores an event whose source is missing or null: no tag, no decoration.
  const attempted = (doc: Record<string, unknown>) => {
    const value = getField(doc, path);
    return value !== undefined && value !== null;
  };
  return {
    stages: withDecorations(name, inner, attempted, tagOnFailure, decorations),
    texts: [`date ${JSON.stringify({ match, timezone, target, ...decorations })}`],
    warnings: [],
  };
}
