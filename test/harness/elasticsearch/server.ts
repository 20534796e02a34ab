// HTTP front of the emulator: reads bodies (gzip, size limit), checks auth, applies faults, routes.
import type { IncomingMessage, ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import { BufferPool } from "../../../packages/sink-elasticsearch/src/buffer-pool.js";
import { acceptedItems, acceptedResponse } from "./accept-all.js";
import { type BulkResponse, executeBulk, readSource } from "./bulk.js";
import { writeDocument } from "./documents.js";
import { EsError, type EsErrorBody, esError, indexNotFound } from "./errors.js";
import type { FaultState } from "./faults.js";
import { filterBulkPath, filterPath } from "./filter-path.js";
import { count, search } from "./search.js";
import type { Store } from "./store.js";

export interface ServerConfig {
  auth?: { username: string; password: string } | { apiKey: string };
  maxContentLength: number;
  acceptAll: boolean;
  version: string;
}

export interface Stats {
  requests: number;
  bulkRequests: number;
  bulkItems: number;
  acceptedItems: number;
  rejectedItems: number;
  /** Requests whose body came gzip-compressed. */
  gzipRequests: number;
}

/** Counters at zero: a fresh emulator's, and what an external cluster (nothing counted) reports. */
export function noStats(): Stats {
  return { requests: 0, bulkRequests: 0, bulkItems: 0, acceptedItems: 0, rejectedItems: 0, gzipRequests: 0 };
}

const PRODUCT_HEADERS = { "x-elastic-product": "Elasticsearch", "content-type": "application/json" };

class TooLarge extends Error {}
/** The body does not decompress: Elasticsearch's HTTP layer closes the connection without an answer. */
class Undecodable extends Error {}

/** A gzip header's length: Netty's decoder waits for this much before it judges the body. */
const GZIP_HEADER_BYTES = 10;

/** Answers with `body` as JSON, or with `json`, a body already written. */
function send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, json?: string): void {
  if (res.headersSent || res.destroyed) return;
  const text = json ?? (body === undefined ? "" : JSON.stringify(body));
  res.writeHead(status, { ...PRODUCT_HEADERS, "content-length": Buffer.byteLength(text) });
  res.end(req.method === "HEAD" ? undefined : text);
}

/**
 * The request's body, gunzipped when it came compressed. A body of declared length is read into a
 * buffer of `pool` (given back by the caller once the request is handled): fresh multi-megabyte
 * buffers for every bulk request cost the emulator more than reading them.
 */
async function readBody(
  req: IncomingMessage,
  limit: number,
  pool: BufferPool,
): Promise<{ body: Buffer; pooled?: Buffer }> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) throw new TooLarge();
  const gzip = /gzip/i.test(String(req.headers["content-encoding"] ?? ""));
  const into = declared > 0 && !gzip ? pool.take(declared) : undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (size + chunk.length > limit) throw new TooLarge();
    if (into && size + chunk.length <= into.length) into.set(chunk, size);
    else chunks.push(chunk);
    size += chunk.length;
  }
  if (into) {
    if (chunks.length === 0) return { body: into.subarray(0, size), pooled: into };
    pool.release(into);
    throw esError(400, "parse_exception", "request body longer than its content-length");
  }
  const raw = Buffer.concat(chunks);
  if (raw.length > 0 && gzip) {
    try {
      return { body: gunzipSync(raw, { maxOutputLength: limit }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError)
        throw new TooLarge();
      // Fewer bytes than a header: the decoder is still waiting when the body ends, so there is none.
      if (raw.length < GZIP_HEADER_BYTES) return { body: Buffer.alloc(0) };
      throw new Undecodable();
    }
  }
  return { body: raw };
}

