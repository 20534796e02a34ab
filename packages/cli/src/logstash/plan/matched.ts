// Logstash's filter_matched: a filter's add_field, remove_field, add_tag and remove_tag apply only when it succeeded.
import { mapValues, type Stage } from "@sluice/core";
import { type JsonObject, type MutateOptions, mutate } from "@sluice/transforms";
import { branchStage } from "./branch.js";
import type { Decorations } from "./decorated.js";
import type { PluginOptions } from "./options.js";

/** A tag no config writes: the inner stage's failure tag, swapped for the user's after it ran. */
const FAILED = "\u0000sluice-filter-failed";
const STATE = "sluice.logstash.filter";

interface State {
  attempted: boolean;
  tags: unknown;
  matched: boolean;
}

/** The common decorations of a filter plugin, as mutate options; undefined when none is written. */
export function readDecorations(options: PluginOptions): Decorations | undefined {
  const decorations: Decorations = {};
  const addField = options.hash("add_field");
  if (addField !== undefined) decorations.add_field = Object.fromEntries(addField);
  const removeField = options.strings("remove_field");
  if (removeField !== undefined) decorations.remove_field = removeField;
  const addTag = options.strings("add_tag");
  if (addTag !== undefined) decorations.add_tag = addTag;
  const removeTag = options.strings("remove_tag");
  if (removeTag !== undefined) decorations.remove_tag = removeTag;
  options.value("periodic_flush");
  return Object.keys(decorations).length === 0 ? undefined : decorations;
}

/** How the wrapped stage reports: its failure tag is `FAILED_TAG`, or it dead-letters. */
export const FAILED_TAG = FAILED;

/**
 * The filter's stage, then its decorations on the events it matched: those it `attempted` (its source was
 * there) and that came out ok without the failure tag. The failure tag becomes the user's `tagOnFailure`.
 */
export function withDecorations(
  name: string,
  inner: Stage<JsonObject, JsonObject>,
  attempted: (doc: JsonObject) => boolean,
  tagOnFailure: readonly string[],
  decorations: MutateOptions | undefined,
): Stage<never, unknown>[] {
  const before = mapValues<JsonObject, JsonObject>(name, (doc, event) => {
    const tags = Object.hasOwn(doc, "tags") ? doc.tags : undefined;
    const state: State = {
      attempted: attempted(doc),
      tags: Array.isArray(tags) ? [...tags] : tags,
      matched: false,
    };
    event.metadata = { ...event.metadata, [STATE]: state };
    return doc;
  });
  const after = mapValues<JsonObject, JsonObject>(name, (doc, event) => {
    const state = event.metadata?.[STATE] as State | undefined;
    if (state === undefined) return doc;
    const tags = doc.tags;
    if (Array.isArray(tags) && tags.includes(FAILED)) {
      if (state.tags === undefined) delete doc.tags;
      else doc.tags = state.tags;
      for (const tag of tagOnFailure) addTag(doc, tag);
    } else {
      state.matched = state.attempted;
    }
    return doc;
  });
  const stages: Stage<never, unknown>[] = [
    before as Stage<never, unknown>,
    inner as Stage<never, unknown>,
    after as Stage<never, unknown>,
  ];
  if (decorations !== undefined) {
    const decorate = mutate({ ...decorations, name });
    stages.push(
      branchStage(name, [
        {
          when: (event) => (event.metadata?.[STATE] as State | undefined)?.matched === true,
          stages: [decorate as Stage<never, unknown>],
        },
      ]) as Stage<never, unknown>,
    );
  }
  return stages;
}

/** Logstash's `event.tag`: appended once; a string `tags` becomes an array. */
function addTag(doc: JsonObject, tag: string): void {
  const tags = doc.tags;
  if (tags === undefined || tags === null) doc.tags = [tag];
  else if (Array.isArray(tags)) {
    if (!tags.includes(tag)) tags.push(tag);
  } else if (tags !== tag) doc.tags = [tags, tag];
}
