// The kafka input as a kafkaSource's options, and the stages that make each record the event Logstash's input makes.
import type { Stage } from "@sluice/core";
import { type MutateOptions, mutate, type PlainOptions, plain } from "@sluice/transforms";
import { buildCliStage } from "../../migrate/stages.js";
import type { PlanWarning, StageSpec } from "../../plan.js";
import type { LsPlugin, Position } from "../ast.js";
import { PluginOptions } from "./options.js";
import { construct, refuseMetadataFields } from "./planned.js";

/** A kafka input's part of a planned pipeline. */
export interface PlannedInput {
  /** The `kafkaSource` options. */
  readonly source: Record<string, unknown>;
  /** The input's `id`, when written. */
  readonly id: string | undefined;
  readonly stages: Stage<never, unknown>[];
  /** The stages as Sluice's config writes them, one per stage. */
  readonly specs: StageSpec[];
  readonly texts: string[];
  /** Where the input is written. */
  readonly where: Position;
  readonly warnings: PlanWarning[];
}

/** Plans one `kafka` input; `ecs` is whether the pipeline runs with ECS compatibility (Logstash 8: v8). */
export function planKafkaInput(plugin: LsPlugin, ecs: boolean): PlannedInput {
  if (plugin.name !== "kafka")
    throw new PluginOptions(plugin).refuse(undefined, "Sluice runs the kafka input only");
  refuseMetadataFields(plugin);
  const options = new PluginOptions(plugin);
  const brokers = (options.string("bootstrap_servers") ?? "localhost:9092")
    .split(",")
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  const topics = options.strings("topics") ?? ["logstash"];
  const groupId = options.string("group_id") ?? "logstash";
  const clientId = options.string("client_id") ?? "logstash";
  const reset = options.oneOf("auto_offset_reset", ["earliest", "latest", "none"]);
  if (reset === "none")
    throw options.refuse(
      "auto_offset_reset",
      `"none" fails a group without committed offsets; Sluice always starts somewhere: use "earliest" or "latest"`,
    );
  const threads = options.number("consumer_threads");
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1))
    throw options.refuse("consumer_threads", `expected a whole number of at least 1, got ${threads}`);
  const decorate = decorateMode(options);
  const autoCommit = options.has("enable_auto_commit");
  options.boolean("enable_auto_commit");
  const addField = options.hash("add_field");
  const codec = codecOf(options);
  const pluginEcs = options.oneOf("ecs_compatibility", ["disabled", "v1", "v8"]);
  const ecsOn = pluginEcs === undefined ? ecs : pluginEcs !== "disabled";
  const id = options.id();
  options.finish();

  const source: Record<string, unknown> = {
    brokers,
    topics,
    groupId,
    clientId,
    // Logstash leaves auto_offset_reset to Kafka, whose default is the end of the topic.
    startFrom: reset ?? "latest",
    ...(threads === undefined ? {} : { partitionsConsumedConcurrently: threads }),
  };
  const stages: Stage<never, unknown>[] = [];
  const specs: StageSpec[] = [];
  const texts: string[] = [];
  const add = (spec: StageSpec, build: () => unknown) => {
    specs.push(spec);
    stages.push(construct(plugin, build) as Stage<never, unknown>);
  };
  if (codec === "json") {
    const spec = { logstashCodecJson: { ecs: ecsOn } };
    add(spec, () => buildCliStage(spec));
    texts.push(`codec json${ecsOn ? " (event.original)" : ""}`);
  } else {
    const plainOptions: PlainOptions = { name: "codec-plain" };
    add({ plain: plainOptions }, () => plain(plainOptions));
    if (ecsOn) {
      const original: MutateOptions = { copy: ["message", "[event][original]"], name: "codec-plain" };
      add({ mutate: original }, () => mutate(original));
    }
    texts.push(`codec plain${ecsOn ? " (event.original)" : ""}`);
  }
  if (addField !== undefined) {
    const fields: MutateOptions = { add_field: Object.fromEntries(addField), name: id ?? "kafka" };
    add({ mutate: fields }, () => mutate(fields));
    texts.push(`add_field ${JSON.stringify(Object.fromEntries(addField))}`);
  }
  if (decorate !== "none") {
    const spec = {
      logstashDecorateEvents: { groupId, ...(decorate === "extended" ? { extended: true } : {}) },
    };
    add(spec, () => buildCliStage(spec));
    texts.push(`decorate_events ${decorate}: [@metadata][kafka]`);
  }

  const warnings: PlanWarning[] = [
    {
      kind: "difference",
      message:
        "kafka: Sluice commits an offset only after Elasticsearch accepted its record (or it went to dead letters); Logstash's consumer commits on a timer, whatever became of the events" +
        (autoCommit ? " (enable_auto_commit is therefore not used)" : ""),
      where: plugin.position,
    },
  ];
  if (codec === "json")
    warnings.push({
      kind: "difference",
      message:
        'kafka codec json: a record that is not a JSON object goes to dead letters, where Logstash keeps text that is not JSON in message tagged "_jsonparsefailure" and makes one event per element of an array',
      where: options.position("codec"),
    });
  if (reset === undefined)
    warnings.push({
      kind: "behaviour",
      message:
        'kafka: no auto_offset_reset, so a consumer group without committed offsets starts at the end of the topic (Kafka\'s default) and skips the records already there; write auto_offset_reset => "earliest" to read them',
      where: plugin.position,
    });
  return { source, id, stages, specs, texts, warnings, where: plugin.position };
}

function decorateMode(options: PluginOptions): "none" | "basic" | "extended" {
  const value = options.oneOf("decorate_events", ["true", "false", "none", "basic", "extended"]);
  if (value === undefined || value === "false" || value === "none") return "none";
  return value === "extended" ? "extended" : "basic";
}

function codecOf(options: PluginOptions): "plain" | "json" {
  const value = options.value("codec");
  if (value === undefined) return "plain";
  const name =
    value.kind === "plugin"
      ? value.name
      : value.kind === "string" || value.kind === "bareword"
        ? value.value
        : undefined;
  if (name !== "plain" && name !== "json")
    throw options.refuse("codec", "Sluice runs the plain and json codecs only");
  if (value.kind === "plugin" && value.attributes.length > 0)
    throw options.refuse("codec", `Sluice runs the ${name} codec without options`);
  return name;
}
