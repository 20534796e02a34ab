// A plugin's options as Logstash hands them to the plugin: an attribute written twice is merged as Logstash merges it.
import type { LsArray, LsAttribute, LsHash, LsHashEntry, LsPlugin, LsValue } from "./ast.js";
import { LogstashConfigError } from "./errors.js";

/**
 * The plugin's options by name, one value each, as Logstash's compiler builds them: a repeated name
 * whose first value is a hash is deep-merged with the next (`add_field => {…}` twice is one hash); one
 * whose first value is an array gets the next value's items appended; two different scalars become an
 * array of both, and the same scalar twice stays one. Each option keeps the position of its first attribute.
 * A hash repeated with a value that is not a hash throws {@link LogstashConfigError}, as Logstash fails there.
 */
export function pluginOptions(plugin: LsPlugin): ReadonlyMap<string, LsAttribute> {
  const options = new Map<string, LsAttribute>();
  for (const attribute of plugin.attributes) {
    const existing = options.get(attribute.name);
    if (existing === undefined) {
      options.set(attribute.name, attribute);
      continue;
    }
    if (existing.value.kind === "hash" && attribute.value.kind !== "hash") {
      throw new LogstashConfigError(
        attribute.position,
        `Logstash cannot merge \`${attribute.name}\`: it was a hash first, and this value is not one`,
      );
    }
    options.set(attribute.name, { ...existing, value: mergeAttribute(existing.value, attribute.value) });
  }
  return options;
}

/** Logstash's `expr_attributes` reduce step for one repeated name. */
function mergeAttribute(existing: LsValue, next: LsValue): LsValue {
  if (existing.kind === "hash") {
    return hashMerge(hashMerge(emptyHash(existing), existing), next as LsHash);
  }
  if (existing.kind === "array") {
    // Ruby's `push(*value)`: an array's items are appended one by one, a hash's entries as [key, value] pairs.
    const added: LsValue[] =
      next.kind === "array"
        ? [...next.items]
        : next.kind === "hash"
          ? next.entries.map((entry) => pair(entry))
          : [next];
    return { ...existing, items: [...existing.items, ...added] };
  }
  if (same(existing, next)) return existing;
  return { kind: "array", items: [existing, next], position: existing.position };
}

/** Logstash's `Util.hash_merge(dst, src)`: shared keys merge deeply, or become arrays without duplicates. */
function hashMerge(destination: LsHash, source: LsHash): LsHash {
  const entries = [...destination.entries];
  for (const entry of source.entries) {
    const index = entries.findIndex((candidate) => keyOf(candidate) === keyOf(entry));
    const current = entries[index];
    if (current === undefined) {
      entries.push(entry);
      continue;
    }
    const dvalue = current.value;
    const svalue = entry.value;
    let merged: LsValue;
    if (dvalue.kind === "hash" && svalue.kind === "hash") merged = hashMerge(dvalue, svalue);
    else if (svalue.kind === "array")
      merged = union(dvalue.kind === "array" ? dvalue : wrap(dvalue), svalue.items);
    else if (dvalue.kind === "array") merged = union(dvalue, [svalue]);
    else
      merged = same(dvalue, svalue)
        ? dvalue
        : { kind: "array", items: [dvalue, svalue], position: dvalue.position };
    entries[index] = { ...current, value: merged };
  }
  return { ...destination, entries };
}

/** Ruby's `array | other`: the array with other's items it does not hold yet. */
function union(array: LsArray, items: readonly LsValue[]): LsArray {
  const result = [...array.items];
  for (const item of items) if (!result.some((held) => same(held, item))) result.push(item);
  return { ...array, items: result };
}

function wrap(value: LsValue): LsArray {
  return { kind: "array", items: [value], position: value.position };
}

function emptyHash(at: LsHash): LsHash {
  return { ...at, entries: [] };
}

function pair(entry: LsHashEntry): LsArray {
  return { kind: "array", items: [entry.key, entry.value], position: entry.position };
}

/** A hash key as Ruby compares it: by value, numbers apart from strings (barewords are strings). */
function keyOf(entry: LsHashEntry): string {
  return entry.key.kind === "number" ? `n:${entry.key.value}` : `s:${entry.key.value}`;
}

/** Ruby's `==` on the values Logstash builds: strings and barewords alike, arrays and hashes deeply. */
function same(a: LsValue, b: LsValue): boolean {
  return JSON.stringify(plainOf(a)) === JSON.stringify(plainOf(b));
}

function plainOf(value: LsValue): unknown {
  switch (value.kind) {
    case "string":
    case "bareword":
      return value.value;
    case "number":
      return { number: value.value };
    case "array":
      return value.items.map(plainOf);
    case "hash":
      return value.entries
        .map((entry) => [keyOf(entry), plainOf(entry.value)] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    case "plugin":
      return { plugin: value.name, attributes: value.attributes.map((a) => [a.name, plainOf(a.value)]) };
  }
}
