// Elasticsearch's `filter_path` response filtering: comma-separated dotted paths, `*` for any one key,
// arrays traversed element by element; what no path selects is left out (an empty result is `{}`).

type Json = unknown;

function filter(value: Json, paths: string[][]): Json {
  if (Array.isArray(value)) {
    const kept = value.map((v) => filter(v, paths)).filter((v) => v !== undefined);
    return kept.length > 0 ? kept : undefined;
  }
  if (value === null || typeof value !== "object")
    return paths.some((p) => p.length === 0) ? value : undefined;
  if (paths.some((p) => p.length === 0)) return value;
  const out: Record<string, Json> = {};
  for (const [key, child] of Object.entries(value as Record<string, Json>)) {
    const rest = paths.filter((p) => p[0] === key || p[0] === "*").map((p) => p.slice(1));
    if (rest.length === 0) continue;
    const kept = filter(child, rest);
    if (kept !== undefined)
      Object.defineProperty(out, key, { value: kept, enumerable: true, writable: true, configurable: true });
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function filterPath(body: Json, filterPathParam: string | null): Json {
  if (!filterPathParam || body === undefined) return body;
  const paths = filterPathParam
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => p.split("."));
  return filter(body, paths) ?? {};
}

/**
 * `filterPath` for a bulk response whose items all have the same shape (one operation, the same keys,
 * scalar values: what bench mode answers): the paths are applied to the first item and the kept keys
 * picked from every other, instead of walking thousands of items one key at a time. Falls back to
 * `filterPath` when the items are not alike.
 */
export function filterBulkPath(
  body: { errors: boolean; items: Array<Record<string, Record<string, unknown>>> },
  filterPathParam: string | null,
): Json {
  const items = body.items;
  const first = items[0];
  if (!filterPathParam || !first || body.errors) return filterPath(body, filterPathParam);
  const op = Object.keys(first)[0]!;
  const keys = Object.keys(first[op]!);
  // Picking whole values is only the same as filtering when no value has parts of its own (`_shards`).
  if (keys.some((key) => typeof first[op]![key] === "object")) return filterPath(body, filterPathParam);
  for (const item of items) {
    const inner = item[op];
    if (
      inner === undefined ||
      Object.keys(inner).length !== keys.length ||
      !keys.every((key) => key in inner)
    )
      return filterPath(body, filterPathParam);
  }
  const sample = filterPath({ ...body, items: [first] }, filterPathParam) as Record<string, Json>;
  const sampleItems = sample.items as Array<Record<string, Record<string, unknown>>> | undefined;
  if (!sampleItems) return sample;
  const kept = Object.keys(sampleItems[0]?.[op] ?? {});
  const picked = items.map((item) => {
    const inner = item[op]!;
    const out: Record<string, unknown> = {};
    for (const key of kept) out[key] = inner[key];
    return { [op]: out };
  });
  return { ...sample, items: picked };
}
