// What the checker knows, statement by statement, about the kinds held at event paths and in variables.
import type { PathNode, Segment } from "./ast.js";
import { Kind } from "./value.js";

const pathKey = (segments: readonly Segment[]): string => JSON.stringify(segments);

/** The kind a value must have for `segment` to read into it. */
export const containerFor = (segment: Segment): number =>
  typeof segment === "number" ? Kind.ARRAY : Kind.OBJECT;

/** Kinds known at event paths and in variables at one point of the program. */
export class TypeState {
  private constructor(
    private readonly event: Map<string, number>,
    private readonly variables: Map<string, number>,
  ) {}

  static empty(): TypeState {
    return new TypeState(new Map(), new Map());
  }

  clone(): TypeState {
    return new TypeState(new Map(this.event), new Map(this.variables));
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
    return new TypeState(event, variables);
  }

  isDefined(variable: string): boolean {
    return this.variables.has(variable);
  }

  /** The kind read at an event path; the root is always an object, unknown paths any kind. */
  eventKind(segments: readonly Segment[]): number {
    if (segments.length === 0) return Kind.OBJECT;
    const known = this.event.get(pathKey(segments));
    if (known !== undefined) return known;
    // Below a value known to be no container, every path reads null.
    for (let i = 1; i < segments.length; i++) {
      const parent = this.event.get(pathKey(segments.slice(0, i)));
      if (parent !== undefined && (parent & containerFor(segments[i]!)) === 0) return Kind.NULL;
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
  }

  /** Notes that `target` now holds `kind`: what was known below it is forgotten. */
  record(target: PathNode, kind: number): void {
    if (target.target === "variable") {
      const { variable } = target;
      if (target.segments.length === 0) this.variables.set(variable, kind);
      else
        this.variables.set(variable, (this.variables.get(variable) ?? Kind.NULL) | Kind.OBJECT | Kind.ARRAY);
      return;
    }
    const segments = target.segments;
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