function authenticate(req: IncomingMessage, config: ServerConfig): EsError | undefined {
  const auth = config.auth;
  if (!auth) return undefined;
  const header = String(req.headers.authorization ?? "");
  const uri = req.url ?? "/";
  if (!header)
    return esError(
      401,
      "security_exception",
      `missing authentication credentials for REST request [${uri}]`,
      {
        header: { "WWW-Authenticate": ['Basic realm="security" charset="UTF-8"', "ApiKey"] },
      },
    );
  if ("apiKey" in auth) {
    if (header === `ApiKey ${auth.apiKey}`) return undefined;
    return esError(
      401,
      "security_exception",
      `unable to authenticate with provided credentials and anonymous access is not allowed for this request`,
      {
        additional_unsuccessful_credentials: "API key: invalid",
      },
    );
  }
  const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
  if (header === expected) return undefined;
  const user = header.startsWith("Basic ")
    ? Buffer.from(header.slice(6), "base64").toString().split(":")[0]
    : "";
  return esError(
    401,
    "security_exception",
    `unable to authenticate user [${user}] for REST request [${uri}]`,
    {
      header: { "WWW-Authenticate": ['Basic realm="security" charset="UTF-8"', "ApiKey"] },
    },
  );
}

/**
 * Elasticsearch 7 knows the `compatible-with=7` media types only: the client 8's default
 * `compatible-with=8` is refused with 406, as a 7.x cluster answers it.
 */
function checkMediaType(req: IncomingMessage, config: ServerConfig): unknown {
  if (!config.version.startsWith("7.")) return undefined;
  for (const header of ["content-type", "accept"] as const) {
    const value = String(req.headers[header] ?? "");
    if (/compatible-with=(?!7\b)\d+/.test(value)) {
      const name = header === "accept" ? "Accept" : "Content-Type";
      return { error: `${name} header [${value}] is not supported`, status: 406 };
    }
  }
  return undefined;
}

function json(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const value = JSON.parse(body.toString("utf8"));
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw esError(400, "parse_exception", "request body must be a JSON object");
    return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof EsError) throw error;
    throw esError(400, "x_content_parse_exception", `[1:1] ${(error as Error).message}`);
  }
}

export function createHandler(store: Store, faults: FaultState, config: ServerConfig, stats: Stats) {
  const bodies = new BufferPool();
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    stats.requests++;
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    try {
      if (faults.shouldReset(path)) {
        req.socket.destroy();
        return;
      }
      const delay = faults.latencyFor(path);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (req.socket.destroyed) return;
      let read: { body: Buffer; pooled?: Buffer };
      try {
        read = await readBody(req, faults.contentLimitBytes ?? config.maxContentLength, bodies);
      } catch (error) {
        if (error instanceof Undecodable) {
          req.socket.destroy();
          return;
        }
        if (error instanceof TooLarge) {
          res.setHeader("connection", "close");
          send(req, res, 413, undefined);
          req.resume();
          return;
        }
        throw error;
      }
      try {
        respond(req, res, read.body, store, faults, config, stats, url);
      } finally {
        // Nothing keeps a reference to the body: documents are parsed out of it.
        if (read.pooled) bodies.release(read.pooled);
      }
    } catch (error) {
      if (error instanceof EsError) send(req, res, error.status, error.toResponse());
      else
        send(req, res, 500, esError(500, "exception", String((error as Error)?.stack ?? error)).toResponse());
    }
  };
}

/** Answers a request whose body has been read. */
function respond(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  store: Store,
  faults: FaultState,
  config: ServerConfig,
  stats: Stats,
  url: URL,
): void {
  const path = url.pathname;
  if (/gzip/i.test(String(req.headers["content-encoding"] ?? ""))) stats.gzipRequests++;
  const mediaError = checkMediaType(req, config);
  if (mediaError) {
    send(req, res, 406, mediaError);
    return;
  }
  const authError = authenticate(req, config);
  if (authError) {
    res.setHeader("WWW-Authenticate", 'Basic realm="security" charset="UTF-8"');
    send(req, res, 401, authError.toResponse());
    return;
  }
  const forced = faults.forcedStatus(path);
  if (forced === 401 || forced === 403) {
    send(req, res, forced, forcedAuthError(forced, req.url ?? "/").toResponse());
    return;
  }
  if (faults.poisoned(body)) {
    // What Elasticsearch answers to an action line with a parameter it does not know.
    send(
      req,
      res,
      400,
      esError(
        400,
        "illegal_argument_exception",
        "Action/metadata line [1] contains an unknown parameter [poison]",
      ).toResponse(),
    );
    return;
  }
  if (forced !== undefined) {
    const error =
      forced === 429
        ? esError(
            429,
            "es_rejected_execution_exception",
            "rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1024, max_coordinating_and_primary_bytes=107374182]",
          )
        : esError(forced, "cluster_block_exception", `blocked by: [SERVICE_UNAVAILABLE/2/no master];`);
    send(req, res, forced, error.toResponse());
    return;
  }
  const result = route(store, config, stats, req.method ?? "GET", path, url.searchParams, body, faults);
  const filter = url.searchParams.get("filter_path");
  if (result.accepted) {
    send(req, res, result.status, undefined, acceptedResponse(result.accepted, 0, filter));
    return;
  }
  send(
    req,
    res,
    result.status,
    result.bulk ? filterBulkPath(result.bulk, filter) : filterPath(result.body, filter),
  );
}

