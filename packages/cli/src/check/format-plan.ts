// The plan as a migrating team reads it: per pipeline, topics → stages → targets, then the warnings.
import { formatPosition } from "../logstash/errors.js";
import type { Plan, PlannedPipeline, PlannedTarget, PlanWarning } from "../plan.js";
import {
  destinationText,
  elasticsearchConnectionText,
  groupText,
  kafkaConnectionText,
  sourceText,
  writeText,
} from "./describe.js";
import { planSecrets } from "./plan-secrets.js";
import { stageLines } from "./stage-lines.js";
import { wrap } from "./wrap.js";

const WIDTH = 110;
const TOOL = { sluice: "Sluice", logstash: "Logstash", vector: "Vector" } as const;
const FORM = { sluice: "Sluice config", logstash: "Logstash configuration", vector: "Vector configuration" };

/**
 * The plan printed for an operator: where it was read from, the connections, each pipeline's topics,
 * stages and targets (pipelines that differ only in their topics or a few stages printed once), where
 * dead letters go, and the warnings, grouped and with their positions. No credential is ever printed.
 */
export function formatPlan(plan: Plan): string {
  const kafka = new Set(plan.pipelines.map((p) => kafkaConnectionText(p.source)));
  const elasticsearch = new Set(
    [...plan.pipelines.flatMap((p) => p.targets.map((t) => t.sink)), plan.deadLetters?.sink]
      .filter((sink) => sink !== undefined)
      .map(elasticsearchConnectionText),
  );
  const shared = { kafka: kafka.size === 1, elasticsearch: elasticsearch.size === 1 };
  const count = plan.pipelines.length;
  const out = [`Sluice plan · ${FORM[plan.form]} · ${count} pipeline${count === 1 ? "" : "s"}`];
  if (plan.files && plan.files.length > 0) out.push(`read from ${plan.files.join(", ")}`);
  if (shared.kafka || shared.elasticsearch) {
    out.push("", "Connections");
    if (shared.kafka) out.push(`  ${[...kafka][0]}`);
    if (shared.elasticsearch) out.push(`  ${[...elasticsearch][0]}`);
  }
  for (const group of alike(plan.pipelines)) out.push("", ...pipelineLines(group, shared));
  out.push("", ...deadLetterLines(plan, shared.elasticsearch));
  out.push(
    ...warningLines(
      "Your config does this (unlike Fluent Bit writing to Elasticsearch directly)",
      plan,
      "behaviour",
    ),
    ...warningLines(
      plan.form === "sluice" ? "How Sluice runs it" : `Sluice runs it differently from ${TOOL[plan.form]}`,
      plan,
      "difference",
    ),
  );
  return `${planSecrets(plan).scrub(out.join("\n"))}\n`;
}

/** Pipelines grouped when they differ only in their topics and the text of some stages. */
function alike(pipelines: readonly PlannedPipeline[]): PlannedPipeline[][] {
  const groups = new Map<string, PlannedPipeline[]>();
  for (const pipeline of pipelines) {
    const { topics: _topics, topicPattern: _pattern, clientId: _client, ...source } = pipeline.source;
    const key = JSON.stringify({
      source,
      stages: pipeline.stageTexts.length,
      targets: pipeline.targets.map((t) => [t.name, t.whenText, t.sink]),
      unrouted: pipeline.unrouted,
    });
    const group = groups.get(key);
    if (group) group.push(pipeline);
    else groups.set(key, [pipeline]);
  }
  return [...groups.values()];
}

function pipelineLines(
  group: readonly PlannedPipeline[],
  shared: { kafka: boolean; elasticsearch: boolean },
): string[] {
  const first = group[0]!;
  const names = group.map((p) => p.name);
  const out: string[] = [];
  if (group.length === 1) out.push(`Pipeline ${first.name}`, `  reads ${sourceText(first.source)}`);
  else {
    out.push(`Pipelines ${names.join(", ")}: the same but for their topics and what is marked`, "  reads");
    const width = Math.max(...names.map((n) => n.length));
    for (const p of group) out.push(`    ${p.name.padEnd(width)}  ${sourceText(p.source)}`);
  }
  out.push(`  ${group.length === 1 ? "" : "  "}${groupText(first.source)}`);
  if (!shared.kafka) out.push(`    from ${kafkaConnectionText(first.source)}`);
  out.push("  stages", ...stageLines(group, "    "));
  out.push(...targetsLines(first.targets, shared.elasticsearch));
  if (first.targets.some((t) => t.when !== undefined || t.whenText !== undefined))
    out.push(
      `  an event no target takes is ${first.unrouted === "drop" ? "dropped" : "sent to dead letters"}`,
    );
  return out;
}

/** The targets; when they all write alike (differing only in which events they take) that is said once. */
function targetsLines(targets: readonly PlannedTarget[], sharedConnection: boolean): string[] {
  const writes = targets.map((t) => `→ ${destinationText(t.sink)} · ${writeText(t.sink)}`);
  const on = targets.map((t) => (sharedConnection ? "" : `on ${elasticsearchConnectionText(t.sink)}`));
  const alikeWrites = targets.length > 1 && writes.every((w, i) => w === writes[0] && on[i] === on[0]);
  const out = [alikeWrites ? `  targets, each ${wrap(writes[0]!, WIDTH - 15, " ".repeat(15))}` : "  targets"];
  if (alikeWrites && on[0]) out.push(`    ${on[0]}`);
  targets.forEach((target, i) => {
    const when = target.whenText;
    const which = when === undefined ? "every event" : /^via /.test(when) ? when : `only when ${when}`;
    out.push(`    ${target.name}  (${which})`);
    if (alikeWrites) return;
    out.push(`      ${wrap(writes[i]!, WIDTH - 6, " ".repeat(8))}`);
    if (on[i]) out.push(`        ${on[i]}`);
  });
  return out;
}

function deadLetterLines(plan: Plan, sharedConnection: boolean): string[] {
  const sink = plan.deadLetters?.sink;
  const index = typeof sink?.index === "string" ? sink.index : "sluice-dead-letter";
  const where = sink ?? plan.pipelines[0]?.targets[0]?.sink;
  const line = `Dead letters → index ${index}${sink ? "" : " (the default)"}`;
  if (sharedConnection || where === undefined) return [line];
  return [line, `  on ${elasticsearchConnectionText(where)}`];
}

/** The warnings of one kind under `title`: each message once, with every position it was raised at. */
function warningLines(title: string, plan: Plan, kind: PlanWarning["kind"]): string[] {
  const byMessage = new Map<string, string[]>();
  for (const warning of plan.warnings) {
    if (warning.kind !== kind) continue;
    const where = byMessage.get(warning.message) ?? [];
    if (warning.where) where.push(formatPosition(warning.where));
    byMessage.set(warning.message, where);
  }
  if (byMessage.size === 0) return [];
  const out = ["", title];
  for (const [message, where] of byMessage) {
    out.push(`  • ${wrap(message, WIDTH - 4, "    ")}`);
    for (const position of where) out.push(`    at ${position}`);
  }
  return out;
}
