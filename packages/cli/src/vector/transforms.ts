// Vector's remap, filter and route transforms: a remap becomes a stage, a filter or a route's output a condition on the path.
import type { Stage } from "@sluice/core";
import { type RemapOptions, remap } from "@sluice/transforms";
import type { Position } from "../logstash/ast.js";
import type { PlanWarning, StageSpec } from "../plan.js";
import { type Condition, compileCondition, passesText } from "./condition.js";
import type { VectorDocument } from "./document.js";
import type { PathStep } from "./graph.js";
import { ComponentOptions } from "./options.js";
import { atProgram } from "./vrl-position.js";

/** What a step of a path does. */
export type PlannedStep =
  | {
      readonly kind: "stage";
      /** Equal for remaps that do the same thing, so two paths through equal programs share a stage. */
      readonly key: string;
      readonly build: () => Stage;
      readonly text: string;
      /** The stage as Sluice's config writes it. */
      readonly spec: StageSpec;
      /** Where the transform is written. */
      readonly where: Position;
    }
  | {
      readonly kind: "condition";
      readonly test: Condition;
      readonly text: string;
      /** A VRL condition that decides as `test` does, for Sluice's config. */
      readonly vrl: string;
      /** Where the transform is written. */
      readonly where: Position;
    };

/** Reads every step once per transform and route, so each program is compiled (and refused) once. */
export class StepReader {
  readonly #cache = new Map<string, PlannedStep>();
  constructor(
    readonly document: VectorDocument,
    readonly warnings: PlanWarning[],
  ) {}

  /** The step `step` stands for. */
  read(step: PathStep): PlannedStep {
    const key = `${step.component.id}\u0000${step.route ?? ""}`;
    let planned = this.#cache.get(key);
    if (planned === undefined) {
      planned = this.#plan(step);
      this.#cache.set(key, planned);
    }
    return planned;
  }

  #plan(step: PathStep): PlannedStep {
    const { id, type } = step.component;
    const options = new ComponentOptions(this.document, ["transforms", id], `transform "${id}" (${type})`);
    const where = this.document.where(["transforms", id]);
    if (type === "remap") return this.#remap(options, id, where);
    if (type === "filter") {
      options.only([], ["type", "inputs", "condition"]);
      const test = this.#condition(options, ["condition"]);
      return { kind: "condition", test: test.test, text: `${id}: ${test.text}`, vrl: test.text, where };
    }
    if (type === "route") {
      options.only([], ["type", "inputs", "route", "reroute_unmatched"]);
      options.boolean(["reroute_unmatched"]);
      const routes = options.get(["route"]);
      if (routes === null || typeof routes !== "object" || Array.isArray(routes))
        throw options.refuse(["route"], "must be a table of route name → condition");
      const conditions = Object.keys(routes).map((name) => this.#condition(options, ["route", name]));
      const tests = conditions.map((condition) => condition.test);
      if (step.route === "_unmatched")
        return {
          kind: "condition",
          test: (value) => !tests.some((test) => test(value)),
          text: `${id}._unmatched`,
          vrl: `!(${conditions.map((condition) => passesText(condition.text)).join(" || ")})`,
          where,
        };
      const own = this.#condition(options, ["route", step.route ?? ""]);
      return {
        kind: "condition",
        test: own.test,
        text: `${id}.${step.route}: ${own.text}`,
        vrl: own.text,
        where,
      };
    }
    throw options.refuse(["type"], `is "${type}"; Sluice runs the transforms remap, filter and route`);
  }

  #remap(options: ComponentOptions, id: string, where: Position): PlannedStep {
    options.only(
      [],
      ["type", "inputs", "source", "drop_on_error", "drop_on_abort", "reroute_dropped", "timezone"],
    );
    const program = this.document.textAt([...options.path, "source"]);
    if (program === undefined)
      throw options.refuse(["source"], "must be a VRL program (Sluice does not read `file`)");
    const remapOptions: RemapOptions = { source: program.text, name: id };
    for (const flag of ["drop_on_error", "drop_on_abort", "reroute_dropped"] as const) {
      const value = options.boolean([flag]);
      if (value !== undefined) remapOptions[flag] = value;
    }
    const timezone = options.string(["timezone"]);
    if (timezone !== undefined) remapOptions.timezone = timezone;
    const label = `transform "${id}" (remap) option \`source\``;
    atProgram(program, label, () => remap(remapOptions));
    const stamp = /\.(?:"?@timestamp"?)\s*=\s*now\(\)/.exec(program.text);
    if (stamp !== null)
      this.warnings.push({
        kind: "behaviour",
        message: `transform "${id}" sets @timestamp to the time the event is processed (now()), not the time the log was written: a backlog or a replay lands at the wrong time in Elasticsearch.`,
        where: program.locate(stamp.index),
      });
    const { name: _name, ...same } = remapOptions;
    return {
      kind: "stage",
      key: JSON.stringify(same),
      // The plan holds stages of unknown value type; each remap runs after a stage that makes JSON objects.
      build: () => remap(remapOptions) as unknown as Stage,
      text: `remap ${id}`,
      spec: { remap: remapOptions },
      where,
    };
  }

  #condition(options: ComponentOptions, sub: readonly string[]): { test: Condition; text: string } {
    let path = [...options.path, ...sub];
    const value = options.get(sub);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      options.only(sub, ["type", "source"]);
      const type = options.string([...sub, "type"]) ?? "vrl";
      if (type !== "vrl")
        throw options.refuse([...sub, "type"], `is "${type}"; Sluice reads VRL conditions only`);
      path = [...path, "source"];
    }
    const program = this.document.textAt(path);
    if (program === undefined) throw options.refuse(sub, "must be a VRL condition");
    const label = `${options.label} option \`${sub.join(".")}\``;
    return { test: compileCondition(program, label), text: program.text.trim() };
  }
}
