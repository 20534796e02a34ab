// Vector's topology: components joined by `inputs`, walked from each source to every sink it reaches.
import type { VectorDocument } from "./document.js";
import { VectorConfigError } from "./errors.js";

/** A component of the configuration. */
export interface Component {
  readonly kind: "sources" | "transforms" | "sinks";
  readonly id: string;
  readonly type: string;
}

/** One step of a path: a transform, entered through one of its outputs' consumers. */
export interface PathStep {
  /** The transform. */
  readonly component: Component;
  /** For a route: the route whose output the path leaves by (`_unmatched` for the rest). */
  readonly route?: string;
}

/** One way from a source to a sink: the transforms passed, in order. */
export interface GraphPath {
  readonly steps: readonly PathStep[];
  readonly sink: Component;
}

/** Every component, and the paths from each source (a sink reached two ways is two paths, as Vector writes twice). */
export interface Graph {
  readonly components: ReadonlyMap<string, Component>;
  /** Paths by source id, sources in the order written. */
  readonly paths: ReadonlyMap<string, GraphPath[]>;
}

const KINDS = ["sources", "transforms", "sinks"] as const;

/** Builds the graph, refusing unknown inputs and cycles as Vector does. */
export function buildGraph(document: VectorDocument): Graph {
  const components = new Map<string, Component>();
  const consumers = new Map<string, Component[]>();
  for (const kind of KINDS) {
    const table = document.value[kind];
    if (table === undefined) continue;
    if (table === null || typeof table !== "object" || Array.isArray(table))
      throw new VectorConfigError(document.where([kind]), `\`${kind}\` must be a table of components`);
    for (const [id, options] of Object.entries(table as Record<string, unknown>)) {
      const type = (options as { type?: unknown } | null)?.type;
      if (typeof type !== "string")
        throw new VectorConfigError(document.where([kind, id]), `${kind}.${id} needs a \`type\``);
      if (components.has(id))
        throw new VectorConfigError(document.where([kind, id]), `the component id "${id}" is used twice`);
      components.set(id, { kind, id, type });
    }
  }
  for (const component of components.values()) {
    if (component.kind === "sources") continue;
    const inputs = (document.value[component.kind] as Record<string, { inputs?: unknown }>)[component.id]!
      .inputs;
    if (!Array.isArray(inputs) || inputs.length === 0 || inputs.some((input) => typeof input !== "string"))
      throw new VectorConfigError(
        document.where([component.kind, component.id, "inputs"]),
        `${component.kind}.${component.id}: \`inputs\` must be a non-empty list of component ids`,
      );
    inputs.forEach((input: string, i) => {
      const [from, output] = splitOutput(input, components);
      const upstream = components.get(from);
      if (
        upstream === undefined ||
        upstream.kind === "sinks" ||
        (output !== undefined && upstream.type !== "route")
      )
        throw new VectorConfigError(
          document.where([component.kind, component.id, "inputs", i]),
          `${component.kind}.${component.id}: input "${input}" names no source or transform output Sluice knows`,
        );
      const list = consumers.get(input) ?? [];
      list.push(component);
      consumers.set(input, list);
    });
  }
  const paths = new Map<string, GraphPath[]>();
  for (const source of components.values()) {
    if (source.kind !== "sources") continue;
    const found: GraphPath[] = [];
    const walk = (output: string, steps: PathStep[]) => {
      for (const next of consumers.get(output) ?? []) {
        if (next.kind === "sinks") {
          found.push({ steps, sink: next });
          continue;
        }
        if (steps.some((step) => step.component.id === next.id))
          throw new VectorConfigError(
            document.where(["transforms", next.id, "inputs"]),
            `transforms.${next.id} is part of a cycle, which Vector refuses`,
          );
        if (next.type === "route") {
          for (const route of routeOutputs(document, next.id))
            walk(`${next.id}.${route}`, [...steps, { component: next, route }]);
        } else walk(next.id, [...steps, { component: next }]);
      }
    };
    walk(source.id, []);
    paths.set(source.id, found);
  }
  return { components, paths };
}

/** The outputs of route `id`: its routes, and `_unmatched` unless `reroute_unmatched` is false. */
export function routeOutputs(document: VectorDocument, id: string): string[] {
  const options = (document.value.transforms as Record<string, Record<string, unknown>>)[id]!;
  const routes = options.route;
  const names = routes !== null && typeof routes === "object" ? Object.keys(routes) : [];
  return options.reroute_unmatched === false ? names : [...names, "_unmatched"];
}

/** `id.route` → [id, route] when `id` is a component; else the whole input as an id. */
function splitOutput(
  input: string,
  components: ReadonlyMap<string, Component>,
): [string, string | undefined] {
  if (components.has(input)) return [input, undefined];
  const dot = input.lastIndexOf(".");
  return dot === -1 ? [input, undefined] : [input.slice(0, dot), input.slice(dot + 1)];
}
