// Index settings as Elasticsearch keeps them: flat `index.*` keys with string values, whatever shape
// (nested, dotted, with or without the `index.` prefix) the request used.
import { esError } from "./errors.js";

export type Settings = Map<string, string>;

/** Flattens `{"index":{"number_of_replicas":0}}`, `{"number_of_replicas":0}` or dotted keys. */
export function normalizeSettings(input: unknown, into: Settings = new Map()): Settings {
  const walk = (node: unknown, prefix: string) => {
    if (node === null || node === undefined) return;
    if (typeof node === "object" && !Array.isArray(node)) {
      for (const [key, value] of Object.entries(node as Record<string, unknown>))
        walk(value, prefix ? `${prefix}.${key}` : key);
      return;
    }
    const key = prefix.startsWith("index.") ? prefix : `index.${prefix}`;
    into.set(key, Array.isArray(node) ? node.map(String).join(",") : String(node));
  };
  walk(input, "");
  return into;
}

/** The nested form GET /{index}/_settings answers with. */
export function nestSettings(settings: Settings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of settings) {
    const parts = key.split(".");
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (next === undefined || typeof next !== "object" || next === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return out;
}

const UNITS: Record<string, number> = { nanos: 1e-6, micros: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds for an Elasticsearch time value ("1s", "500ms", "-1"); -1 means "never". */
export function parseTimeValue(value: string, setting: string): number {
  if (value === "-1") return -1;
  const match = /^(\d+(?:\.\d+)?)(nanos|micros|ms|s|m|h|d)$/.exec(value.trim());
  if (!match)
    throw esError(
      400,
      "illegal_argument_exception",
      `failed to parse setting [${setting}] with value [${value}] as a time value: unit is missing or unrecognized`,
    );
  return Number(match[1]) * UNITS[match[2]!]!;
}

export function intSetting(settings: Settings, key: string, fallback: number): number {
  const raw = settings.get(key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n))
    throw esError(400, "illegal_argument_exception", `Failed to parse value [${raw}] for setting [${key}]`);
  return n;
}

export function boolSetting(settings: Settings, key: string, fallback: boolean): boolean {
  const raw = settings.get(key);
  if (raw === undefined) return fallback;
  if (raw !== "true" && raw !== "false")
    throw esError(
      400,
      "illegal_argument_exception",
      `Failed to parse value [${raw}] as only [true] or [false] are allowed.`,
    );
  return raw === "true";
}

/** Rejects settings values Elasticsearch would refuse at index creation, for the settings the emulator uses. */
export function validateSettings(settings: Settings): void {
  const refresh = settings.get("index.refresh_interval");
  if (refresh !== undefined) parseTimeValue(refresh, "index.refresh_interval");
  intSetting(settings, "index.number_of_replicas", 1);
  const shards = intSetting(settings, "index.number_of_shards", 1);
  if (shards < 1)
    throw esError(
      400,
      "illegal_argument_exception",
      `Failed to parse value [${shards}] for setting [index.number_of_shards] must be >= 1`,
    );
  intSetting(settings, "index.mapping.total_fields.limit", 1000);
  intSetting(settings, "index.mapping.depth.limit", 20);
  intSetting(settings, "index.max_result_window", 10_000);
  boolSetting(settings, "index.mapping.ignore_malformed", false);
  boolSetting(settings, "index.mapping.coerce", true);
}
