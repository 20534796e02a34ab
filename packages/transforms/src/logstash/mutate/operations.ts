// Each mutate operation built once from its options into a function over one document.
import { SluiceConfigError } from "@sluice/core";
import {
  deleteField,
  fieldOption,
  getField,
  hasField,
  hasReferences,
  isPlainObject,
  setOwn,
  sprintf,
} from "../../fields/index.js";
import { converter } from "./convert.js";
import { dynamicPath, printed, put, type TemplatePart, templateParts } from "./fields.js";
import { COMPONENT, conversion, listOf, type MutateOptions, pairs, triples } from "./options.js";
import {
  deepClone,
  MutateError,
  rubyArray,
  rubyCapitalize,
  rubyJoin,
  rubySplit,
  rubyStrip,
  rubyToS,
} from "./ruby.js";
import { type RubyPattern, rubyPattern } from "./ruby-pattern.js";
import { escapeRegex, RubyRegexError, rubyReplacement } from "./ruby-regex.js";

type JsonObject = Record<string, unknown>;
export type Operation = (doc: JsonObject) => void;

const field = (option: string, reference: string) => fieldOption(COMPONENT, option, reference);
const text = (value: unknown) => sprintf(typeof value === "string" ? value : rubyToS(value));

/** All operations of one mutate, in Logstash's fixed order; the common options come last. */
export function operations(o: MutateOptions): Operation[] {
  const ops: Operation[] = [];
  const add = (op: Operation | undefined) => op && ops.push(op);

  for (const [name, value] of pairs("coerce", o.coerce)) {
    const path = field(`coerce.${name}`, name);
    const fill = text(value);
    add((doc) => {
      if (hasField(doc, path) && getField(doc, path) === null) put(doc, path, fill(doc));
    });
  }
  for (const [from, to] of pairs("rename", o.rename)) {
    const source = dynamicPath(`rename.${from}`, from);
    const target = dynamicPath(`rename.${from}`, String(to));
    add((doc) => {
      const old = source(doc);
      const dest = target(doc);
      if (!hasField(doc, old)) return;
      const value = getField(doc, old);
      // Logstash removes, then sets; a set that fails after the removal loses the field there too.
      deleteField(doc, old);
      put(doc, dest, value);
    });
  }
  for (const [name, value] of pairs("update", o.update)) {
    const path = field(`update.${name}`, name);
    const next = text(value);
    add((doc) => {
      if (hasField(doc, path)) put(doc, path, next(doc));
    });
  }
  for (const [name, value] of pairs("replace", o.replace)) {
    const path = field(`replace.${name}`, name);
    const next = text(value);
    add((doc) => put(doc, path, next(doc)));
  }
  for (const [name, type] of pairs("convert", o.convert)) {
    const path = field(`convert.${name}`, name);
    const convert = converter(conversion(name, String(type)));
    add((doc) => {
      const value = getField(doc, path);
      if (value === undefined || value === null) return;
      const converted = convert(value);
      if (converted !== value) put(doc, path, converted);
    });
  }
  triples(o.gsub).forEach(([name, pattern, replacement], i) => {
    add(gsub(`gsub[${i}]`, name, pattern, replacement));
  });
  for (const name of listOf(o.uppercase)) add(eachString(field("uppercase", name), (s) => s.toUpperCase()));
  for (const name of listOf(o.capitalize)) add(eachString(field("capitalize", name), rubyCapitalize));
  for (const name of listOf(o.lowercase)) add(eachString(field("lowercase", name), (s) => s.toLowerCase()));
  for (const name of listOf(o.strip)) {
    const path = field("strip", name);
    add((doc) => {
      const value = getField(doc, path);
      if (typeof value === "string") put(doc, path, rubyStrip(value));
      else if (Array.isArray(value)) put(doc, path, value.map(stripElement));
    });
  }
  for (const [name, separator] of pairs("split", o.split)) {
    const path = field(`split.${name}`, name);
    add((doc) => {
      const value = getField(doc, path);
      if (typeof value === "string") put(doc, path, rubySplit(value, String(separator)));
    });
  }
  for (const [name, separator] of pairs("join", o.join)) {
    const path = field(`join.${name}`, name);
    add((doc) => {
      const value = getField(doc, path);
      if (Array.isArray(value)) put(doc, path, rubyJoin(value, String(separator)));
    });
  }
  for (const [dest, sources] of pairs("merge", o.merge))
    add(merge(dest, listOf(sources as string | string[])));
  for (const [from, to] of pairs("copy", o.copy)) {
    const source = field(`copy.${from}`, from);
    const target = field(`copy.${from}`, String(to));
    add((doc) => {
      const value = getField(doc, source);
      if (value !== undefined && value !== null) put(doc, target, deepClone(value));
    });
  }

  for (const [name, values] of pairs("add_field", o.add_field)) {
    const path = dynamicPath(`add_field.${name}`, name);
    const templates = listOf(values as string | string[]).map((v) => sprintf(v));
    add((doc) => {
      const target = path(doc);
      for (const template of templates) {
        const value = template(doc);
        if (hasField(doc, target)) {
          const array = rubyArray(getField(doc, target));
          array.push(value);
          put(doc, target, array);
        } else {
          put(doc, target, value);
        }
      }
    });
  }
  for (const name of listOf(o.remove_field)) {
    const path = dynamicPath("remove_field", name);
    add((doc) => void deleteField(doc, path(doc)));
  }
  // Logstash appends every add_tag (duplicates too) and removes every copy of a remove_tag; a string
  // `tags` becomes an array either way.
  const addTags = listOf(o.add_tag).map((t) => sprintf(t));
  if (addTags.length > 0)
    add((doc) => {
      const tags = rubyArray(ownTags(doc));
      for (const tag of addTags) tags.push(tag(doc));
      setOwn(doc, "tags", tags);
    });
  const removeTags = listOf(o.remove_tag).map((t) => sprintf(t));
  if (removeTags.length > 0)
    add((doc) => {
      const current = ownTags(doc);
      if (current === undefined || current === null) return;
      let tags = rubyArray(current);
      for (const tag of removeTags) {
        if (tags.length === 0) break;
        const name = tag(doc);
        tags = tags.filter((t) => t !== name);
      }
      setOwn(doc, "tags", tags);
    });
  return ops;
}

