// Reading, writing and deleting at VRL paths inside a running program's values (own properties only).
import type { Segment } from "./ast.js";
import { getOwn, isObject, type JsonObject, setKey, VrlError } from "./value.js";

const MAX_INDEX = 1 << 20;

export function resolveIndex(array: readonly unknown[], index: number): number {
  const i = index < 0 ? array.length + index : index;
  return i >= 0 && i < array.length ? i : -1;
}

/** The value `count` segments down from `value`; undefined when missing. Own properties only. */
export function walk(value: unknown, segments: readonly Segment[], count: number): unknown {
  let current = value;
  for (let i = 0; i < count; i++) {
    const seg = segments[i]!;
    if (typeof seg === "number") {
      if (!Array.isArray(current)) return undefined;
      const index = resolveIndex(current, seg);
      if (index < 0) return undefined;
      current = current[index];
    } else {
      if (!isObject(current) || !Object.hasOwn(current, seg)) return undefined;
      current = current[seg];
    }
  }
  return current;
}

export function has(parent: unknown, seg: Segment): boolean {
  if (typeof seg === "number") return Array.isArray(parent) && resolveIndex(parent, seg) >= 0;
  return isObject(parent) && Object.hasOwn(parent, seg);
}

export function remove(parent: unknown, seg: Segment): unknown {
  if (typeof seg === "number") {
    if (!Array.isArray(parent)) return undefined;
    const index = resolveIndex(parent, seg);
    if (index < 0) return undefined;
    return parent.splice(index, 1)[0];
  }
  if (!isObject(parent) || !Object.hasOwn(parent, seg)) return undefined;
  const removed = parent[seg];
  delete parent[seg];
  return removed;
}

/**
 * Stores `v` at `segments[from..]` under `container`, creating objects and arrays on the way (VRL replaces a
 * scalar in the way, and pads arrays with null). Returns the (possibly new) container.
 */
export function insert(container: unknown, segments: readonly Segment[], from: number, v: unknown): unknown {
  const top = from === segments.length ? v : undefined;
  if (from === segments.length) return top;
  let root = container;
  const firstSeg = segments[from]!;
  root = ensure(root, firstSeg);
  let current = root as JsonObject | unknown[];
  for (let i = from; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (typeof seg === "number") {
      const array = current as unknown[];
      let index = seg < 0 ? array.length + seg : seg;
      if (index < 0) {
        // Before the start: VRL prepends nulls so the index exists.
        if (-index > MAX_INDEX) throw new VrlError(`index ${seg} is out of range`);
        array.unshift(...new Array(-index).fill(null));
        index = 0;
      }
      if (index > MAX_INDEX) throw new VrlError(`index ${seg} is out of range`);
      while (array.length < index) array.push(null);
      if (last) {
        array[index] = v;
        return root;
      }
      const next = ensure(array[index], segments[i + 1]!);
      array[index] = next;
      current = next as JsonObject | unknown[];
    } else {
      const object = current as JsonObject;
      if (last) {
        setKey(object, seg, v);
        return root;
      }
      const next = ensure(getOwn(object, seg), segments[i + 1]!);
      setKey(object, seg, next);
      current = next as JsonObject | unknown[];
    }
  }
  return root;
}

function ensure(value: unknown, seg: Segment): JsonObject | unknown[] {
  if (typeof seg === "number") return Array.isArray(value) ? value : [];
  return isObject(value) ? value : {};
}
