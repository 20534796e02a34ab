// Test helper: a model value as plain data, so tests compare what a plugin would receive.
import type { LsStatement, LsValue } from "../../src/index.ts";

export type Plain = string | number | Plain[] | { [key: string]: Plain };

/** The value without positions: strings, numbers and barewords as their values, hashes as objects. */
export function plain(value: LsValue): Plain {
  switch (value.kind) {
    case "string":
    case "number":
    case "bareword":
      return value.value;
    case "array":
      return value.items.map(plain);
    case "hash":
      return Object.fromEntries(value.entries.map((entry) => [String(entry.key.value), plain(entry.value)]));
    case "plugin":
      return { [`${value.type} ${value.name}`]: attributes(value) };
  }
}

/** A plugin's attributes as an object (a repeated name keeps its last value). */
export function attributes(statement: LsStatement | LsValue): { [key: string]: Plain } {
  if (statement.kind !== "plugin") throw new Error(`expected a plugin, got ${statement.kind}`);
  return Object.fromEntries(
    statement.attributes.map((attribute) => [attribute.name, plain(attribute.value)]),
  );
}

/** The names of plugins and `if` markers of statements, for checking order. */
export function names(statements: readonly LsStatement[]): string[] {
  return statements.map((statement) => (statement.kind === "plugin" ? statement.name : "if"));
}
