// Realistic Kubernetes log records exactly as Fluent Bit's kafka output emits them.
import { prng } from "../prng.js";

/**
 * A double as Fluent Bit's kafka output prints `@timestamp` (timestamp_format double): C's `%.16g`
 * (six decimals at current epochs, trailing zeros dropped), or `%.1f` when the value is whole.
 */
export function formatFluentBitTimestamp(seconds: number): string {
  if (Number.isInteger(seconds)) return seconds.toFixed(1);
  const text = seconds.toPrecision(16);
  if (text.includes("e")) return text;
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

/**
 * The `@timestamp` Fluent Bit's es output writes for a record of its kafka output: the leading float
 * epoch as ISO-8601 UTC with milliseconds, truncated — computed on the digits, independently of Sluice.
 */
export function esOutputTimestamp(record: string): string {
  const text = /^\{"@timestamp":([0-9.]+),/.exec(record)?.[1];
  if (text === undefined)
    throw new Error(`not a record of Fluent Bit's kafka output: ${record.slice(0, 40)}`);
  const [whole, fraction = ""] = text.split(".");
  return `${new Date(Number(whole) * 1000).toISOString().slice(0, 19)}.${`${fraction}000`.slice(0, 3)}Z`;
}

export interface RecordOptions {
  /** Epoch seconds of record 0. Default 1732492800 (2024-11-25T00:00:00Z). */
  startEpochSeconds?: number;
  seed?: number;
  /** Target size of the whole record in bytes. Default 836. */
  recordBytes?: number;
  namespace?: string;
}

const APPS = ["checkout", "payments", "gateway", "insight-agent", "skoala-gw", "orders", "search-api"];
const NAMESPACES = ["insight-system", "skoala-system", "default", "shop-prod", "kube-system"];
const PATHS = [
  "/api/v1/orders",
  "/healthz",
  "/api/v2/search?q=shoes",
  "/metrics",
  "/login",
  "/static/app.js",
];
const WORDS =
  "request served upstream latency cache miss retry connection pool user session token refreshed".split(" ");

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function hex(rand: () => number, length: number): string {
  let out = "";
  while (out.length < length)
    out += Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, "0");
  return out.slice(0, length);
}

function uuid(rand: () => number): string {
  const h = hex(rand, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

function logLine(rand: () => number, iso: string, app: string): string {
  const kind = Math.floor(rand() * 5);
  switch (kind) {
    case 0:
      return `10.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)} - - [${iso}] "GET ${pick(rand, PATHS)} HTTP/1.1" ${pick(rand, [200, 200, 200, 404, 500, 302])} ${Math.floor(rand() * 50_000)} "-" "Mozilla/5.0 (X11; Linux x86_64)" ${(rand() * 2).toFixed(3)}\n`;
    case 1:
      // JSON inside the log text, "@timestamp" key included: the seed's Logstash gsub rewrites it.
      return `${JSON.stringify({ "@timestamp": iso, level: pick(rand, ["info", "warn", "error"]), msg: `${pick(rand, WORDS)} ${pick(rand, WORDS)}`, app, trace_id: hex(rand, 32) })}\n`;
    case 2:
      return `${iso} INFO  [${app}] ${pick(rand, WORDS)} ${pick(rand, WORDS)} in ${Math.floor(rand() * 900)}ms (user=${hex(rand, 6)})\n`;
    case 3:
      return `${iso} ERROR c.e.${app}.Handler - ${pick(rand, WORDS)} failed: java.lang.IllegalStateException: état invalide «${pick(rand, WORDS)}»\n\tat com.example.Handler.run(Handler.java:42)\n`;
    default:
      return `level=${pick(rand, ["debug", "info", "warn"])} ts=${iso} caller=main.go:${Math.floor(rand() * 400)} msg="${pick(rand, WORDS)} ${pick(rand, WORDS)}" 延迟=${Math.floor(rand() * 100)}ms\n`;
  }
}

/** Record `i` of a deterministic stream, as the bytes (UTF-8 text) of one Kafka message. */
export function fluentBitRecord(i: number, options: RecordOptions = {}): string {
  const rand = prng(((options.seed ?? 1) * 1_000_003 + i) >>> 0);
  const startMicros = (options.startEpochSeconds ?? 1_732_492_800) * 1_000_000;
  const micros = startMicros + i * 1234 + Math.floor(rand() * 1000);
  const seconds = micros / 1_000_000;
  const nanos =
    String(micros % 1_000_000).padStart(6, "0") + String(Math.floor(rand() * 1000)).padStart(3, "0");
  const time = `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)}.${nanos}Z`;
  const app = pick(rand, APPS);
  const namespace = options.namespace ?? pick(rand, NAMESPACES);
  const podHash = hex(rand, 10);
  const podName = `${app}-${podHash}-${hex(rand, 5)}`;
  const record = {
    "@timestamp": 0,
    log: logLine(rand, time, app),
    stream: rand() < 0.8 ? "stdout" : "stderr",
    time,
    kubernetes: {
      pod_name: podName,
      namespace_name: namespace,
      pod_id: uuid(rand),
      // Dotted label keys as real pods have them; no bare `app` beside `app.kubernetes.io/…`, which
      // Elasticsearch's dynamic mapping refuses (an object and a value at one path).
      labels: {
        "app.kubernetes.io/name": app,
        "pod-template-hash": podHash,
        "app.kubernetes.io/version": "1.4",
      },
      annotations: { "prometheus.io/scrape": "true" },
      host: `worker-${Math.floor(rand() * 12)}`,
      container_name: app,
      docker_id: hex(rand, 64),
      container_hash: `registry.example.com/shop/${app}@sha256:${hex(rand, 64)}`,
      container_image: `registry.example.com/shop/${app}:1.${Math.floor(rand() * 30)}.${Math.floor(rand() * 10)}`,
    },
  };
  // Pad the log line so the record has its target size (real lines vary; the average is what counts).
  const target = options.recordBytes ?? 836;
  let text = JSON.stringify(record);
  const missing = target - Buffer.byteLength(text) - formatFluentBitTimestamp(seconds).length + 1;
  if (missing > 0) {
    const filler = Array.from({ length: Math.ceil(missing / 6) + 1 }, () => pick(rand, WORDS)).join(" ");
    record.log = `${record.log.trimEnd()} ${filler.slice(0, missing - 1)}\n`;
    text = JSON.stringify(record);
  }
  return text.replace('"@timestamp":0', `"@timestamp":${formatFluentBitTimestamp(seconds)}`);
}

export function fluentBitRecords(count: number, options: RecordOptions = {}): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = fluentBitRecord(i, options);
  return out;
}
