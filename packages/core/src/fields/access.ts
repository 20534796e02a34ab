// Reading and writing fields by path without ever touching a prototype: own properties only.
import { isDocumentObject } from "../json-bytes.js";
import type { FieldPath, Segment } from "./path.js";

type JsonObject = Record<string, unknown>;

const UNSAFE = new Set(["__proto__", "constructor", "prototype"]);

/** Keys that mean something to JavaScript objects beyond being a key: set them only through setOwn. */
export function isUnsafeKey(key: string): boolean {
  return UNSAFE.has(key);
}

/** Assigns `target[key]`; `__proto__` becomes an ordinary own key, as JSON.parse makes it. */
export function setOwn(target: object, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    (target as JsonObject)[key] = value;
  }
}

/** The array index a segment names in `array`, or -1. Negative indexes count from the end. */
function arrayIndex(array: readonly unknown[], segment: Segment): number {
  let index: number;
  if (typeof segment === "number") index = segment;
  else if (/^-?\d{1,9}$/.test(segment)) index = Number(segment);
  else return -1;
  if (index < 0) index += array.length;
  return index >= 0 && index < array.length ? index : -1;
}

function child(container: unknown, segment: Segment): unknown {
  if (Array.isArray(container)) {
    const index = arrayIndex(container, segment);
    return index < 0 ? undefined : container[index];
  }
  if (isDocumentObject(container) && typeof segment === "string" && Object.hasOwn(container, segment))
    return container[segment];
  return undefined;
}

/** The value at `path`, or undefined when any step is missing. */
export function getField(root: unknown, path: FieldPath): unknown {
  let current = root;
  for (let i = 0; i < path.length; i++) {
    current = child(current, path[i]!);
    if (current === undefined) return undefined;
  }
  return current;
}

/**
 * Whether the field at `path` exists: an own property of its object (whatever its value) or an index
 * inside its array.
 */
export function hasField(root: unknown, path: FieldPath): boolean {
  if (path.length === 0) return root !== undefined;
  const parent = getField(root, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) return arrayIndex(parent, last) >= 0;
  return isDocumentObject(parent) && typeof last === "string" && Object.hasOwn(parent, last);
}

/**
 * Sets the value at `path`, creating missing objects on the way (an array for a numeric segment).
 * Returns false, changing nothing, when a scalar stands in the way or an array index is out of range.
 */
export function setField(root: JsonObject, path: FieldPath, value: unknown): boolean {
  if (path.length === 0) return false;
  // Check the whole way first so a failed set leaves the document as it was.
  let current: unknown = root;
  let depth = 0;
  for (; depth < path.length - 1; depth++) {
    const next = child(current, path[depth]!);
    if (next === undefined) break;
    if (next === null || typeof next !== "object") return false;
    current = next;
  }
  if (depth === path.length - 1) return assign(current, path[depth]!, value);
  // From `depth` on, nothing exists yet: build it.
  if (Array.isArray(current) && arrayIndex(current, path[depth]!) < 0) return false;
  if (!Array.isArray(current) && typeof path[depth] !== "string") return false;
  let built = value;
  for (let i = path.length - 1; i > depth; i--) built = containerWith(path[i]!, built);
  return assign(current, path[depth]!, built);
}

function containerWith(segment: Segment, value: unknown): unknown {
  if (typeof segment === "number") {
    if (segment < 0 || segment > 1_000_000) return value;
    const array: unknown[] = new Array(segment).fill(null);
    array.push(value);
    return array;
  }
  const object: JsonObject = {};
  setOwn(object, segment, value);
  return object;
}

function assign(container: unknown, segment: Segment, value: unknown): boolean {
  if (Array.isArray(container)) {
    const index = arrayIndex(container, segment);
    if (index < 0) return false;
    container[index] = value;
    return true;
  }
  if (!isDocumentObject(container) || typeof segment !== "string") return false;
  setOwn(container, segment, value);
  return true;
}

/** Removes the field at `path`; false when it was not there. Array elements are spliced out. */
export function deleteField(root: JsonObject, path: FieldPath): boolean {
  if (path.length === 0) return false;
  const parent = getField(root, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, last);
    if (index < 0) return false;
    parent.splice(index, 1);
    return true;
  }
  if (!isDocumentObject(parent) || typeof last !== "string" || !Object.hasOwn(parent, last)) return false;
  delete parent[last];
  return true;
}
