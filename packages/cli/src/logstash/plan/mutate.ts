// The mutate filter as @sluice/transforms' `mutate`, every operation in Logstash's order.
import type { Stage } from "@sluice/core";
import { type MutateOptions, mutate } from "@sluice/transforms";
import type { PlanWarning } from "../../plan.js";
import type { LsPlugin } from "../ast.js";
import { PluginOptions } from "./options.js";
import { construct, type PlannedStages, refuseMetadataFields } from "./planned.js";

const HASHES = [
  "coerce",
  "rename",
  "update",
  "replace",
  "convert",
  "split",
  "join",
  "merge",
  "copy",
  "add_field",
] as const;
const LISTS = [
  "uppercase",
  "capitalize",
  "lowercase",
  "strip",
  "remove_field",
  "add_tag",
  "remove_tag",
  "tag_on_failure",
] as const;

/** A mutate filter's stage; a gsub that rewrites `@timestamp` inside a text field is a warning. */
export function planMutate(plugin: LsPlugin): PlannedStages {
  refuseMetadataFields(plugin);
  const options = new PluginOptions(plugin);
  const given: Record<string, unknown> = {};
  for (const name of HASHES) {
    const pairs = options.hash(name);
    if (pairs === undefined) continue;
    // The flat list keeps the order written; an entry holding several values needs the object form.
    given[name] = pairs.some(([, value]) => Array.isArray(value))
      ? Object.fromEntries(pairs)
      : pairs.flatMap(([key, value]) => [key, value as string]);
  }
  for (const name of LISTS) {
    const list = options.strings(name);
    if (list !== undefined) given[name] = list;
  }
  const gsub = options.strings("gsub");
  if (gsub !== undefined) given.gsub = gsub;
  options.value("periodic_flush");
  const id = options.id();
  options.finish();
  const spec: MutateOptions = { ...(given as MutateOptions), ...(id === undefined ? {} : { name: id }) };
  const stage = construct(plugin, () => mutate(spec));
  const warnings: PlanWarning[] = [];
  for (let i = 0; gsub !== undefined && i + 2 < gsub.length; i += 3) {
    if (gsub[i + 1]!.includes("@timestamp"))
      warnings.push({
        kind: "behaviour",
        message: `mutate gsub rewrites every "@timestamp" in [${gsub[i]!.replace(/^\[|\]$/g, "")}], inside the log text too, not only a JSON key: a log line that mentions @timestamp is stored changed`,
        where: options.position("gsub"),
      });
  }
  return {
    stages: [stage as Stage<never, unknown>],
    specs: [{ mutate: spec }],
    texts: [`mutate ${JSON.stringify(given)}`],
    warnings,
  };
}
