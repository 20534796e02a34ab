// Plain-language descriptions of a plan's Kafka sources and Elasticsearch targets, with credentials named, never shown.
import { urlPassword } from "@sluice/core";
import { displayNodes } from "@sluice/sink-elasticsearch";

type Options = Record<string, unknown>;

const record = (value: unknown): Options | undefined =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Options) : undefined;

/** The brokers of a source's options, as one comma-separated list. */
export function brokersText(source: Options): string {
  const brokers = source.brokers;
  if (Array.isArray(brokers)) return brokers.join(",");
  return typeof brokers === "string" ? brokers.replace(/\s+/g, "") : "(no brokers)";
}

/** How a source connects: its brokers, then SASL and TLS when set. */
export function kafkaConnectionText(source: Options): string {
  const parts = [`Kafka ${brokersText(source)}`];
  const sasl = record(source.sasl);
  if (sasl) parts.push(`SASL ${String(sasl.mechanism)} as ${String(sasl.username)}`);
  const ssl = source.ssl;
  if (ssl === true) parts.push("TLS");
  const tls = record(ssl);
  if (tls) {
    parts.push(tls.caFile ? `TLS (CA ${String(tls.caFile)})` : "TLS");
    if (tls.rejectUnauthorized === false) parts.push("certificates NOT verified");
  }
  return parts.join(" · ");
}

/** What a source reads and from where a new group starts. */
export function sourceText(source: Options): string {
  const parts: string[] = [];
  const topics = Array.isArray(source.topics) ? (source.topics as string[]) : [];
  if (topics.length > 0) parts.push(`topic${topics.length > 1 ? "s" : ""} ${topics.join(", ")}`);
  if (typeof source.topicPattern === "string") parts.push(`topics matching /${source.topicPattern}/`);
  return parts.join(" and ") || "(no topics)";
}

/** The group and where it starts reading when it has no committed offset. */
export function groupText(source: Options): string {
  return `group ${String(source.groupId)} · with no committed offset, starts ${startText(source.startFrom)}`;
}

function startText(startFrom: unknown): string {
  if (startFrom === "latest") return "at the latest record (skips what is there)";
  const at = record(startFrom);
  if (at) return `at the first record from ${String(at.timestamp)}`;
  return "at the earliest record";
}

/** How a sink connects: nodes, credentials by kind, TLS. */
export function elasticsearchConnectionText(sink: Options): string {
  const node = sink.node as string | string[] | undefined;
  const parts = [`Elasticsearch ${node === undefined ? "(no node)" : displayNodes(node)}`];
  const auth = record(sink.auth);
  const inUrl = (Array.isArray(node) ? node : node === undefined ? [] : [node]).find(
    (url) => urlPassword(url) !== undefined,
  );
  if (auth && typeof auth.username === "string") parts.push(`user ${auth.username}`);
  else if (inUrl) parts.push(`user ${decodeURIComponent(new URL(inUrl).username)} (in the URL)`);
  else if (auth && "apiKey" in auth) parts.push("API key");
  else if (auth && "bearer" in auth) parts.push("bearer token");
  else parts.push("no credentials");
  const tls = record(sink.tls);
  if (tls?.caFile) parts.push(`CA ${String(tls.caFile)}`);
  if (tls?.rejectUnauthorized === false) parts.push("TLS certificates NOT verified");
  return parts.join(" · ");
}

/** Where a target writes: `index NAME` or `data stream NAME`, per topic when the index is a map. */
export function destinationText(sink: Options): string {
  const kind = sink.dataStream ? "data stream" : "index";
  const index = sink.index;
  if (typeof index === "string") return `${kind} ${index}`;
  if (typeof index === "function") return `${kind} chosen per event by code`;
  const byTopic = record(index);
  if (byTopic) {
    const topics = record(byTopic.topics) ?? {};
    const pairs = Object.entries(topics).map(([topic, name]) => `${topic} → ${String(name)}`);
    if (typeof byTopic.default === "string") pairs.push(`other topics → ${byTopic.default}`);
    return `${kind} per topic (${pairs.join(", ")})`;
  }
  return `${kind} (none)`;
}

/** How a target writes: action, _id, ingest pipeline, fallback, template. */
export function writeText(sink: Options): string {
  const parts = [`action ${typeof sink.action === "string" ? sink.action : "create"}`, idText(sink.id)];
  if (typeof sink.pipeline === "string") parts.push(`ingest pipeline ${sink.pipeline}`);
  if (typeof sink.templateFallbackIndex === "string")
    parts.push(`unresolved names → ${sink.templateFallbackIndex}`);
  const template = record(record(sink.dataStream)?.template);
  if (template) parts.push(`index template ${String(template.name)} put at start unless it exists`);
  return parts.join(" · ");
}

function idText(id: unknown): string {
  if (id === "key") return "_id = the Kafka record key";
  if (id === "none") return "_id chosen by Elasticsearch (a replay duplicates)";
  const field = record(id);
  if (field) return `_id = ${String(field.field)}`;
  return "_id = <topic>+<partition>+<offset>";
}
