// The elasticsearch output as elasticsearchSink options: Logstash's data stream rules, TLS and auth, index and ids.

import type { PlanWarning } from "../../plan.js";
import type { LsPlugin, Position } from "../ast.js";
import { type DataStream, dataStreamIndex, readDataStream } from "./data-stream.js";
import { PluginOptions } from "./options.js";
import { refuseMetadataFields } from "./planned.js";

/** An elasticsearch output's target, before its `when`. */
export interface PlannedOutput {
  readonly id: string | undefined;
  readonly sink: Record<string, unknown>;
  /** The data stream it writes to, whose fields the pipeline syncs; undefined for an index. */
  readonly sync: DataStream | undefined;
  readonly text: string;
  readonly warnings: PlanWarning[];
  /** Where the output is written. */
  readonly where: Position;
}

// Options Logstash shares with its HTTP client settings: they do not stop data stream mode.
const CONNECTION = new Set([
  "hosts",
  "user",
  "password",
  "api_key",
  "ssl",
  "ssl_enabled",
  "ssl_certificate_verification",
  "ssl_verification_mode",
  "cacert",
  "ssl_certificate_authorities",
  "id",
  "enable_metric",
  "pipeline",
  "routing",
  "ecs_compatibility",
]);

/** Plans one `elasticsearch` output; `ecs` is whether the pipeline runs with ECS compatibility. */
export function planElasticsearchOutput(plugin: LsPlugin, ecs: boolean): PlannedOutput {
  if (plugin.name !== "elasticsearch")
    throw new PluginOptions(plugin).refuse(undefined, "Sluice runs the elasticsearch output only");
  refuseMetadataFields(plugin);
  const options = new PluginOptions(plugin);
  const written = plugin.attributes.map((attribute) => attribute.name);
  const pluginEcs = options.oneOf("ecs_compatibility", ["disabled", "v1", "v8"]);
  const ecsOn = pluginEcs === undefined ? ecs : pluginEcs !== "disabled";

  // data_stream_support.rb: which options keep an output out of data stream mode, and what each mode refuses.
  const explicit = options.oneOf("data_stream", ["true", "false", "auto"]);
  const action = options.string("action");
  const stream = readDataStream(options);
  const invalid = [...new Set(written)].filter((name) => {
    if (name === "action") return action !== "create";
    if (name === "data_stream") return explicit !== "true";
    return !name.startsWith("data_stream_") && !CONNECTION.has(name);
  });
  const streamOptions = [...new Set(written)].filter((name) => name.startsWith("data_stream_"));
  let useStream: boolean;
  if (explicit === "true") {
    if (invalid.length > 0)
      throw options.refuse(
        invalid[0],
        `Invalid data stream configuration: [${invalid.map((n) => `"${n}"`).join(", ")}] (Logstash refuses these with data_stream => true)`,
      );
    if (!ecsOn)
      throw options.refuse(
        "data_stream",
        "Invalid data stream configuration: `ecs_compatibility => disabled` (Logstash refuses it)",
      );
    useStream = true;
  } else {
    useStream = explicit === undefined || explicit === "auto" ? ecsOn && invalid.length === 0 : false;
    if (!useStream && streamOptions.length > 0)
      throw options.refuse(
        streamOptions[0],
        `Ambiguous configuration; data stream settings must not be present when data streams are disabled: [${streamOptions.join(", ")}] (Logstash refuses it)`,
      );
  }

  const connection = readConnection(options);
  const sink: Record<string, unknown> = { ...connection };
  const warnings: PlanWarning[] = [];
  const pipeline = options.string("pipeline");
  if (pipeline !== undefined) {
    if (pipeline.includes("%{"))
      throw options.refuse("pipeline", "Sluice's sink takes one ingest pipeline, not a %{…} template");
    sink.pipeline = pipeline;
  }
  let text: string;
  if (useStream) {
    sink.index = dataStreamIndex(stream);
    sink.dataStream = true;
    sink.action = "create";
    sink.id = "origin";
    text = stream.autoRouting
      ? `data stream ${stream.type}-${stream.dataset}-${stream.namespace} (or the event's [data_stream] fields)`
      : `data stream ${stream.type}-${stream.dataset}-${stream.namespace}`;
  } else {
    const index = options.string("index");
    if (index === undefined)
      throw options.refuse(
        undefined,
        "without `index` (and outside data stream mode) Logstash writes through an ILM rollover alias it manages; Sluice does not manage ILM, so write `index`",
      );
    sink.index = index;
    const chosen = action ?? "index";
    if (chosen !== "index" && chosen !== "create")
      throw options.refuse("action", `Sluice writes with "index" or "create" only, not "${chosen}"`);
    sink.action = chosen;
    sink.id = documentId(options);
    text = `index ${index} (${chosen})`;
  }
  const id = options.id();
  options.finish();
  if (sink.id === "origin")
    warnings.push({
      kind: "difference",
      message:
        "elasticsearch: Sluice writes each document with the _id <topic>+<partition>+<offset>, so a record read twice is written once; Logstash lets Elasticsearch pick the _id",
      where: plugin.position,
    });
  return {
    id,
    sink,
    sync: useStream && stream.syncFields ? stream : undefined,
    text,
    warnings,
    where: plugin.position,
  };
}