function ownTags(doc: JsonObject): unknown {
  return Object.hasOwn(doc, "tags") ? doc.tags : undefined;
}

function eachString(path: readonly (string | number)[], change: (s: string) => string): Operation {
  return (doc) => {
    const value = getField(doc, path);
    if (typeof value === "string") put(doc, path, change(value));
    else if (Array.isArray(value))
      put(
        doc,
        path,
        value.map((v) => (typeof v === "string" ? change(v) : v)),
      );
  };
}

// Ruby calls strip on every element: a non-string one raises, which Logstash turns into _mutate_error.
function stripElement(value: unknown): string {
  if (typeof value !== "string")
    throw new MutateError("strip_error", `cannot strip a ${typeof value} array element`);
  return rubyStrip(value);
}

/**
 * Logstash's merge: hash into hash updates keys; a hash with anything else is skipped; otherwise
 * both sides become arrays (a missing side is empty, a scalar one element) and are concatenated.
 */
function merge(dest: string, sources: string[]): Operation {
  const target = field(`merge.${dest}`, dest);
  const added = sources.map((s) => field(`merge.${dest}`, s));
  return (doc) => {
    for (const source of added) {
      const current = getField(doc, target);
      const extra = getField(doc, source);
      if (isPlainObject(current) !== isPlainObject(extra)) continue;
      if (isPlainObject(current) && isPlainObject(extra)) {
        for (const key of Object.keys(extra)) setOwn(current, key, extra[key]);
        put(doc, target, current);
        continue;
      }
      const array = rubyArray(current);
      const more = rubyArray(extra);
      const n = more.length;
      for (let i = 0; i < n; i++) array.push(more[i]);
      put(doc, target, array);
    }
  };
}

