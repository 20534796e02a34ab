// Search and count: match_all, term(s), match, range, exists and bool queries; size, from, sort, _source.
import { esError } from "./errors.js";
import { type FieldMapping, parseDate } from "./mapping.js";
import type { Index, Store, StoredDoc } from "./store.js";

type Query = Record<string, unknown>;

/** Every value at a dotted path, through nested objects, dotted keys and arrays. */
export function valuesAt(source: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  const walk = (node: unknown, rest: string) => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, rest);
      return;
    }
    if (rest === "") {
      if (node !== null && node !== undefined) out.push(node);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const obj = node as Record<string, unknown>;
    // Try every split of the path, so `{"a.b": 1}` and `{"a": {"b": 1}}` both answer `a.b`.
    let dot = -1;
    do {
      dot = rest.indexOf(".", dot + 1);
      const head = dot === -1 ? rest : rest.slice(0, dot);
      if (Object.hasOwn(obj, head)) walk(obj[head], dot === -1 ? "" : rest.slice(dot + 1));
    } while (dot !== -1);
  };
  walk(source, path);
  return out;
}

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter(Boolean);
}

interface FieldInfo {
  source: string;
  type: string;
  keyword: boolean;
  /** A keyword's ignore_above: longer values are kept in _source but not indexed. */
  ignoreAbove?: number;
}

function fieldInfo(index: Index, field: string): FieldInfo {
  const dot = field.lastIndexOf(".");
  if (dot > 0) {
    // A multi-field (`message.keyword`): the parent's value, indexed as the sub-field says.
    const base = field.slice(0, dot);
    const sub = index.mapping.lookup(base)?.fields?.[field.slice(dot + 1)];
    if (sub)
      return {
        source: base,
        type: sub.type ?? "keyword",
        keyword: sub.type === "keyword",
        ...(sub.ignore_above !== undefined ? { ignoreAbove: sub.ignore_above } : {}),
      };
  }
  const mapping: FieldMapping | undefined = index.mapping.lookup(field);
  return {
    source: field,
    type: mapping?.type ?? "unmapped",
    keyword: mapping?.type === "keyword",
    ...(mapping?.ignore_above !== undefined ? { ignoreAbove: mapping.ignore_above } : {}),
  };
}

/** The values of a field that are indexed: those of its source path, less what ignore_above skips. */
function indexedValues(source: unknown, info: FieldInfo): unknown[] {
  const values = valuesAt(source, info.source);
  const limit = info.ignoreAbove;
  if (limit === undefined) return values;
  return values.filter((v) => !(typeof v === "string" && v.length > limit));
}

function termMatches(info: FieldInfo, actual: unknown, wanted: unknown): boolean {
  switch (info.type) {
    case "text":
      return typeof wanted === "string" || typeof wanted === "number"
        ? tokens(String(actual)).includes(String(wanted))
        : false;
    case "long":
    case "integer":
    case "float":
    case "double":
      return Number(actual) === Number(wanted);
    case "date":
      return parseDate(actual) === parseDate(wanted);
    case "boolean":
      return String(actual) === String(wanted);
    default:
      return String(actual) === String(wanted);
  }
}

function compareForRange(info: FieldInfo, value: unknown): number | string {
  if (info.type === "date") return parseDate(value) ?? Number.NaN;
  if (["long", "integer", "float", "double"].includes(info.type)) return Number(value);
  return String(value);
}

function unwrap(spec: unknown, key: string): unknown {
  if (spec !== null && typeof spec === "object" && !Array.isArray(spec) && key in (spec as object))
    return (spec as Record<string, unknown>)[key];
  return spec;
}

function single(query: Query, kind: string): [string, unknown] {
  const entries = Object.entries((query[kind] ?? {}) as Record<string, unknown>).filter(
    ([k]) => k !== "boost",
  );
  if (entries.length !== 1)
    throw esError(400, "parsing_exception", `[${kind}] query doesn't support multiple fields`);
  return entries[0]!;
}

