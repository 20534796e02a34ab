// filter and route: keep events by predicate, or name the route each event takes (Vector's route).
import {
  filterEvents,
  mapValues,
  namedStage,
  reject,
  SluiceConfigError,
  type SluiceEvent,
  type Stage,
  validateOptions,
} from "@sluice/core";

/** Decides about one event from its value (and the event, for its origin or metadata). */
export type Predicate<T> = (value: T, event: SluiceEvent<T>) => boolean;

/** The options of `filter`. */
export interface FilterOptions<T> {
  /** Events for which this is false are dropped: acknowledged, counted, never delivered. */
  keep: Predicate<T>;
  /** The stage's name in metrics, logs and dead letters. Default `filter`. */
  name?: string;
}

/**
 * Drops the events `keep` refuses (Vector's filter; Logstash's `if … { drop {} }`). A throw fails that event.
 * `T` is inferred from where the stage is written: in a pipeline's `stages`, the stage before it gives it.
 */
export function filter<T>(options: FilterOptions<T>): Stage<T, T> {
  const keep = options?.keep;
  if (typeof keep !== "function") throw new SluiceConfigError("filter", "keep", "must be a function");
  const { name } = validateOptions<{ name: string }>("filter", nameSchema("filter"), { name: options.name });
  return filterEvents<T>(name, keep);
}

/** The options of `route`. */
export interface RouteOptions<T> {
  /** Route name → predicate, tried in order; the first that holds names the event's route. */
  routes: Record<string, Predicate<T>>;
  /**
   * What happens to an event no route takes: `drop` it, send it to `deadLetter`, or give it the
   * route named here. Default `deadLetter`, so nothing disappears unnoticed.
   */
  unmatched?:
    | "drop"
    | "deadLetter"
    | {
        /** The route name given to events no route takes. */
        route: string;
      };
  /** The stage's name in metrics, logs and dead letters. Default `route`. */
  name?: string;
}

/** Where `route` writes its decision; read it with `routeOf(event)` (for the sink's index function). */
export const ROUTE_KEY = "route";

/**
 * Vector's route, for a pipeline with one sink: each event gets a route name in its metadata (never
 * in the document), which an index function maps to a target: `index: (e) => targets[routeOf(e)]`.
 * Like filter's, its predicates' value type comes from the stage before it in a pipeline's `stages`.
 */
export function route<T>(options: RouteOptions<T>): Stage<T, T> {
  const routes = Object.entries(options?.routes ?? {});
  if (routes.length === 0) throw new SluiceConfigError("route", "routes", "must name at least one route");
  for (const [routeName, predicate] of routes)
    if (typeof predicate !== "function")
      throw new SluiceConfigError(
        "route",
        `routes.${routeName}`,
        "must be a function (value, event) => boolean",
      );
  const unmatched = options.unmatched ?? "deadLetter";
  if (
    unmatched !== "drop" &&
    unmatched !== "deadLetter" &&
    !(typeof unmatched === "object" && typeof unmatched?.route === "string")
  )
    throw new SluiceConfigError("route", "unmatched", 'must be "drop", "deadLetter" or { route: "<name>" }');
  const { name } = validateOptions<{ name: string }>("route", nameSchema("route"), { name: options.name });
  return namedStage(
    name,
    mapValues<T, T>(name, (value, event) => {
      for (const [routeName, predicate] of routes) {
        if (predicate(value, event)) {
          setRoute(event, routeName);
          return value;
        }
      }
      if (unmatched === "drop") event.drop();
      else if (unmatched === "deadLetter") return reject("unmatched_route", "no route matched the event");
      else setRoute(event, unmatched.route);
      return value;
    }),
  );
}

function setRoute(event: SluiceEvent, name: string): void {
  event.metadata ??= {};
  event.metadata[ROUTE_KEY] = name;
}

/** The route a `route` stage gave the event, if any. */
export function routeOf(event: SluiceEvent): string | undefined {
  const value = event.metadata?.[ROUTE_KEY];
  return typeof value === "string" ? value : undefined;
}

function nameSchema(defaultName: string) {
  return {
    type: "object",
    properties: { name: { type: "string", minLength: 1, default: defaultName } },
    additionalProperties: false,
  } as const;
}
