// What the checker knows, statement by statement, about the kinds held at event paths and in variables.
import type { PathNode, Segment } from "./ast.js";
import { Kind } from "./value.js";

const pathKey = (segments: readonly Segment[]): string => JSON.stringify(segments);
const ROOT = pathKey([]);

/** The kind a value must have for `segment` to read into it. */
export const containerFor = (segment: Segment): number =>
  typeof segment === "number" ? Kind.ARRAY : Kind.OBJECT;

/** Kinds known at event paths and in variables at one point of the program. */
export class TypeState {
  private constructor(
    private readonly event: Map<string, number>,
    private readonly variables: Map<string, number>,
    /** Event paths holding an object literal: every field they have is known, any other is undefined. */
    private readonly closed: Set<string> = new Set(),
  ) {}

  static empty(): TypeState {
    return new TypeState(new Map(), new Map());
  }

  clone(): TypeState {
    return new TypeState(new Map(this.event), new Map(this.variables), new Set(this.closed));
  }

  /** The state after one of two branches ran: kinds known in both, unions of them. */
  static merge(a: TypeState, b: TypeState): TypeState {
    const event = new Map<string, number>();
    for (const [key, kind] of a.event) {
      const other = b.event.get(key);
      if (other !== undefined) event.set(key, kind | other);
    }
    const variables = new Map<string, number>();
    for (const [name, kind] of a.variables) variables.set(name, kind | (b.variables.get(name) ?? Kind.NULL));
    for (const [name, kind] of b.variables) if (!variables.has(name)) variables.set(name, kind | Kind.NULL);
    const closed = new Set(
      [...a.closed].filter((key) => b.closed.has(key) && (key === ROOT || event.has(key))),
    );
    return new TypeState(event, variables, closed);
  }

  isDefined(variable: string): boolean {
    return this.variables.has(variable);
  }

  /** The kind read at an event path; the root is always an object, unknown paths any kind. */
  eventKind(segments: readonly Segment[]): number {
    if (segments.length === 0) return Kind.OBJECT;
    const known = this.event.get(pathKey(segments));
    if (known !== undefined) return known;
    // Below a value known to be no container, a path reads nothing (VRL's "undefined", null at run time).
    for (let i = 0; i < segments.length; i++) {
      const parentKey = pathKey(segments.slice(0, i));
      const parent = i === 0 ? Kind.OBJECT : this.event.get(parentKey);
      if (parent !== undefined && (parent & containerFor(segments[i]!)) === 0) return Kind.UNDEFINED;
      // A field an object literal did not have is undefined too, as VRL knows the literal's fields.
      if (this.closed.has(parentKey) && !this.event.has(pathKey(segments.slice(0, i + 1))))
        return Kind.UNDEFINED;
    }
    return Kind.ANY;
  }

  /** The kind of a defined variable as a whole. */
  variableKind(variable: string): number {
    return this.variables.get(variable)!;
  }

  /** Forgets what was known at an event path and below it (after `del`, VRL knows nothing there). */
  forget(segments: readonly Segment[]): void {
    const key = pathKey(segments);
    const prefix = key.slice(0, -1);
    for (const existing of [...this.event.keys()])
      if (existing === key || existing.startsWith(`${prefix},`)) this.event.delete(existing);
    this.forgetClosed(segments);
    // The parent no longer holds exactly its literal's fields.
    this.closed.delete(pathKey(segments.slice(0, -1)));
  }

  /** Notes that the event path holds an object literal whose fields have all been recorded. */
  close(segments: readonly Segment[]): void {
    this.closed.add(pathKey(segments));
  }

  private forgetClosed(segments: readonly Segment[]): void {
    const key = pathKey(segments);
    const prefix = key.slice(0, -1);
    for (const existing of [...this.closed])
      if (existing === key || (segments.length === 0 ? true : existing.startsWith(`${prefix},`)))
        this.closed.delete(existing);
  }

  /** Notes that `target` now holds `kind`: what was known below it is forgotten. */
  record(target: PathNode, kind: number): void {
    if (target.target === "variable") {
      const { variable } = target;
      // Assigning below a variable makes it the container its first segment wants.
      if (target.segments.length === 0) this.variables.set(variable, kind);
      else this.variables.set(variable, containerFor(target.segments[0]!));
      return;
    }
    const segments = target.segments;
    this.forgetClosed(segments);
    const key = pathKey(segments);
    const prefix = key.slice(0, -1);
    for (const existing of [...this.event.keys()])
      if (
        existing === key ||
        existing.startsWith(`${prefix},`) ||
        (segments.length === 0 && existing !== "[]")
      )
        this.event.delete(existing);
    // Ancestors of an assigned path are now containers.
    for (let i = 1; i < segments.length; i++) {
      const ancestor = pathKey(segments.slice(0, i));
      this.event.set(ancestor, typeof segments[i] === "number" ? Kind.ARRAY : Kind.OBJECT);
    }
    if (segments.length > 0) this.event.set(key, kind);
  }
}
