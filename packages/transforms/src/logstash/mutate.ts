// mutate: Logstash's mutate filter — rename, replace, convert, gsub and the rest, in Logstash's fixed order.
import { type Stage, validateOptions } from "@sluice/core";
import type { JsonObject } from "../parse-json.js";
import { onFailure } from "./failure.js";
import { operations } from "./mutate/operations.js";
import { listOf, type MutateOptions, schema } from "./mutate/options.js";
import { MutateError } from "./mutate/ruby.js";

export type { Conversion } from "./mutate/convert.js";
export type { HashOption, ListOption, MutateOptions } from "./mutate/options.js";

type Resolved = MutateOptions & Required<Pick<MutateOptions, "tag_on_failure" | "on_failure" | "name">>;

/**
 * As Logstash's mutate does, whatever order the options are written in: coerce, rename, update,
 * replace, convert, gsub, uppercase, capitalize, lowercase, strip, split, join, merge, copy; then
 * add_field, remove_field, add_tag, remove_tag. An operation that fails (a value convert cannot read,
 * a field that cannot be set, strip on a non-string array element, an interpolated field name that
 * is not a field reference) stops the rest, the common options included, and tags the event
 * `_mutate_error` — or, with `on_failure: "deadLetter"`, sends it to dead letters.
 * Everything is compiled at construction: field paths, regexes (a bad one fails naming `gsub[i]`),
 * `%{}` templates.
 */
export function mutate(options: MutateOptions): Stage<JsonObject, JsonObject> {
  const o = validateOptions<Resolved>("mutate", schema, options);
  const ops = operations(o);
  const fail = onFailure(o.name, o.on_failure, listOf(o.tag_on_failure));
  const n = ops.length;

  return fail.stage((doc) => {
    try {
      for (let i = 0; i < n; i++) ops[i]!(doc);
    } catch (error) {
      const type = error instanceof MutateError ? error.type : "mutate_error";
      return fail.failed(doc, type, error instanceof Error ? error.message : String(error));
    }
    return doc;
  });
}
