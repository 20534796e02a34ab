// A Vector configuration as a Plan: one pipeline per kafka source, its path's transforms as stages, the sinks it reaches as targets.
import type { SluiceEvent, Stage } from "@sluice/core";
import { filter, remap, vectorKafkaEvent } from "@sluice/transforms";
import type { Position } from "../logstash/ast.js";
import type { Plan, PlannedPipeline, PlannedTarget, PlanWarning, StageSpec } from "../plan.js";
import { type Condition, passesText } from "./condition.js";
import type { VectorDocument } from "./document.js";
import { VectorConfigError } from "./errors.js";
import { buildGraph, type GraphPath } from "./graph.js";
import { ComponentOptions } from "./options.js";
import { elasticsearchSinkOf } from "./sink.js";
import { kafkaSourceOf } from "./source.js";
import { type PlannedStep, StepReader } from "./transforms.js";

// Top-level sections Sluice reads or knowingly leaves aside; any other is refused.
const TOP_LEVEL = ["sources", "transforms", "sinks", "api", "data_dir"];

// Vector's json codec: the payload becomes the event, the record's metadata fields kept beside it.
const JSON_CODEC = "parsed = parse_json!(string!(.message))\ndel(.message)\n. = merge!(parsed, .)";

/**
 * Plans a Vector configuration: one pipeline per kafka source, whose stages are the transforms on its
 * paths and whose targets are the sinks it reaches (a sink reached two ways is two targets, as Vector
 * writes twice). Refuses, naming the component, option and position, what Sluice cannot run.
 */
export function planVector(document: VectorDocument): Plan {
  for (const key of Object.keys(document.value))
    if (!TOP_LEVEL.includes(key))
      throw new VectorConfigError(
        document.where([key]),
        `\`${key}\` is not supported by Sluice's Vector form`,
      );
  const warnings: PlanWarning[] = [];
  if (document.value.api !== undefined)
    warnings.push({
      kind: "difference",
      message:
        "Vector's `api` is not served; Sluice serves /metrics, /livez and /readyz on its own http address.",
      where: document.where(["api"]),
    });
  const graph = buildGraph(document);
  const steps = new StepReader(document, warnings);
  const sinks = new Map<string, Record<string, unknown>>();
  const sinkOf = (id: string, type: string) => {
    let sink = sinks.get(id);
    if (sink === undefined) {
      const options = new ComponentOptions(document, ["sinks", id], `sink "${id}" (${type})`);
      if (type !== "elasticsearch")
        throw options.refuse(["type"], `is "${type}"; Sluice writes to the elasticsearch sink only`);
      sink = elasticsearchSinkOf(options, warnings);
      sinks.set(id, sink);
    }
    return sink;
  };
  const pipelines: PlannedPipeline[] = [];
  const groups = new Map<string, { id: string; topics: string }>();
  for (const [id, paths] of graph.paths) {
    const component = graph.components.get(id)!;
    const options = new ComponentOptions(document, ["sources", id], `source "${id}" (${component.type})`);
    if (component.type !== "kafka")
      throw options.refuse(["type"], `is "${component.type}"; Sluice reads kafka sources only`);
    const source = kafkaSourceOf(options, id);
    if (paths.length === 0) throw options.refuse([], "feeds no sink");
    sharedGroup(id, source.source, groups, warnings, document);
    const sourceWhere = document.where(["sources", id]);
    const stages: Stage[] = [vectorKafkaEvent(source.event) as Stage];
    const stageSpecs: StageSpec[] = [{ vectorKafkaEvent: source.event }];
    const stageWhere = new Map<StageSpec, Position>([[stageSpecs[0]!, sourceWhere]]);
    const stageTexts = ["vectorKafkaEvent (the kafka source's event)"];
    if (source.codec === "json") {
      const decoding = {
        source: JSON_CODEC,
        name: `${id}.decoding`,
        drop_on_error: true,
        reroute_dropped: true,
      };
      stages.push(remap(decoding) as Stage);
      stageSpecs.push({ remap: decoding });
      stageWhere.set(stageSpecs.at(-1)!, document.where(["sources", id, "decoding"]));
      stageTexts.push("decoding json (a payload that is not a JSON object goes to dead letters)");
    }
    const built = { stages, stageSpecs, stageWhere, stageTexts };
    const planned = paths.map((path) => path.steps.map((step) => steps.read(step)));
    const prefix = commonPrefix(paths);
    for (const step of planned[0]!.slice(0, prefix)) addStage(step, built);
    const suffixes = planned.map((path) => path.slice(prefix));
    const shared = sharedStages(id, suffixes, paths, prefix, document);
    for (const step of shared) addStage(step, built);
    const targets = paths.map((path, i) => ({
      ...target(path, suffixes[i]!, sinkOf(path.sink.id, path.sink.type), paths, i),
      where: document.where(["sinks", path.sink.id]),
    }));
    duplicates(id, paths, targets, options.strings(["topics"]) ?? [], warnings, document);
    pipelines.push({
      name: id,
      source: source.source,
      sourceWhere,
      stages,
      stageTexts,
      stageSpecs,
      stageWhere,
      targets,
      unrouted: "drop",
    });
  }
  warnings.push(
    {
      kind: "difference",
      message:
        "Sluice commits a record's offset only after every sink it goes to accepted it (or it went to dead letters); Vector commits as it reads unless end-to-end acknowledgements are on.",
    },
    {
      kind: "difference",
      message:
        "Sluice writes each document with a deterministic _id (<topic>+<partition>+<offset>) and action create unless the config says otherwise, so a record read again is written once; Vector lets Elasticsearch pick ids, so a replay duplicates.",
    },
  );
  const unique = warnings.filter(
    (warning, i) =>
      warning.where !== undefined || warnings.findIndex((w) => w.message === warning.message) === i,
  );
  return { form: "vector", pipelines, warnings: unique };
}

