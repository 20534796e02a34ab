// A migrated plan as Sluice's own config (YAML), each warning a comment beside the part it concerns.
import { Document, isMap, isScalar, isSeq, type Node, YAMLMap, YAMLSeq } from "yaml";
import type { PlanWarning, StageSpec } from "../plan.js";
import { type Migrated, type MigratedTarget, same, warningText, wholeConfigLines } from "./model.js";
import { isConditional } from "./placement.js";
import { SecretRef } from "./secrets.js";

// A mapping whose text fits this many characters is written on one line.
const FLOW_WIDTH = 96;

/** The config text. */
export function migratedYaml(migrated: Migrated, header: readonly string[]): string {
  const doc = new Document();
  const printed = new Set<PlanWarning>();
  const comment = (warnings: readonly PlanWarning[] | undefined, notes: readonly string[] = []) => {
    const fresh = (warnings ?? []).filter((warning) => !printed.has(warning));
    for (const warning of fresh) printed.add(warning);
    const lines = [...notes, ...fresh.map(warningText)];
    return lines.length === 0 ? undefined : lines.map((line) => ` ${line}`).join("\n");
  };
  const beside = migrated.placement.beside;
  const data = (value: unknown): Node => compact(doc.createNode(yamlValue(value)) as Node);

  const root = new YAMLMap();
  if (Object.keys(migrated.kafka).length > 0) root.add(doc.createPair("kafka", data(migrated.kafka)));
  if (Object.keys(migrated.elasticsearch).length > 0)
    root.add(doc.createPair("elasticsearch", data(migrated.elasticsearch)));

  const stage = (spec: StageSpec): Node => {
    let node: Node;
    if (isConditional(spec)) {
      const map = new YAMLMap();
      map.add(doc.createPair("when", data(spec.when)));
      map.add(doc.createPair("then", stages(spec.then)));
      if (spec.else !== undefined) map.add(doc.createPair("else", stages(spec.else)));
      node = map;
    } else {
      node = new YAMLMap();
      for (const [name, options] of Object.entries(spec))
        (node as YAMLMap).add(doc.createPair(name, data(options)));
    }
    const text = comment(beside.get(spec));
    if (text !== undefined) node.commentBefore = text;
    return node;
  };
  const stages = (specs: readonly StageSpec[]): YAMLSeq => {
    const seq = new YAMLSeq();
    for (const spec of specs) seq.items.push(stage(spec));
    return seq;
  };
  const target = (t: MigratedTarget): YAMLMap => {
    const map = new YAMLMap();
    map.add(doc.createPair("name", t.name));
    if (t.when !== undefined) map.add(doc.createPair("when", data(t.when)));
    map.add(doc.createPair("elasticsearch", data(t.sink)));
    const text = comment(beside.get(t.planned), t.notes);
    if (text !== undefined) map.commentBefore = text;
    return map;
  };

  const pipelines = new YAMLSeq();
  const seenStages: Array<{ specs: readonly StageSpec[]; node: YAMLSeq }> = [];
  const seenTargets: Array<{ targets: readonly MigratedTarget[]; node: YAMLSeq }> = [];
  for (const pipeline of migrated.pipelines) {
    const map = new YAMLMap();
    map.add(doc.createPair("name", pipeline.name));
    map.add(doc.createPair("source", data(pipeline.source)));
    const text = comment(beside.get(pipeline.index));
    if (text !== undefined) map.commentBefore = text;
    // A pipeline that repeats another's stages or targets (Logstash runs every input through one chain) refers to them.
    const stagesSeen = seenStages.find((seen) => same(seen.specs, pipeline.stages));
    if (stagesSeen === undefined) {
      const node = stages(pipeline.stages);
      seenStages.push({ specs: pipeline.stages, node });
      map.add(doc.createPair("stages", node));
    } else {
      map.add(
        doc.createPair(
          "stages",
          doc.createAlias(stagesSeen.node, `stages-${seenStages.indexOf(stagesSeen) + 1}`),
        ),
      );
    }
    const targetData = pipeline.targets.map(({ name, when, sink }) => ({ name, when, sink }));
    const targetsSeen = seenTargets.find((seen) =>
      same(
        seen.targets.map(({ name, when, sink }) => ({ name, when, sink: yamlValue(sink) })),
        targetData.map((t) => ({ ...t, sink: yamlValue(t.sink) })),
      ),
    );
    if (targetsSeen === undefined) {
      const node = new YAMLSeq();
      for (const t of pipeline.targets) node.items.push(target(t));
      seenTargets.push({ targets: pipeline.targets, node });
      map.add(doc.createPair("targets", node));
    } else {
      map.add(
        doc.createPair(
          "targets",
          doc.createAlias(targetsSeen.node, `targets-${seenTargets.indexOf(targetsSeen) + 1}`),
        ),
      );
    }
    map.add(doc.createPair("unrouted", pipeline.unrouted));
    pipelines.items.push(map);
  }
  root.add(doc.createPair("pipelines", pipelines));
  const plan = migrated.plan;
  if (migrated.deadLetters !== undefined) root.add(doc.createPair("deadLetters", data(migrated.deadLetters)));
  if (plan.flow !== undefined) root.add(doc.createPair("flow", data(plan.flow)));
  if (plan.http !== undefined) root.add(doc.createPair("http", data(plan.http)));
  if (plan.logging !== undefined) root.add(doc.createPair("logging", data(plan.logging)));
  doc.contents = root;

  const unprinted = [...migrated.placement.beside.values()].flat().filter((w) => !printed.has(w));
  const lines = [...header, ...wholeConfigLines([...migrated.placement.header, ...unprinted])];
  doc.commentBefore = lines.map((line) => ` ${line}`.trimEnd()).join("\n");
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}

/** Option data as YAML writes it: credentials as `${VAR}` references, any other `${` escaped as `$${`. */
export function yamlValue(value: unknown): unknown {
  if (value instanceof SecretRef)
    return `${escapeInterpolation(value.before)}\${${value.name}}${escapeInterpolation(value.after)}`;
  if (typeof value === "string") return escapeInterpolation(value);
  if (Array.isArray(value)) return value.map(yamlValue);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, yamlValue(item)]));
  return value;
}

function escapeInterpolation(text: string): string {
  return text.replaceAll("${", () => "$${");
}

/** Short mappings and lists of scalars on one line; anything holding a multi-line text stays in block style. */
function compact(node: Node): Node {
  if (isMap(node) || isSeq(node)) {
    for (const item of node.items) {
      const child = isMap(node) ? (item as { value: unknown }).value : item;
      if (isMap(child) || isSeq(child)) compact(child as Node);
    }
    const text = JSON.stringify(node.toJSON());
    const multiline = hasMultiline(node);
    if (!multiline && text.length <= FLOW_WIDTH) node.flow = true;
  }
  return node;
}

function hasMultiline(node: unknown): boolean {
  if (isScalar(node)) return typeof node.value === "string" && node.value.includes("\n");
  if (isMap(node)) return node.items.some((pair) => hasMultiline(pair.value));
  if (isSeq(node)) return node.items.some(hasMultiline);
  return false;
}
