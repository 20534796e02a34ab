// The kafka input as a kafkaSource's options, and the stages that make each record the event Logstash's input makes.
import { mapValues, type Stage } from "@sluice/core";
import { type JsonObject, mutate, plain } from "@sluice/transforms";
import type { PlanWarning } from "../../plan.js";
import type { LsPlugin } from "../ast.js";
import { codecJsonStages } from "./codec-json.js";
import { PluginOptions } from "./options.js";
import { construct, refuseMetadataFields } from "./planned.js";
import { METADATA_KEY } from "./predicate.js";

/** A kafka input's part of a planned pipeline. */
export interface PlannedInput {
  /** The `kafkaSource` options. */
  readonly source: Record<string, unknown>;
  /** The input's `id`, when written. */
  readonly id: string | undefined;
  readonly stages: Stage<never, unknown>[];
  readonly texts: string[];
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
  const texts: string[] = [];
  if (codec === "json") {
    stages.push(...construct(plugin, () => codecJsonStages(ecsOn)));
    texts.push(`codec json${ecsOn ? " (event.original)" : ""}`);
  } else {
    stages.push(construct(plugin, () => plain({ name: "codec-plain" })) as Stage<never, unknown>);
    if (ecsOn)
      stages.push(
        mutate({ copy: ["message", "[event][original]"], name: "codec-plain" }) as Stage<never, unknown>,
      );
    texts.push(`codec plain${ecsOn ? " (event.original)" : ""}`);
  }
  if (addField !== undefined) {
    stages.push(
      construct(plugin, () =>
        mutate({ add_field: Object.fromEntries(addField), name: id ?? "kafka" }),
      ) as Stage<never, unknown>,
    );
    texts.push(`add_field ${JSON.stringify(Object.fromEntries(addField))}`);
  }
  if (decorate !== "none") {
    stages.push(kafkaMetadata(groupId, decorate === "extended") as Stage<never, unknown>);
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
  return { source, id, stages, texts, warnings };
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

/** decorate_events: the record's Kafka coordinates in `[@metadata][kafka]`, where conditions read them. */
function kafkaMetadata(groupId: string, extended: boolean): Stage<JsonObject, JsonObject> {
  return mapValues<JsonObject, JsonObject>("decorate_events", (doc, event) => {
    const origin = event.origin;
    const kafka: Record<string, unknown> = {
      topic: origin.topic,
      consumer_group: groupId,
      partition: origin.partition,
      offset: Number(origin.offset),
      key: origin.key === null ? null : origin.key.toString("utf8"),
      timestamp: Number(origin.timestamp),
    };
    if (extended)
      for (const [name, value] of Object.entries(origin.headers))
        if (value !== undefined)
          kafka[name] = Array.isArray(value) ? String(value[value.length - 1]) : String(value);
    const metadata = (event.metadata?.[METADATA_KEY] as Record<string, unknown> | undefined) ?? {};
    event.metadata = { ...event.metadata, [METADATA_KEY]: { ...metadata, kafka } };
    return doc;
  });
}