/**
 * Sources sharing a group id with other topics: Sluice deals each topic only to the members reading it, as
 * librdkafka does, but under an assignment protocol of its own, which Vector's members do not offer.
 */
function sharedGroup(
  id: string,
  source: Record<string, unknown>,
  groups: Map<string, { id: string; topics: string }>,
  warnings: PlanWarning[],
  document: VectorDocument,
): void {
  const groupId = source.groupId as string;
  const topics = JSON.stringify([source.topics, source.topicPattern]);
  const seen = groups.get(groupId);
  if (seen === undefined) {
    groups.set(groupId, { id, topics });
    return;
  }
  if (seen.topics === topics) return;
  const first = seen.id;
  warnings.push({
    kind: "difference",
    message: `sources "${first}" and "${id}" share group_id "${groupId}" with different topics: Sluice deals each topic's partitions only to the members that read it, as Vector does, but under its own assignment protocol, so a group mixing Sluice and Vector members cannot agree on one; stop this group's Vector consumers before starting Sluice, or give Sluice's sources a group of their own (a new group starts per auto_offset_reset).`,
    where: document.where(["sources", id, "group_id"]),
  });
}

interface BuiltStages {
  readonly stages: Stage[];
  readonly stageSpecs: StageSpec[];
  readonly stageWhere: Map<StageSpec, Position>;
  readonly stageTexts: string[];
}

function addStage(step: PlannedStep, built: BuiltStages): void {
  let spec: StageSpec;
  if (step.kind === "stage") {
    built.stages.push(step.build());
    built.stageTexts.push(step.text);
    spec = step.spec;
  } else {
    const test = step.test;
    built.stages.push(filter<unknown>({ keep: (value) => test(value), name: "filter" }) as Stage);
    built.stageTexts.push(`filter ${step.text}`);
    spec = { filter: { condition: step.vrl } };
  }
  built.stageSpecs.push(spec);
  built.stageWhere.set(spec, step.where);
}