export function matches(index: Index, doc: StoredDoc, query: Query | undefined): boolean {
  if (!query || Object.keys(query).length === 0) return true;
  const kind = Object.keys(query)[0]!;
  switch (kind) {
    case "match_all":
      return true;
    case "match_none":
      return false;
    case "ids":
      return ((query.ids as { values?: unknown[] }).values ?? []).map(String).includes(doc._id);
    case "term": {
      const [field, spec] = single(query, "term");
      if (field === "_id") return String(unwrap(spec, "value")) === doc._id;
      const info = fieldInfo(index, field);
      const wanted = unwrap(spec, "value");
      return indexedValues(doc._source, info).some((v) => termMatches(info, v, wanted));
    }
    case "terms": {
      const [field, list] = single(query, "terms");
      const info = fieldInfo(index, field);
      const values = indexedValues(doc._source, info);
      return (list as unknown[]).some((wanted) => values.some((v) => termMatches(info, v, wanted)));
    }
    case "match": {
      const [field, spec] = single(query, "match");
      const info = fieldInfo(index, field);
      const wanted = unwrap(spec, "query");
      const values = indexedValues(doc._source, info);
      if (info.type === "text") {
        const want = tokens(String(wanted));
        return values.some((v) => {
          const have = tokens(String(v));
          return want.some((t) => have.includes(t));
        });
      }
      return values.some((v) => termMatches(info, v, wanted));
    }
    case "exists": {
      const field = (query.exists as { field: string }).field;
      return indexedValues(doc._source, fieldInfo(index, field)).length > 0;
    }
    case "range": {
      const [field, spec] = single(query, "range");
      const info = fieldInfo(index, field);
      const bounds = spec as Record<string, unknown>;
      return indexedValues(doc._source, info).some((raw) => {
        const v = compareForRange(info, raw);
        if (bounds.gte !== undefined && !(v >= compareForRange(info, bounds.gte))) return false;
        if (bounds.gt !== undefined && !(v > compareForRange(info, bounds.gt))) return false;
        if (bounds.lte !== undefined && !(v <= compareForRange(info, bounds.lte))) return false;
        if (bounds.lt !== undefined && !(v < compareForRange(info, bounds.lt))) return false;
        return true;
      });
    }
    case "bool": {
      const bool = query.bool as Record<string, Query | Query[] | undefined>;
      const list = (q: Query | Query[] | undefined) => (q === undefined ? [] : Array.isArray(q) ? q : [q]);
      if (![...list(bool.must), ...list(bool.filter)].every((q) => matches(index, doc, q))) return false;
      if (list(bool.must_not).some((q) => matches(index, doc, q))) return false;
      const should = list(bool.should);
      return should.length === 0 || should.some((q) => matches(index, doc, q));
    }
    default:
      throw esError(400, "parsing_exception", `unknown query [${kind}]`, { line: 1, col: 1 });
  }
}

interface SearchBody {
  query?: Query;
  size?: number;
  from?: number;
  sort?: unknown;
  _source?: boolean | string[];
  track_total_hits?: boolean | number;
}

type SortKey = { field: string; order: "asc" | "desc" };

function sortKeys(sort: unknown): SortKey[] {
  const list = sort === undefined ? [] : Array.isArray(sort) ? sort : [sort];
  return list.map((entry) => {
    if (typeof entry === "string") {
      const [field, order] = entry.split(":");
      return { field: field!, order: order === "desc" ? "desc" : "asc" };
    }
    const [field, spec] = Object.entries(entry as Record<string, unknown>)[0]!;
    const order = typeof spec === "string" ? spec : (spec as { order?: string }).order;
    return { field, order: order === "desc" ? "desc" : "asc" };
  });
}

function pickSource(source: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const values = valuesAt(source, field);
    if (values.length > 0) out[field] = values.length === 1 ? values[0] : values;
  }
  return out;
}