/** Security's answers: credentials no longer accepted (401), or a user without the privilege (403). */
function forcedAuthError(status: 401 | 403, uri: string): EsError {
  if (status === 401)
    return esError(
      401,
      "security_exception",
      `unable to authenticate user [elastic] for REST request [${uri}]`,
      {
        header: { "WWW-Authenticate": ['Basic realm="security" charset="UTF-8"', "ApiKey"] },
      },
    );
  return esError(
    403,
    "security_exception",
    "action [indices:data/write/bulk] is unauthorized for user [writer] with effective roles [viewer], this action is granted by the cluster privileges [all]",
  );
}

interface Result {
  status: number;
  body: unknown;
  /** A bulk response, filtered with the fast path for alike items. */
  bulk?: BulkResponse;
  /** Bench mode: the bulk items, every one accepted; the answer is written from them as text. */
  accepted?: ReturnType<typeof acceptedItems>;
}

const ok = (body: unknown, status = 200): Result => ({ status, body });

function route(
  store: Store,
  config: ServerConfig,
  stats: Stats,
  method: string,
  path: string,
  params: URLSearchParams,
  body: Buffer,
  faults: FaultState,
): Result {
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const [first, second, third] = parts;
  const read = method === "GET" || method === "HEAD";

  if (parts.length === 0) {
    if (!read) throw noHandler(method, path);
    return ok({
      name: "sluice-emulator",
      cluster_name: "sluice",
      cluster_uuid: store.clusterUuid,
      version: {
        number: config.version,
        build_flavor: "default",
        build_type: "tar",
        build_hash: "emulator",
        build_date: "2024-08-05T10:05:34.233336849Z",
        build_snapshot: false,
        lucene_version: "9.11.1",
        minimum_wire_compatibility_version: "7.17.0",
        minimum_index_compatibility_version: "7.0.0",
      },
      tagline: "You Know, for Search",
    });
  }

  // /_bulk and /{index}/_bulk
  if ((first === "_bulk" && parts.length === 1) || (second === "_bulk" && parts.length === 2)) {
    if (method !== "POST" && method !== "PUT") throw noHandler(method, path);
    const accepted =
      config.acceptAll && !faults.rejectingItems
        ? acceptedItems(body, second === "_bulk" ? first : undefined)
        : undefined;
    if (accepted) {
      stats.bulkRequests++;
      stats.bulkItems += accepted.length;
      stats.acceptedItems += accepted.length;
      return { status: 200, body: undefined, accepted };
    }
    const response = executeBulk(store, body, {
      ...(second === "_bulk" ? { defaultIndex: first! } : {}),
      acceptAll: config.acceptAll,
      ...(faults.rejectingItems ? { rejectItem: () => faults.itemStatus() } : {}),
    });
    stats.bulkRequests++;
    stats.bulkItems += response.items.length;
    if (!response.errors) stats.acceptedItems += response.items.length;
    else
      for (const item of response.items) {
        const status = Object.values(item)[0]!.status as number;
        if (status < 300) stats.acceptedItems++;
        else stats.rejectedItems++;
      }
    return { status: 200, body: response, bulk: response };
  }

  if (first === "_security" && second === "_authenticate")
    return ok({ username: "elastic", roles: ["superuser"], enabled: true, authentication_type: "realm" });
  if (first === "_cluster" && second === "health")
    return ok({
      cluster_name: "sluice",
      status: "green",
      number_of_nodes: 1,
      active_shards_percent_as_number: 100,
    });

  if (first === "_refresh" || second === "_refresh") {
    const names = store.resolve(first === "_refresh" ? "*" : first!, {});
    return ok({ _shards: { total: names.length * 2, successful: names.length, failed: 0 } });
  }
  if (first === "_count" || second === "_count")
    return ok(count(store, first === "_count" ? "*" : first!, json(body), params));
  if (first === "_search" || second === "_search")
    return ok(search(store, first === "_search" ? "*" : first!, json(body), params));

  if (first === "_cat" && second === "indices") {
    const names = store.resolve(third ?? "*", { ignoreUnavailable: true });
    const rows = names.map((name) => {
      const index = store.indices.get(name)!;
      const size = `${Math.max(1, Math.round(index.docs.size * 0.8))}kb`;
      return {
        health: "yellow",
        status: "open",
        index: name,
        uuid: index.uuid,
        pri: "1",
        rep: "1",
        "docs.count": String(index.docs.size),
        "docs.deleted": "0",
        "store.size": size,
        "pri.store.size": size,
      };
    });
    if (params.get("format") === "json") return ok(rows);
    return { status: 200, body: rows.map((r) => Object.values(r).join(" ")).join("\n") };
  }

  if (first === "_index_template" && second) {
    if (method === "PUT" || method === "POST") {
      store.putTemplate(second, json(body) as never);
      return ok({ acknowledged: true });
    }
    if (method === "DELETE") {
      if (!store.templates.delete(second))
        throw esError(404, "resource_not_found_exception", `index_template [${second}] missing`);
      return ok({ acknowledged: true });
    }
    const template = store.templates.get(second);
    if (!template)
      throw esError(404, "resource_not_found_exception", `index template matching [${second}] not found`);
    const {
      name,
      index_patterns,
      template: settings,
      composed_of,
      priority,
      data_stream,
      ...rest
    } = template;
    return ok({
      index_templates: [
        {
          name,
          index_template: {
            index_patterns,
            ...(settings ? { template: settings } : {}),
            composed_of: composed_of ?? [],
            priority,
            ...rest,
            // As Elasticsearch shows a data_stream: {} it was given.
            ...(data_stream
              ? { data_stream: { hidden: false, allow_custom_routing: false, ...data_stream } }
              : {}),
          },
        },
      ],
    });
  }

  if (first === "_data_stream") {
    if (method === "PUT" && second) {
      store.createDataStream(second);
      return ok({ acknowledged: true });
    }
    if (method === "DELETE" && second) {
      store.deleteDataStream(second);
      return ok({ acknowledged: true });
    }
    const streams = [...store.dataStreams.values()].filter(
      (s) => !second || s.name === second || second === "*",
    );
    if (second && second !== "*" && streams.length === 0) throw indexNotFound(second);
    return ok({
      data_streams: streams.map((s) => ({
        name: s.name,
        timestamp_field: { name: "@timestamp" },
        indices: s.indices.map((index) => ({ index_name: index.name, index_uuid: index.uuid })),
        generation: s.generation,
        status: "GREEN",
        template: s.template,
        hidden: false,
        system: false,
      })),
    });
  }

  if (first === "_resolve" && second === "index" && third !== undefined && read) {
    const expand = params.get("expand_wildcards") ?? "";
    return ok(
      store.resolveIndex(third, {
        expandHidden: /\b(all|hidden)\b/.test(expand),
        ignoreUnavailable: params.get("ignore_unavailable") === "true",
      }),
    );
  }

  if (first === "_aliases" && method === "POST") {
    const actions = (json(body).actions ?? []) as Array<Record<string, { index: string; alias: string }>>;
    for (const action of actions) if (action.add) store.addAlias(action.add.index, action.add.alias);
    return ok({ acknowledged: true });
  }

  if (!first || first.startsWith("_")) throw noHandler(method, path);

  // Per-index APIs.
  if (second === "_alias" && third && (method === "PUT" || method === "POST")) {
    store.addAlias(first, third);
    return ok({ acknowledged: true });
  }
  if (second === "_rollover" && method === "POST") {
    const rolled = store.rollover(first);
    return ok({
      acknowledged: true,
      shards_acknowledged: true,
      ...rolled,
      rolled_over: true,
      dry_run: false,
      lazy: false,
      conditions: {},
    });
  }
  if (second === "_mapping") {
    const names = store.resolve(first, {});
    if (method === "PUT" || method === "POST") {
      const props = (json(body).properties ?? {}) as Record<string, never>;
      for (const name of names) store.indices.get(name)!.mapping.merge(props);
      return ok({ acknowledged: true });
    }
    return ok(
      Object.fromEntries(names.map((n) => [n, { mappings: store.indices.get(n)!.mapping.toJSON() }])),
    );
  }
  if (second === "_doc" || second === "_create" || second === "_update") {
    return documentApi(store, method, first, second, third, params, body);
  }
  if (parts.length === 1) {
    if (method === "HEAD" || method === "GET") {
      const names = store.resolve(first, {});
      if (method === "HEAD") return ok(undefined);
      return ok(
        Object.fromEntries(
          names.map((n) => {
            const index = store.indices.get(n)!;
            return [
              n,
              {
                aliases: {},
                mappings: index.mapping.toJSON(),
                settings: { index: { uuid: index.uuid, ...index.settings } },
              },
            ];
          }),
        ),
      );
    }
    if (method === "PUT") {
      store.createIndex(first, json(body) as never);
      return ok({ acknowledged: true, shards_acknowledged: true, index: first });
    }
    if (method === "DELETE") {
      store.deleteIndex(first);
      return ok({ acknowledged: true });
    }
  }
  throw noHandler(method, path);
}

