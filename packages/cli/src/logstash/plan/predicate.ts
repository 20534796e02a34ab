// Logstash conditions compiled to predicates over an event, with Logstash's readings of missing fields.
import type { SluiceEvent } from "@sluice/core";
import type { LsCondition, LsFieldRef, LsRvalue, Position } from "../ast.js";
import { LogstashConfigError } from "../errors.js";
import { rubyRegExp } from "./ruby-regexp.js";

/** A compiled condition. */
export type Predicate = (event: SluiceEvent) => boolean;

/** Where a Logstash event keeps `[@metadata]`: beside the document, so it never reaches Elasticsearch. */
export const METADATA_KEY = "@metadata";

/** A field's value as Logstash's `event.get` reads it: `[@metadata]` from the event's metadata, arrays by index. */
export function fieldValue(event: SluiceEvent, path: readonly string[]): unknown {
  let current: unknown = path[0] === METADATA_KEY ? event.metadata?.[METADATA_KEY] : event.value;
  for (const part of path[0] === METADATA_KEY ? path.slice(1) : path) {
    if (Array.isArray(current)) {
      if (!/^-?\d+$/.test(part)) return undefined;
      const index = Number(part);
      current = current[index < 0 ? current.length + index : index];
    } else if (current !== null && typeof current === "object") {
      current = Object.hasOwn(current, part) ? (current as Record<string, unknown>)[part] : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}

/** The condition as a predicate; what Sluice cannot evaluate as Logstash does is refused at its position. */
export function compileCondition(condition: LsCondition): Predicate {
  switch (condition.kind) {
    case "compare": {
      if (condition.operator !== "==" && condition.operator !== "!=")
        throw unsupported(condition.position, `the comparison \`${condition.operator}\``);
      const left = operand(condition.left);
      const right = operand(condition.right);
      return condition.operator === "=="
        ? (event) => rubyEquals(left(event), right(event))
        : (event) => !rubyEquals(left(event), right(event));
    }
    case "in": {
      const item = operand(condition.item);
      const list = operand(condition.list);
      const test: Predicate = (event) => includes(list(event), item(event));
      return condition.negated ? (event) => !test(event) : test;
    }
    case "regex": {
      const pattern = rubyRegExp(
        condition.pattern.kind === "regexp" ? condition.pattern.pattern : condition.pattern.value,
        condition.pattern.position,
      );
      const path = condition.field.path;
      // A value that is not a string never matches, so `!~` holds for a missing field.
      const matches: Predicate = (event) => {
        const value = fieldValue(event, path);
        return typeof value === "string" && pattern.test(value);
      };
      return condition.operator === "=~" ? matches : (event) => !matches(event);
    }
    case "truthy": {
      const path = condition.field.path;
      return (event) => truthy(fieldValue(event, path));
    }
    case "not": {
      const operandPredicate = compileCondition(condition.operand);
      return (event) => !operandPredicate(event);
    }
    case "boolean": {
      if (condition.operator !== "and" && condition.operator !== "or")
        throw unsupported(condition.position, `the operator \`${condition.operator}\``);
      const left = compileCondition(condition.left);
      const right = compileCondition(condition.right);
      return condition.operator === "and"
        ? (event) => left(event) && right(event)
        : (event) => left(event) || right(event);
    }
  }
}

/** The condition as the user wrote it, for the printed plan. */
export function conditionText(condition: LsCondition): string {
  switch (condition.kind) {
    case "compare":
      return `${rvalueText(condition.left)} ${condition.operator} ${rvalueText(condition.right)}`;
    case "in":
      return `${rvalueText(condition.item)} ${condition.negated ? "not in" : "in"} ${rvalueText(condition.list)}`;
    case "regex":
      return `${condition.field.raw} ${condition.operator} ${rvalueText(condition.pattern)}`;
    case "truthy":
      return condition.field.raw;
    case "not":
      return `!(${conditionText(condition.operand)})`;
    case "boolean":
      return `(${conditionText(condition.left)} ${condition.operator} ${conditionText(condition.right)})`;
  }
}

function rvalueText(value: LsRvalue): string {
  switch (value.kind) {
    case "string":
      return value.raw;
    case "number":
      return value.raw;
    case "field":
      return value.raw;
    case "regexp":
      return `/${value.pattern}/`;
    case "array":
      return `[${value.items.map((item) => ("raw" in item ? String(item.raw) : String("value" in item ? item.value : item.kind))).join(", ")}]`;
  }
}

/** A value's reader: a constant, or the field's value per event. */
function operand(value: LsRvalue): (event: SluiceEvent) => unknown {
  switch (value.kind) {
    case "string":
    case "number": {
      const constant = value.value;
      return () => constant;
    }
    case "field": {
      const path = (value as LsFieldRef).path;
      return (event) => fieldValue(event, path);
    }
    case "array": {
      const items = value.items.map((item) => {
        if (item.kind === "string" || item.kind === "number" || item.kind === "bareword") return item.value;
        throw unsupported(item.position, `a ${item.kind} inside a list in a condition`);
      });
      return () => items;
    }
    case "regexp":
      throw unsupported(value.position, "a regular expression outside `=~` and `!~`");
  }
}

/** Ruby's `==` on event values: numbers by value (1 == 1.0), strings by text, arrays and hashes deeply. */
export function rubyEquals(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => rubyEquals(item, b[i]));
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every(
      (key) =>
        Object.hasOwn(b, key) &&
        rubyEquals((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
    );
  }
  return false;
}

/** Logstash's `in`: membership in an array, a substring of a string; anything else (a missing field) holds nothing. */
function includes(list: unknown, item: unknown): boolean {
  if (Array.isArray(list)) return list.some((member) => rubyEquals(member, item));
  if (typeof list === "string") return typeof item === "string" && list.includes(item);
  return false;
}

/** Ruby's truth: everything but nil and false (0 and "" hold). */
function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

function unsupported(position: Position, what: string): LogstashConfigError {
  return new LogstashConfigError(
    position,
    `condition: Sluice does not run ${what}; write it with ==, !=, in, not in, =~, !~, and, or, !`,
  );
}
