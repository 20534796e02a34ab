// Vector's elasticsearch sink as elasticsearchSink options.
import type { PlanWarning } from "../plan.js";
import type { ComponentOptions } from "./options.js";
import { isTemplate, toSprintf } from "./template.js";

const KNOWN = [
  "type",
  "inputs",
  "endpoints",
  "endpoint",
  "auth",
  "bulk",
  "id_key",
  "mode",
  "data_stream",
  "tls",
  "compression",
  "request_retry_partial",
  "api_version",
  "pipeline",
  "request",
];

/** Reads the elasticsearch sink; notes what runs unlike Vector in `warnings`. */
export function elasticsearchSinkOf(
  options: ComponentOptions,
  warnings: PlanWarning[],
): Record<string, unknown> {
  options.only([], KNOWN);
  const sink: Record<string, unknown> = {};
  const endpoints = options.get(["endpoints"]) !== undefined ? options.strings(["endpoints"]) : undefined;
  const endpoint = options.string(["endpoint"]);
  const nodes = endpoints ?? (endpoint === undefined ? undefined : [endpoint]);
  if (nodes === undefined || nodes.length === 0) throw options.refuse([], "needs `endpoints`");
  const bad = nodes.findIndex((node) => !/^https?:\/\//.test(node));
  if (bad !== -1)
    throw options.refuse(
      endpoints === undefined ? ["endpoint"] : ["endpoints", bad],
      "must start with http:// or https://",
    );
  sink.node = nodes.length === 1 ? nodes[0] : nodes;
  options.choice(["api_version"], ["auto", "v7", "v8"] as const);

  const auth = authOf(options) ?? apiKeyOf(options);
  if (auth !== undefined) sink.auth = auth;
  const pipeline = options.string(["pipeline"]);
  if (pipeline !== undefined && pipeline !== "") sink.pipeline = pipeline;

  options.only(["tls"], ["verify_certificate", "verify_hostname", "ca_file"]);
  const verifyCertificate = options.boolean(["tls", "verify_certificate"]) ?? true;
  const verifyHostname = options.boolean(["tls", "verify_hostname"]) ?? true;
  if (verifyCertificate && !verifyHostname)
    throw options.refuse(
      ["tls", "verify_hostname"],
      "is false while verify_certificate is true: Sluice checks the hostname with the certificate, or neither",
    );
  const caFile = options.string(["tls", "ca_file"]);
  const tls: Record<string, unknown> = {};
  if (caFile !== undefined) tls.caFile = caFile;
  if (!verifyCertificate) tls.rejectUnauthorized = false;
  if (Object.keys(tls).length > 0) sink.tls = tls;

  const compression = options.choice(["compression"], ["none", "gzip"] as const);
  if (compression === "gzip") sink.compression = true;

  const retryPartial = options.boolean(["request_retry_partial"]) ?? false;
  if (!retryPartial)
    warnings.push({
      kind: "difference",
      message:
        "Sluice retries the documents Elasticsearch refuses for now (429, 5xx), as Vector's request_retry_partial: true does, and dead-letters those refused for good.",
    });

  options.only(["bulk"], ["index", "action"]);
  const action = options.string(["bulk", "action"]);
  if (action !== undefined) {
    if (isTemplate(action))
      throw options.refuse(["bulk", "action"], "is a template; Sluice takes one action per sink");
    if (action !== "index" && action !== "create")
      throw options.refuse(["bulk", "action"], `is "${action}"; Sluice supports "index" and "create"`);
    sink.action = action;
  }
  const idKey = options.string(["id_key"]);
  if (idKey !== undefined)
    sink.id = {
      field: idKey
        .replace(/^\./, "")
        .split(".")
        .map((p) => `[${p}]`)
        .join(""),
    };

  const mode = options.choice(["mode"], ["bulk", "data_stream"] as const) ?? "bulk";
  if (mode === "data_stream") {
    if (options.get(["bulk", "index"]) !== undefined)
      throw options.refuse(
        ["bulk", "index"],
        "is not used with mode data_stream (the data stream's name is)",
      );
    if (action === "index")
      throw options.refuse(["bulk", "action"], 'must be "create" with mode data_stream');
    options.only(["data_stream"], ["type", "dataset", "namespace", "auto_routing", "sync_fields"]);
    const part = (key: string, fallback: string) => {
      const value = options.string(["data_stream", key]) ?? fallback;
      return toSprintf(value, options, ["data_stream", key]);
    };
    sink.index = `${part("type", "logs")}-${part("dataset", "generic")}-${part("namespace", "default")}`;
    sink.dataStream = true;
    sink.action = "create";
    const autoRouting = options.boolean(["data_stream", "auto_routing"]) ?? true;
    const syncFields = options.boolean(["data_stream", "sync_fields"]) ?? true;
    if (autoRouting || syncFields)
      warnings.push({
        kind: "difference",
        message: `${options.label}: Sluice names the data stream from data_stream.type/dataset/namespace only; it neither routes by nor writes the event's own data_stream fields (Vector's auto_routing and sync_fields).`,
        where: options.document.where([...options.path, "data_stream"]),
      });
  } else {
    if (options.get(["data_stream"]) !== undefined)
      throw options.refuse(["data_stream"], "is used only with mode data_stream");
    const index = options.string(["bulk", "index"]);
    if (index === undefined) throw options.refuse(["bulk"], "needs `index` (Sluice writes no default index)");
    sink.index = toSprintf(index, options, ["bulk", "index"]);
    if (/%\{\+/.test(String(sink.index)))
      warnings.push({
        kind: "difference",
        message: `${options.label}: the index name's date comes from the event's @timestamp; Vector takes it from its timestamp field.`,
        where: options.document.where([...options.path, "bulk", "index"]),
      });
  }
  return sink;
}

function authOf(options: ComponentOptions): Record<string, unknown> | undefined {
  if (options.get(["auth"]) === undefined) return undefined;
  const strategy = options.string(["auth", "strategy"]);
  if (strategy === "basic") {
    options.only(["auth"], ["strategy", "user", "password"]);
    const username = options.string(["auth", "user"]);
    const password = options.string(["auth", "password"]);
    if (username === undefined || password === undefined)
      throw options.refuse(["auth"], "with strategy basic needs `user` and `password`");
    return { username, password };
  }
  throw options.refuse(["auth", "strategy"], `is "${strategy ?? ""}"; Sluice supports "basic"`);
}

/** Vector has no API key strategy: an API key is sent as `request.headers.Authorization: "ApiKey <key>"`. */
function apiKeyOf(options: ComponentOptions): Record<string, unknown> | undefined {
  if (options.get(["request"]) === undefined) return undefined;
  options.only(
    ["request"],
    ["headers"],
    "is not supported by Sluice (only request.headers.Authorization is)",
  );
  options.only(
    ["request", "headers"],
    ["Authorization"],
    "is not supported by Sluice (only the Authorization header is)",
  );
  const header = options.string(["request", "headers", "Authorization"]);
  if (header === undefined) return undefined;
  const match = /^ApiKey\s+(\S+)$/.exec(header);
  if (match === null)
    throw options.refuse(
      ["request", "headers", "Authorization"],
      'must be "ApiKey <key>" (use auth for basic)',
    );
  if (options.get(["auth"]) !== undefined)
    throw options.refuse(["request", "headers", "Authorization"], "and `auth` cannot both be set");
  return { apiKey: match[1] };
}
