// The date filter as the CLI stage `logstashDate`: @sluice/transforms' `date`, its decorations (remove_field, remove_tag, …) applied only when a pattern matched.
import type { Stage } from "@sluice/core";
import { buildCliStage } from "../../migrate/stages.js";
import type { LsPlugin } from "../ast.js";
import type { LogstashDateOptions } from "./decorated.js";
import { readDecorations } from "./matched.js";
import { PluginOptions } from "./options.js";
import { construct, type PlannedStages, refuseMetadataFields } from "./planned.js";

/** A date filter's stage: failures are tagged, as Logstash tags them. */
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
  const tagOnFailure = options.strings("tag_on_failure");
  const decorations = readDecorations(options);
  const id = options.id();
  options.finish();
  const spec: LogstashDateOptions = {
    match,
    ...(timezone === undefined ? {} : { timezone }),
    ...(locale === undefined ? {} : { locale }),
    ...(target === undefined ? {} : { target }),
    ...(tagOnFailure === undefined ? {} : { tag_on_failure: tagOnFailure }),
    ...decorations,
    ...(id === undefined ? {} : { name: id }),
  };
  const stage = construct(plugin, () => buildCliStage({ logstashDate: spec })) as Stage<never, unknown>;
  return {
    stages: [stage],
    specs: [{ logstashDate: spec }],
    texts: [`date ${JSON.stringify({ match, timezone, target, ...decorations })}`],
    warnings: [],
  };
}