/** How many first steps every path shares (the same transforms, through the same outputs). */
function commonPrefix(paths: readonly GraphPath[]): number {
  const first = paths[0]!.steps;
  let n = 0;
  while (
    n < first.length &&
    paths.every(
      (path) =>
        path.steps[n]?.component.id === first[n]!.component.id && path.steps[n]?.route === first[n]!.route,
    )
  )
    n++;
  return n;
}

/**
 * After the shared prefix, each path's remaps must do the same (the plan runs one chain of stages per
 * source) and its conditions must come after them (they are decided at the sink).
 */
function sharedStages(
  source: string,
  suffixes: readonly PlannedStep[][],
  paths: readonly GraphPath[],
  prefix: number,
  document: VectorDocument,
): PlannedStep[] {
  const stagesOf = (steps: readonly PlannedStep[]) => steps.filter((step) => step.kind === "stage");
  const first = stagesOf(suffixes[0]!);
  suffixes.forEach((steps, i) => {
    const own = stagesOf(steps);
    const lastStage = steps.findLastIndex((step) => step.kind === "stage");
    const firstCondition = steps.findIndex((step) => step.kind === "condition");
    const differs = own.length !== first.length || own.some((step, j) => step.key !== first[j]!.key);
    if (differs || (firstCondition !== -1 && firstCondition < lastStage)) {
      const where = paths[i]!.steps[prefix]?.component.id ?? paths[i]!.sink.id;
      const kind = paths[i]!.steps[prefix] === undefined ? "sinks" : "transforms";
      throw new VectorConfigError(
        document.where([kind, where, "inputs"]),
        `source "${source}" reaches sink "${paths[i]!.sink.id}" through transforms that differ from its other paths (or a filter or route before a remap); Sluice runs one chain of stages per source, with conditions at the sinks`,
      );
    }
  });
  return first;
}

function target(
  path: GraphPath,
  suffix: readonly PlannedStep[],
  sink: Record<string, unknown>,
  paths: readonly GraphPath[],
  index: number,
): PlannedTarget {
  const earlier = paths.slice(0, index).filter((other) => other.sink.id === path.sink.id).length;
  const via = path.steps.map((step) => step.component.id).join(" → ");
  const name = earlier === 0 ? path.sink.id : `${path.sink.id}#${earlier + 1}`;
  const conditions = suffix.filter((step) => step.kind === "condition");
  const base = { name, sink };
  if (conditions.length === 0) return via === "" ? base : { ...base, whenText: `via ${via}` };
  const tests: Condition[] = conditions.map((step) => step.test);
  return {
    ...base,
    when: (event: SluiceEvent) => tests.every((test) => test(event.value)),
    whenText: conditions.map((step) => step.text).join(" and "),
    whenSpec:
      conditions.length === 1
        ? conditions[0]!.vrl
        : conditions.map((step) => passesText(step.vrl)).join(" && "),
  };
}

/** Warns where one record is written more than once, and where Sluice's ids make a second write a no-op. */
function duplicates(
  id: string,
  paths: readonly GraphPath[],
  targets: readonly PlannedTarget[],
  topics: readonly string[],
  warnings: PlanWarning[],
  document: VectorDocument,
): void {
  const always = targets.filter((t) => t.when === undefined);
  if (always.length > 1)
    warnings.push({
      kind: "behaviour",
      message: `source "${id}" (topics ${topics.join(", ")}) feeds ${always.length} sinks (${always.map((t) => t.name).join(", ")}): each of its records is written ${always.length} times.`,
      where: document.where(["sources", id]),
    });
  const seen = new Set<string>();
  for (const path of paths) {
    if (seen.has(path.sink.id))
      warnings.push({
        kind: "difference",
        message: `source "${id}" reaches sink "${path.sink.id}" on two paths: Vector writes the record twice; Sluice's deterministic _id makes the second write of the same document land once.`,
        where: document.where(["sinks", path.sink.id, "inputs"]),
      });
    seen.add(path.sink.id);
  }
}
