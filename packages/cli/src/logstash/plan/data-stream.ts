// The elasticsearch output's data stream settings as Logstash validates them, and its data_stream field sync as a stage.
import { mapValues, reject, type SluiceEvent, type Stage } from "@sluice/core";
import type { JsonObject } from "@sluice/transforms";
import type { PluginOptions } from "./options.js";

/** A target's data stream: its name parts and whether events route and sync by their `data_stream` fields. */
export interface DataStream {
  readonly type: string;
  readonly dataset: string;
  readonly namespace: string;
  readonly autoRouting: boolean;
  readonly syncFields: boolean;
}

const TYPES = ["logs", "metrics", "synthetics", "traces"] as const;
// logstash-output-elasticsearch's data_stream_support.rb: characters an identifier must not hold.
const INVALID = ["\\", "/", "*", "?", '"', "<", ">", "|", " ", ",", "#", ":"];

/** Reads the data_stream_* options, validated as Logstash validates them (whether or not data streams are on). */
export function readDataStream(options: PluginOptions): DataStream {
  const type = options.oneOf("data_stream_type", TYPES) ?? "logs";
  const dataset = identifier(options, "data_stream_dataset") ?? "generic";
  const namespace = identifier(options, "data_stream_namespace") ?? "default";
  const autoRouting = options.boolean("data_stream_auto_routing") ?? true;
  const syncFields = options.boolean("data_stream_sync_fields") ?? true;
  return { type, dataset, namespace, autoRouting, syncFields };
}

function identifier(options: PluginOptions, name: string): string | undefined {
  const value = options.string(name);
  if (value === undefined) return undefined;
  if (value.length === 0)
    throw options.refuse(name, "Invalid identifier - empty string (Logstash refuses it)");
  const bytes = Buffer.byteLength(value);
  if (bytes > 100)
    throw options.refuse(name, `Invalid identifier - too long (${bytes} bytes; Logstash refuses it)`);
  if (INVALID.some((c) => value.includes(c)))
    throw options.refuse(
      name,
      `Invalid characters detected ${JSON.stringify(INVALID)} are not allowed (Logstash refuses "${value}")`,
    );
  return value;
}

/** The sink's `index` for a data stream: Logstash's data_stream_name(event). */
export function dataStreamIndex(stream: DataStream): string | ((event: SluiceEvent) => string) {
  const fixed = `${stream.type}-${stream.dataset}-${stream.namespace}`;
  if (!stream.autoRouting) return fixed;
  // Synced fields hold exactly the name's parts, so a template says it in printable form.
  if (stream.syncFields)
    return "%{[data_stream][type]}-%{[data_stream][dataset]}-%{[data_stream][namespace]}";
  return (event) => {
    const fields = (event.value as JsonObject | undefined)?.data_stream;
    if (fields === null || typeof fields !== "object" || Array.isArray(fields)) return fixed;
    const part = (name: string, fallback: string) => {
      const value = (fields as JsonObject)[name];
      return value === undefined || value === null || value === false ? fallback : String(value);
    };
    return `${part("type", stream.type)}-${part("dataset", stream.dataset)}-${part("namespace", stream.namespace)}`;
  };
}

/** Logstash's data_stream_event_sync on a document: the `data_stream` fields made to name the stream written to. */
export function syncDataStream(doc: JsonObject, stream: DataStream): void {
  let fields = doc.data_stream;
  if (fields !== null && typeof fields === "object" && !Array.isArray(fields)) {
    if (!stream.autoRouting) {
      for (const name of ["type", "dataset", "namespace"] as const)
        if (Object.hasOwn(fields, name) && (fields as JsonObject)[name] !== stream[name])
          (fields as JsonObject)[name] = null;
    }
  } else {
    fields = {};
    doc.data_stream = fields;
  }
  const synced = fields as JsonObject;
  for (const name of ["type", "dataset", "namespace"] as const)
    if (synced[name] === undefined || synced[name] === null || synced[name] === false)
      synced[name] = stream[name];
}

/** One target, as the sync stage sees it. */
export interface SyncTarget {
  readonly when?: (event: SluiceEvent) => boolean;
  /** The data stream whose fields it syncs; undefined for a target that writes the document unchanged. */
  readonly sync: DataStream | undefined;
}

/**
 * The last stage of a pipeline with data stream targets: Logstash syncs a copy of the event per output,
 * Sluice's targets share one document, so an event is synced once; one routed to targets that would
 * write it differently goes to dead letters rather than being written wrong to one of them.
 */
export function dataStreamSyncStage(targets: readonly SyncTarget[]): Stage<JsonObject, JsonObject> {
  return mapValues<JsonObject, JsonObject>("data_stream_sync", (doc, event) => {
    const routes = targets.map((target) => target.when === undefined || target.when(event));
    event.metadata = { ...event.metadata, [ROUTES]: routes };
    const streams = targets.filter((_, i) => routes[i]).map((target) => target.sync);
    const first = streams[0];
    if (streams.every((stream) => stream === undefined)) return doc;
    if (first === undefined || streams.some((stream) => stream === undefined || !sameStream(stream, first)))
      return reject(
        "data_stream_conflict",
        "the event goes to elasticsearch outputs that would write different data_stream fields; Sluice writes one document per event",
      );
    syncDataStream(doc, first);
    return doc;
  });
}

/**
 * A target's `when` in a pipeline that syncs: the decision the sync stage took before it changed the
 * document, as Logstash's outputs test the event before their own copy is synced.
 */
export function routedAsBeforeSync(
  index: number,
  when: (event: SluiceEvent) => boolean,
): (event: SluiceEvent) => boolean {
  return (event) => {
    const routes = event.metadata?.[ROUTES];
    return Array.isArray(routes) ? routes[index] === true : when(event);
  };
}

// Where the sync stage leaves each target's decision for the fan-out.
const ROUTES = "sluice.logstash.routes";

function sameStream(a: DataStream, b: DataStream): boolean {
  return (
    a.type === b.type &&
    a.dataset === b.dataset &&
    a.namespace === b.namespace &&
    a.autoRouting === b.autoRouting &&
    a.syncFields === b.syncFields
  );
}
