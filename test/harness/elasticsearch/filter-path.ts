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