/** hosts, TLS and credentials, read as the output normalizes them. */
function readConnection(options: PluginOptions): Record<string, unknown> {
  if (options.has("ssl") && options.has("ssl_enabled"))
    throw options.refuse("ssl", "Use either `ssl_enabled` or the deprecated `ssl` (Logstash refuses both)");
  const hosts = options.strings("hosts") ?? ["//127.0.0.1"];
  const sslGiven = options.boolean("ssl_enabled") ?? options.boolean("ssl");
  const ssl = sslGiven ?? (hosts.length > 0 && hosts.every((host) => host.startsWith("https")));
  const node = hosts.map((host) => nodeUrl(host, ssl));

  if (options.has("ssl_certificate_verification") && options.has("ssl_verification_mode"))
    throw options.refuse(
      "ssl_certificate_verification",
      "Use either `ssl_verification_mode` or the deprecated `ssl_certificate_verification` (Logstash refuses both)",
    );
  const verify =
    options.boolean("ssl_certificate_verification") ??
    (options.oneOf("ssl_verification_mode", ["full", "none"]) ?? "full") === "full";
  if (options.has("cacert") && options.has("ssl_certificate_authorities"))
    throw options.refuse(
      "cacert",
      "Use either `ssl_certificate_authorities` or the deprecated `cacert` (Logstash refuses both)",
    );
  const authorities = options.strings("ssl_certificate_authorities") ?? options.strings("cacert");
  if (authorities !== undefined && authorities.length > 1)
    throw options.refuse(
      options.has("cacert") ? "cacert" : "ssl_certificate_authorities",
      "Multiple values are not supported (Logstash refuses them)",
    );
  const tls: Record<string, unknown> = {};
  if (ssl && authorities?.[0] !== undefined) tls.caFile = authorities[0];
  if (ssl && !verify) tls.rejectUnauthorized = false;

  const user = options.string("user");
  const password = options.string("password");
  const apiKey = options.string("api_key");
  if (apiKey !== undefined && (user !== undefined || password !== undefined))
    throw options.refuse(
      "api_key",
      "Multiple authentication options are specified, please only use one of user/password, cloud_auth or api_key (Logstash refuses both)",
    );
  if (apiKey !== undefined && !ssl)
    throw options.refuse(
      "api_key",
      "Using api_key authentication requires SSL/TLS secured communication using the `ssl_enabled => true` option (Logstash refuses it)",
    );
  if ((user === undefined) !== (password === undefined))
    throw options.refuse(
      user === undefined ? "password" : "user",
      "write both `user` and `password`: with one of them Logstash connects without credentials",
    );
  const connection: Record<string, unknown> = { node: node.length === 1 ? node[0] : node };
  if (user !== undefined && password !== undefined) connection.auth = { username: user, password };
  if (apiKey !== undefined) connection.auth = { apiKey: Buffer.from(apiKey).toString("base64") };
  if (Object.keys(tls).length > 0) connection.tls = tls;
  return connection;
}

/** A host as Logstash reads it: without a scheme, http or https by ssl_enabled, on port 9200 unless written. */
function nodeUrl(host: string, ssl: boolean): string {
  if (/^https?:\/\//.test(host)) return host;
  const bare = host.replace(/^\/\//, "");
  const withPort =
    /:\d+(\/|$)/.test(bare) || /\]:\d+/.test(bare) ? bare : bare.replace(/^([^/]+)/, "$1:9200");
  return `${ssl ? "https" : "http"}://${withPort}`;
}

/** document_id: one field reference, `%{[a][b]}`, is a field id; anything else Sluice's sink cannot name. */
function documentId(options: PluginOptions): unknown {
  const template = options.string("document_id");
  if (template === undefined) return "origin";
  const field = /^%\{(\[[^\]]+\](?:\[[^\]]+\])*|[^[\]{}%+]+)\}$/.exec(template);
  if (field === null)
    throw options.refuse(
      "document_id",
      `Sluice's sink takes the id from one field (%{[field]}), not "${template}"`,
    );
  const reference = field[1]!;
  return { field: reference.startsWith("[") ? reference : `[${reference}]` };
}
