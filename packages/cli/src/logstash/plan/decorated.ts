// The json and date filters as Logstash runs them: failures tagged (or dead-lettered), decorations on success only.
import { getField, parseFieldReference, type Stage } from "@sluice/core";
import { type DateOptions, date, type JsonOptions, json, type MutateOptions } from "@sluice/transforms";
import { composeStages } from "./compose.js";
import { FAILED_TAG, withDecorations } from "./matched.js";

/** The filter options Logstash applies only when the filter succeeded. */
export type Decorations = Pick<MutateOptions, "add_field" | "remove_field" | "add_tag" | "remove_tag">;

/** Logstash's date filter: `date`'s options, its failure tags and its decorations. */
export interface LogstashDateOptions extends Decorations {
  readonly match: readonly string[];
  readonly timezone?: string;
  readonly locale?: string;
  readonly target?: string;
  /** Default `["_dateparsefailure"]`. */
  readonly tag_on_failure?: readonly string[];
  /** Default `date`. */
  readonly name?: string;
}

/** Logstash's json filter: `json`'s options (failures go to dead letters) and its decorations. */
export interface LogstashJsonOptions extends Decorations {
  readonly source: string;
  readonly target?: string;
  readonly skip_on_invalid_json?: boolean;
  /** Default `["_jsonparsefailure"]`. */
  readonly tag_on_failure?: readonly string[];
  /** Default `json`. */
  readonly name?: string;
}

/** The date filter as one stage; an event whose source is missing or null is left alone, as Logstash does. */
export function logstashDateStage(options: LogstashDateOptions): Stage<never, unknown> {
  const name = options.name ?? "date";
  const path = parseFieldReference(options.match[0]!);
  const inner = date({
    match: [...options.match],
    ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
    ...(options.locale === undefined ? {} : { locale: options.locale }),
    ...(options.target === undefined ? {} : { target: options.target }),
    tag_on_failure: [FAILED_TAG],
    name,
  } as DateOptions);
  const attempted = (doc: Record<string, unknown>) => {
    const value = getField(doc, path);
    return value !== undefined && value !== null;
  };
  const tags = options.tag_on_failure ?? ["_dateparsefailure"];
  return composeStages(name, withDecorations(name, inner, attempted, tags, decorationsOf(options)));
}

/** The json filter as one stage; text that is not JSON goes to dead letters. */
export function logstashJsonStage(options: LogstashJsonOptions): Stage<never, unknown> {
  const name = options.name ?? "json";
  const path = parseFieldReference(options.source);
  const tags = options.tag_on_failure ?? ["_jsonparsefailure"];
  const inner = json({
    source: options.source,
    ...(options.target === undefined ? {} : { target: options.target }),
    ...(options.skip_on_invalid_json === undefined
      ? {}
      : { skip_on_invalid_json: options.skip_on_invalid_json }),
    tag_on_failure: [...tags],
    on_failure: "deadLetter",
    name,
  } as JsonOptions);
  // Logstash's `return unless source`: nil and false do nothing, so nothing to decorate.
  const attempted = (doc: Record<string, unknown>) => {
    const value = getField(doc, path);
    return value !== undefined && value !== null && value !== false;
  };
  return composeStages(name, withDecorations(name, inner, attempted, tags, decorationsOf(options)));
}

function decorationsOf(options: Decorations): MutateOptions | undefined {
  const out: MutateOptions = {};
  if (options.add_field !== undefined) out.add_field = options.add_field;
  if (options.remove_field !== undefined) out.remove_field = options.remove_field;
  if (options.add_tag !== undefined) out.add_tag = options.add_tag;
  if (options.remove_tag !== undefined) out.remove_tag = options.remove_tag;
  return Object.keys(out).length === 0 ? undefined : out;
}
