// One backend's side of a conformance scenario: the requests a scenario sends, each answer reduced to what
// Sluice depends on (statuses, error types, field names, shapes, stored documents), in order.
import { isDeepStrictEqual } from "node:util";
import { gzipSync } from "node:zlib";

export interface Reply {
  status: number;
  headers: Headers;
  /** The JSON answer; the text when it is not JSON; undefined when empty (HEAD). */
  body: unknown;
}

type Json = Record<string, unknown>;

/** `{"create":{...}}` and its document: an object, or raw text (duplicate keys, bad JSON). */
export type BulkPair = [action: Record<string, Json>, doc?: unknown];

export interface BulkOptions {
  filterPath?: string;
  gzip?: boolean;
  /** Compare reasons whole (positions and generated ids masked), not only the names they quote. */
  exact?: boolean;
  /** The body as is, instead of `pairs`. */
  raw?: string;
  /** The URL's index: `/<index>/_bulk`. */
  index?: string;
}

/** An NDJSON bulk body; a document given as a string is sent verbatim. */
export function ndjson(pairs: BulkPair[]): string {
  const lines: string[] = [];
  for (const [action, doc] of pairs) {
    lines.push(JSON.stringify(action));
    if (doc !== undefined) lines.push(typeof doc === "string" ? doc : JSON.stringify(doc));
  }
  return `${lines.join("\n")}\n`;
}

/**
 * What a reason names: the bracketed and quoted parts (field names, types, limits, ids), without the
 * parser's positions, the document id and the preview of the value, which are incidental.
 */