/** ignore_unavailable and allow_no_indices, from the query string. */
function resolveOptions(params: URLSearchParams): { ignoreUnavailable: boolean; allowNoIndices: boolean } {
  return {
    ignoreUnavailable: params.get("ignore_unavailable") === "true",
    allowNoIndices: params.get("allow_no_indices") !== "false",
  };
}

export function search(
  store: Store,
  target: string,
  body: SearchBody,
  params: URLSearchParams,
): Record<string, unknown> {
  const started = Date.now();
  const names = store.resolve(target, resolveOptions(params));
  const hits: Array<{ index: Index; doc: StoredDoc }> = [];
  for (const name of names) {
    const index = store.indices.get(name)!;
    for (const doc of index.docs.values()) if (matches(index, doc, body.query)) hits.push({ index, doc });
  }
  const keys = sortKeys(body.sort ?? params.get("sort") ?? undefined);
  for (const key of keys) {
    if (key.field === "_doc" || key.field === "_score") continue;
    for (const name of names) {
      const info = fieldInfo(store.indices.get(name)!, key.field);
      if (info.type === "text")
        throw esError(
          400,
          "illegal_argument_exception",
          `Fielddata is disabled on [${key.field}] in [${name}]. Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead.`,
        );
    }
  }
  if (keys.length > 0) {
    hits.sort((a, b) => {
      for (const key of keys) {
        if (key.field === "_doc" || key.field === "_score") continue;
        const info = fieldInfo(a.index, key.field);
        const va = valuesAt(a.doc._source, info.source)[0];
        const vb = valuesAt(b.doc._source, info.source)[0];
        if (va === vb) continue;
        if (va === undefined) return 1; // missing values sort last
        if (vb === undefined) return -1;
        const ca = compareForRange(info, va);
        const cb = compareForRange(info, vb);
        const cmp = ca < cb ? -1 : ca > cb ? 1 : 0;
        if (cmp !== 0) return key.order === "asc" ? cmp : -cmp;
      }
      return 0;
    });
  }
  const from = body.from ?? Number(params.get("from") ?? 0);
  const size = body.size ?? Number(params.get("size") ?? 10);
  if (from + size > 10_000)
    throw esError(
      400,
      "illegal_argument_exception",
      `Result window is too large, from + size must be less than or equal to: [10000] but was [${from + size}].`,
    );
  const page = hits.slice(from, from + size);
  return {
    took: Date.now() - started,
    timed_out: false,
    _shards: { total: names.length, successful: names.length, skipped: 0, failed: 0 },
    hits: {
      total: { value: hits.length, relation: "eq" },
      // No shard to search (nothing matched the target): Elasticsearch says 0.
      max_score: keys.length > 0 ? null : hits.length > 0 ? 1 : names.length === 0 ? 0 : null,
      hits: page.map(({ index, doc }) => ({
        _index: index.name,
        _id: doc._id,
        _score: keys.length > 0 ? null : 1,
        ...(body._source === false
          ? {}
          : { _source: Array.isArray(body._source) ? pickSource(doc._source, body._source) : doc._source }),
        ...(keys.length > 0
          ? { sort: keys.map((k) => valuesAt(doc._source, fieldInfo(index, k.field).source)[0] ?? null) }
          : {}),
      })),
    },
  };
}

export function count(
  store: Store,
  target: string,
  body: SearchBody,
  params: URLSearchParams,
): Record<string, unknown> {
  const names = store.resolve(target, resolveOptions(params));
  let n = 0;
  for (const name of names) {
    const index = store.indices.get(name)!;
    if (!body.query) n += index.docs.size;
    else for (const doc of index.docs.values()) if (matches(index, doc, body.query)) n++;
  }
  return { count: n, _shards: { total: names.length, successful: names.length, skipped: 0, failed: 0 } };
}
