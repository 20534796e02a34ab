// mutate's options: Logstash's config shapes, their ajv schema, and their normalized form.
import { SluiceConfigError } from "@sluice/core";
import { type FailureMode, failureModeSchema } from "../failure.js";
import { CONVERSIONS, type Conversion } from "./convert.js";

/**
 * A Logstash hash: an object, or Logstash's flat `[key, value, key, value…]` list. Entries run in order;
 * use the list when that matters and a key looks like an integer (JavaScript objects put those first).
 */
export type HashOption<V = string> = Record<string, V> | string[];
/** A Logstash array of strings; a single string counts as one. */
export type ListOption = string | string[];

/**
 * Mirrors Logstash's mutate filter one to one, so every option is spelled as Logstash spells it
 * (snake_case), `on_failure`, which Sluice adds, included.
 */
export interface MutateOptions {
  /** Field → value set when the field exists and is null (`%{}` references in the value). */
  coerce?: HashOption<string | number | boolean>;
  /** Old field → new field; both may hold `%{}` references. A missing old field does nothing. */
  rename?: HashOption;
  /** Field → new value (`%{}` references), only for fields that exist. */
  update?: HashOption<string | number | boolean>;
  /** Field → new value (`%{}` references), creating the field when missing. */
  replace?: HashOption<string | number | boolean>;
  /** Field → integer, integer_eu, float, float_eu, string or boolean. */
  convert?: HashOption<Conversion>;
  /** [field, Ruby regex, replacement] triples, or Logstash's flat list of them. */
  gsub?: Array<[string, string, string]> | string[];
  /** Fields whose string (or each string of an array) is upper-cased. */
  uppercase?: ListOption;
  /** Fields whose string (or each string of an array) is capitalized, as Ruby's capitalize. */
  capitalize?: ListOption;
  /** Fields whose string (or each string of an array) is lower-cased. */
  lowercase?: ListOption;
  /** Fields whose string (or every element of an array) loses surrounding whitespace, as Ruby's strip. */
  strip?: ListOption;
  /** Field → separator. */
  split?: HashOption;
  /** Field → separator. */
  join?: HashOption;
  /** Destination field → field (or fields) merged into it. */
  merge?: HashOption<string | string[]>;
  /** Source field → destination field (deep copy). */
  copy?: HashOption;
  /** Field → value or values; both may hold `%{}` references. An existing field becomes an array. */
  add_field?: HashOption<string | string[]>;
  /** Fields removed; names may hold `%{}` references. */
  remove_field?: ListOption;
  /** Tags appended to `tags` (`%{}` references allowed); a string `tags` becomes an array. */
  add_tag?: ListOption;
  /** Tags removed from `tags`, every copy (`%{}` references allowed). */
  remove_tag?: ListOption;
  /** Tag(s) added when an operation fails. Default `_mutate_error`. */
  tag_on_failure?: ListOption;
  /** `tag` (Logstash's way, the event goes on) or `deadLetter`. */
  on_failure?: FailureMode;
  /** The stage's name in metrics, logs and dead letters. Default `mutate`. */
  name?: string;
}

const list = { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] };
const flat = { type: "array", items: { type: "string" } };
const hashOf = (value: object) => ({ anyOf: [{ type: "object", additionalProperties: value }, flat] });
const scalar = { type: ["string", "number", "boolean"] };

export const schema = {
  type: "object",
  properties: {
    coerce: hashOf(scalar),
    rename: hashOf({ type: "string" }),
    update: hashOf(scalar),
    replace: hashOf(scalar),
    convert: hashOf({ type: "string" }),
    gsub: {
      type: "array",
      items: {
        anyOf: [{ type: "string" }, { type: "array", items: { type: "string" }, minItems: 3, maxItems: 3 }],
      },
    },
    uppercase: list,
    capitalize: list,
    lowercase: list,
    strip: list,
    split: hashOf({ type: "string" }),
    join: hashOf({ type: "string" }),
    merge: hashOf(list),
    copy: hashOf({ type: "string" }),
    add_field: hashOf(list),
    remove_field: list,
    add_tag: list,
    remove_tag: list,
    tag_on_failure: { ...list, default: "_mutate_error" },
    on_failure: failureModeSchema,
    name: { type: "string", minLength: 1, default: "mutate" },
  },
  additionalProperties: false,
} as const;

export const COMPONENT = "mutate";

/** A hash option as ordered [key, value] pairs. */
export function pairs<V>(option: string, value: HashOption<V> | undefined): Array<[string, V | string]> {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return Object.entries(value);
  if (value.length % 2 !== 0)
    throw new SluiceConfigError(COMPONENT, option, "must list key, value pairs (an even number of strings)");
  const out: Array<[string, string]> = [];
  for (let i = 0; i < value.length; i += 2) out.push([value[i]!, value[i + 1]!]);
  return out;
}

export function listOf(value: ListOption | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : value;
}

/** gsub as triples, whichever shape it was given in. */
export function triples(value: MutateOptions["gsub"]): Array<[string, string, string]> {
  if (value === undefined) return [];
  if (value.every((v) => Array.isArray(v))) return value as Array<[string, string, string]>;
  if (!value.every((v) => typeof v === "string"))
    throw new SluiceConfigError(
      COMPONENT,
      "gsub",
      "must be [field, pattern, replacement] triples or a flat list",
    );
  if (value.length % 3 !== 0)
    throw new SluiceConfigError(
      COMPONENT,
      "gsub",
      "must hold 3 strings per substitution: field, pattern, replacement",
    );
  const out: Array<[string, string, string]> = [];
  for (let i = 0; i < value.length; i += 3)
    out.push([value[i]!, value[i + 1]!, value[i + 2]!] as [string, string, string]);
  return out;
}

export function conversion(field: string, type: string): Conversion {
  if (!(CONVERSIONS as readonly string[]).includes(type))
    throw new SluiceConfigError(
      COMPONENT,
      `convert.${field}`,
      `must be one of ${CONVERSIONS.map((c) => JSON.stringify(c)).join(", ")}`,
    );
  return type as Conversion;
}