export function reasonNames(reason: string): string[] {
  const text = reason
    .replace(/\n at \[Source: .*?; line: \d+, column: \d+\]/gs, "")
    .replace(/Preview of field's value: '.*'$/s, "")
    .replace(/in document with id '[^']*'/, "")
    .replace(/\[\d+:\d+\]/g, "");
  return [...text.matchAll(/\[([^\][]*)\]|'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

/** A reason whole, its parser positions and document id masked. */
export function exactReason(reason: string): string {
  return reason
    .replace(/\n at \[Source: .*?; line: \d+, column: \d+\]/gs, "")
    .replace(/\[\d+:\d+\]/g, "[l:c]")
    .replace(/in document with id '[^']*'/, "in document with id '…'");
}

/** `.ds-<stream>-<yyyy.MM.dd>-<generation>`: the day is the day the index was made, masked. */
export function indexName(name: unknown): unknown {
  return typeof name === "string"
    ? name.replace(/^(\.ds-.+-)\d{4}\.\d{2}\.\d{2}(-\d{6})$/, "$1<day>$2")
    : name;
}

/** An error object as Sluice reads it: its type, its keys, its reason's names, its cause's type. */
export function errorView(error: unknown, exact = false): unknown {
  if (error === null || typeof error !== "object") return error;
  const e = error as Json;
  const cause = e.caused_by as Json | undefined;
  return {
    type: e.type,
    keys: Object.keys(e).sort(),
    reason: typeof e.reason === "string" ? (exact ? exactReason(e.reason) : reasonNames(e.reason)) : e.reason,
    ...(cause ? { caused_by: { type: cause.type, reason: typeof cause.reason } } : {}),
  };
}

/** A whole request refused: its status, its error and root causes' types. */
export function requestError(reply: Reply, exact = false): unknown {
  const body = reply.body as Json | undefined;
  if (body === null || typeof body !== "object" || typeof body.error !== "object")
    return { status: reply.status, body: reply.body };
  const error = body.error as Json;
  return {
    status: reply.status,
    keys: Object.keys(body).sort(),
    error: errorView(error, exact),
    root_cause: ((error.root_cause ?? []) as Json[]).map((cause) => cause.type),
  };
}

/**
 * A bulk answer: its keys (the shape filter_path leaves), `errors`, and per item its operation, keys,
 * status, index, result and error. An `_id` the request named is compared; a generated one is only
 * checked to be one.
 */
export function bulkView(reply: Reply, ids: Array<string | undefined>, exact = false): unknown {
  if (reply.status !== 200) return requestError(reply, exact);
  const body = reply.body as Json;
  const items = body.items as Array<Record<string, Json>> | undefined;
  return {
    status: reply.status,
    keys: Object.keys(body).sort(),
    ...("errors" in body ? { errors: body.errors } : {}),
    ...(items
      ? {
          items: items.map((item, i) => {
            const [op, inner] = Object.entries(item)[0]!;
            const id = inner._id;
            return {
              op,
              keys: Object.keys(inner).sort(),
              ...("status" in inner ? { status: inner.status } : {}),
              ...("_index" in inner ? { _index: indexName(inner._index) } : {}),
              ...("_id" in inner
                ? { _id: ids[i] !== undefined || typeof id !== "string" || id === "" ? id : "<generated>" }
                : {}),
              ...("result" in inner ? { result: inner.result } : {}),
              ...("_version" in inner ? { _version: inner._version } : {}),
              ...("error" in inner ? { error: errorView(inner.error, exact) } : {}),
            };
          }),
        }
      : {}),
  };
}

/** The _id an action line names, if any. */
function idOf(action: unknown): string | undefined {
  const meta = action !== null && typeof action === "object" ? Object.values(action)[0] : undefined;
  const id = (meta as Json | undefined)?._id;
  return id === undefined || id === null ? undefined : String(id);
}

/** The _ids the action lines of a raw bulk body name, in order (a delete has no document line). */
function actionIds(raw: string): Array<string | undefined> {
  const ids: Array<string | undefined> = [];
  const lines = raw.split("\n").filter((line) => line.trim() !== "");
  for (let i = 0; i < lines.length; i++) {
    let action: unknown;
    try {
      action = JSON.parse(lines[i]!);
    } catch {
      continue;
    }
    ids.push(idOf(action));
    if (!(action !== null && typeof action === "object" && "delete" in action)) i++;
  }
  return ids;
}

export interface Step {
  label: string;
  view: unknown;
}

/** Requests to one backend, and what each answered, reduced. */
export class Session {
  readonly steps: Step[] = [];
  private readonly base: string;
  private readonly auth: Record<string, string> = {};

  constructor(
    /** The backend's URL, credentials included (for clients that take them so). */
    readonly url: string,
    /** Prefixes every index, stream and template name: the same on both backends, unique per run. */
    readonly prefix: string,
  ) {
    // fetch refuses credentials in the URL (ES_URL may carry them): they go in a header.
    const parsed = new URL(url);
    if (parsed.username)
      this.auth.authorization = `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString("base64")}`;
    parsed.username = "";
    parsed.password = "";
    this.base = parsed.toString().replace(/\/$/, "");
  }

  /** A name for this run: `<prefix><suffix>`. */
  name(suffix: string): string {
    return `${this.prefix}${suffix}`;
  }

  /** The view recorded under `label`. */
  view(label: string): unknown {
    const step = this.steps.find((s) => s.label === label);
    if (!step) throw new Error(`no step ${label}`);
    return step.view;
  }

  /** The first `n` items of the bulk answer recorded under `label`. */
  items(label: string, n: number): unknown[] {
    return ((this.view(label) as { items?: unknown[] }).items ?? []).slice(0, n);
  }

  record(label: string, view: unknown): unknown {
    if (this.steps.some((s) => s.label === label)) throw new Error(`two steps named ${label}`);
    // Through JSON: the views compare as the wire would show them (no undefined members).
    const plain = view === undefined ? null : JSON.parse(JSON.stringify(view));
    this.steps.push({ label, view: plain });
    return plain;
  }

  async send(
    method: string,
    path: string,
    body?: string | Buffer | Json,
    options: { gzip?: boolean; contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...this.auth, ...options.headers };
    let payload: Buffer | undefined;
    if (body !== undefined) {
      payload = Buffer.isBuffer(body)
        ? body
        : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
      headers["content-type"] = options.contentType ?? "application/json";
      if (options.gzip) {
        payload = gzipSync(payload);
        headers["content-encoding"] = "gzip";
      }
    }
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(payload ? { body: new Uint8Array(payload) } : {}),
      });
    } catch (error) {
      // The server hung up without answering: what Sluice's client sees as a connection error.
      const code = ((error as Error).cause as { code?: string } | undefined)?.code;
      if (code === "UND_ERR_SOCKET" || code === "ECONNRESET")
        return { status: 0, headers: new Headers(), body: "connection closed without an answer" };
      throw error;
    }
    const text = await response.text();
    let parsed: unknown = text === "" ? undefined : text;
    try {
      if (text !== "") parsed = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  /** Any request; `view` reduces its answer (default: the status, and the error if refused). */
  async request(
    label: string,
    method: string,
    path: string,
    options: {
      body?: string | Buffer | Json;
      gzip?: boolean;
      headers?: Record<string, string>;
      exact?: boolean;
      view?: (reply: Reply) => unknown;
    } = {},
  ): Promise<Reply> {
    const reply = await this.send(method, path, options.body, {
      ...(options.gzip ? { gzip: true } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
    });
    const view =
      options.view ??
      ((r: Reply) => (r.status >= 300 ? requestError(r, options.exact) : { status: r.status }));
    this.record(label, view(reply));
    return reply;
  }

  /** POST _bulk with `pairs` (or `raw`), compared as bulkView reduces it. */
  async bulk(label: string, pairs: BulkPair[], options: BulkOptions = {}): Promise<Reply> {
    const body = options.raw ?? ndjson(pairs);
    const query = options.filterPath ? `?filter_path=${options.filterPath}` : "";
    const path = `${options.index ? `/${options.index}` : ""}/_bulk${query}`;
    const reply = await this.send("POST", path, body, {
      contentType: "application/x-ndjson",
      ...(options.gzip ? { gzip: true } : {}),
    });
    const ids = options.raw === undefined ? pairs.map(([action]) => idOf(action)) : actionIds(options.raw);
    this.record(label, bulkView(reply, ids, options.exact));
    return reply;
  }

  /** GET /<index>/_doc/<id>: whether it is there and its _source as stored. */
  async source(label: string, index: string, id: string): Promise<void> {
    const reply = await this.send("GET", `/${index}/_doc/${encodeURIComponent(id)}`);
    const body = reply.body as Json;
    this.record(
      label,
      reply.status === 200 || body?.found === false
        ? { status: reply.status, found: body.found, _source: body._source }
        : requestError(reply),
    );
  }

  /** GET /<index>/_mapping: the index's mappings. */
  async mapping(label: string, index: string): Promise<void> {
    const reply = await this.send("GET", `/${index}/_mapping`);
    const body = reply.body as Record<string, { mappings: unknown }>;
    this.record(label, reply.status === 200 ? { mappings: body[index]?.mappings } : requestError(reply));
  }

  /** _refresh then _count (of what `query` matches). */
  async count(label: string, index: string, query?: Json): Promise<number | undefined> {
    await this.send("POST", `/${index}/_refresh`);
    const reply = await this.send("POST", `/${index}/_count`, query ? { query } : {});
    const view = this.record(
      label,
      reply.status === 200 ? { count: (reply.body as Json).count } : requestError(reply),
    ) as { count?: number };
    return view.count;
  }
}

/** A value for a difference's line: JSON, cut short. */
function shown(value: unknown): string {
  const text = value === undefined ? "(absent)" : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

/** Where two views differ: one line per differing leaf, `path: judge … | emulator …`. */
function leafDifferences(judge: unknown, emulator: unknown, path: string, out: string[]): void {
  if (isDeepStrictEqual(judge, emulator)) return;
  const container = (v: unknown) => v !== null && typeof v === "object";
  if (container(judge) && container(emulator) && Array.isArray(judge) === Array.isArray(emulator)) {
    const a = judge as Record<string, unknown>;
    const b = emulator as Record<string, unknown>;
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
      leafDifferences(a[key], b[key], path ? `${path}.${key}` : key, out);
    return;
  }
  out.push(`${path || "(view)"}: judge ${shown(judge)} | emulator ${shown(emulator)}`);
}

/** The steps where the emulator's answer differs from the judge's, with where and how. */
export function differences(judge: Session, emulator: Session): unknown[] {
  const out: unknown[] = [];
  const n = Math.max(judge.steps.length, emulator.steps.length);
  for (let i = 0; i < n; i++) {
    const j = judge.steps[i];
    const e = emulator.steps[i];
    if (j?.label !== e?.label) {
      out.push({ step: j?.label ?? e?.label, emulatorStep: e?.label });
      continue;
    }
    const lines: string[] = [];
    leafDifferences(j?.view, e?.view, "", lines);
    if (lines.length > 0) out.push({ step: j?.label, differences: lines });
  }
  return out;
}