/** gsub on a string, or on each string of an array; anything else is left alone. */
function gsub(option: string, name: string, pattern: string, replacement: string): Operation {
  const path = field(option, name);
  const replaceIn = substitution(option, pattern, replacement);
  return (doc) => {
    const value = getField(doc, path);
    if (typeof value === "string") put(doc, path, replaceIn(value, doc));
    else if (Array.isArray(value))
      put(
        doc,
        path,
        value.map((v) => (typeof v === "string" ? replaceIn(v, doc) : v)),
      );
  };
}

type Replace = (value: string, doc: JsonObject) => string;

function compile(option: string, source: string): RubyPattern {
  try {
    return rubyPattern(source);
  } catch (error) {
    const why = error instanceof RubyRegexError ? error.message : String(error);
    throw new SluiceConfigError(COMPONENT, option, `has an invalid regex ${JSON.stringify(source)}: ${why}`);
  }
}

function substitution(option: string, pattern: string, replacement: string): Replace {
  const withFields = hasReferences(replacement);
  const template = sprintf(replacement);
  if (!pattern.includes("%{")) {
    const compiled = compile(option, pattern);
    if (!withFields) {
      // Translated once into JavaScript's replacement syntax: the seed's "@timestamp" → "_@timestamp" is
      // a plain String.replace.
      const js = rubyReplacement(replacement, compiled.groups, compiled.names);
      if (typeof js === "string") return (value) => compiled.replace(value, js);
    }
    return (value, doc) => replaceIn(option, compiled, value, template(doc));
  }
  // A pattern with %{} references: Logstash builds it per event. Here the interpolated values are
  // escaped, so event data is matched literally and can never add regex syntax; the pattern's own
  // structure decides the engine, so a value cannot make it backtrack either.
  const parts = templateParts(pattern);
  // Checked at construction with a one-letter value in each reference: a class such as `[%{f}]` is valid
  // once filled, where an empty value would leave `[]`.
  compile(option, parts.map((p) => (typeof p === "string" ? p : "_")).join(""));
  const cache = new Map<string, RubyPattern>();
  return (value, doc) => {
    let source = "";
    let added = 0;
    for (const part of parts) {
      if (typeof part === "string") {
        source += part;
        continue;
      }
      const text = interpolated(part, doc);
      added += text.length;
      source += escapeRegex(text);
    }
    if (added > MAX_INTERPOLATED)
      throw new MutateError(
        "gsub_error",
        `${option}: the event's values add ${added} characters to the pattern, over ${MAX_INTERPOLATED}`,
      );
    let entry = cache.get(source);
    if (!entry) {
      if (cache.size >= 1024) cache.clear();
      entry = compile(option, source);
      cache.set(source, entry);
    }
    return replaceIn(option, entry, value, template(doc));
  };
}

// Ruby raises on a replacement it cannot expand at the first match, so a value without one is unchanged.
function replaceIn(option: string, pattern: RubyPattern, value: string, replacement: string): string {
  const js = rubyReplacement(replacement, pattern.groups, pattern.names);
  if (typeof js === "string") return pattern.replace(value, js);
  if (pattern.test(value)) throw new MutateError("gsub_error", `${option}: ${js.raises}`);
  return value;
}

// Matching takes time proportional to the value's length times the pattern's, so what an event's own
// values add to a pattern is capped: a record cannot make its own search quadratic.
const MAX_INTERPOLATED = 256;

function interpolated(part: Exclude<TemplatePart, string>, doc: JsonObject): string {
  const value = getField(doc, part.path);
  return value === undefined ? part.literal : printed(value);
}