function documentApi(
  store: Store,
  method: string,
  index: string,
  api: string,
  id: string | undefined,
  params: URLSearchParams,
  body: Buffer,
): Result {
  if (api === "_doc" && (method === "GET" || method === "HEAD") && id !== undefined) {
    // The get API takes an index or an alias, not a data stream.
    if (store.dataStreams.has(index)) throw indexNotFound(index, { excluded_ds: "true" });
    const names = store.resolve(index, {});
    const found = names.map((n) => store.indices.get(n)!).find((i) => i.docs.has(id));
    const doc = found?.docs.get(id);
    if (!doc) return { status: 404, body: { _index: names[0] ?? index, _id: id, found: false } };
    return ok({
      _index: found!.name,
      _id: id,
      _version: doc._version,
      _seq_no: doc._seq_no,
      _primary_term: 1,
      found: true,
      _source: doc._source,
    });
  }
  let op: "index" | "create" | "delete" | "update";
  if (api === "_doc" && method === "DELETE") op = "delete";
  else if (api === "_update" && method === "POST") op = "update";
  else if (api === "_create" && (method === "PUT" || method === "POST")) op = "create";
  else if (api === "_doc" && (method === "PUT" || method === "POST"))
    op = params.get("op_type") === "create" ? "create" : "index";
  else throw noHandler(method, `/${index}/${api}`);
  if ((op === "create" || op === "update") && id === undefined) throw noHandler(method, `/${index}/${api}`);
  if (id !== undefined && Buffer.byteLength(id) > 512)
    throw esError(
      400,
      "action_request_validation_exception",
      `Validation Failed: 1: id [${id}] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(id)};`,
    );
  if (op === "index" || op === "create") {
    if (body.length === 0) throw esError(400, "parse_exception", "request body is required");
    const read = readSource(body.toString("utf8"));
    if (read.sourceError) throw read.sourceError;
    const result = writeDocument(
      store,
      op,
      index,
      id,
      read.source,
      read.numbers ? { numbers: read.numbers } : {},
    );
    return documentResult(result);
  }
  const source = op === "delete" ? undefined : json(body);
  return documentResult(writeDocument(store, op, index, id, source));
}

/** A single-document API's answer: the item's body, or its error as a whole-request error. */
function documentResult(result: ReturnType<typeof writeDocument>): Result {
  const { status: _status, ...rest } = result.body;
  if (result.status >= 300 && "error" in rest)
    return {
      status: result.status,
      body: new EsError(result.status, rest.error as EsErrorBody).toResponse(),
    };
  return { status: result.status, body: rest };
}

function noHandler(method: string, path: string): EsError {
  return esError(
    400,
    "illegal_argument_exception",
    `no handler found for uri [${path}] and method [${method}]`,
  );
}
