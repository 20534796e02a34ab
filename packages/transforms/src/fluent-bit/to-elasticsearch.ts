// fluentBitToElasticsearch: a record from Fluent Bit's kafka output → the document its es output writes.
import { isUtf8 } from "node:buffer";
import { ErrorCode, mapValues, reject, type Stage, validateOptions } from "@sluice/core";
import { isPlainObject, setOwn } from "../fields/index.js";
import { scanJsonObject } from "../json-bytes.js";
import { replaceDotsIn } from "./replace-dots.js";

export interface FluentBitToElasticsearchOptions {
  /** The timestamp key of Fluent Bit's kafka output (`timestamp_key`) and es output. Default `@timestamp`. */
  timestampKey?: string;
  /** Nine fraction digits, as the es output's `time_key_nanos on`. Default false: milliseconds. */
  nanos?: boolean;
  /** The es output's `replace_dots`. Default false. */
  replaceDots?: boolean;
  /** Records nested deeper fail to dead letters (Elasticsearch refuses them too). Default 1000. */
  maxDepth?: number;
  name?: string;
}

const schema = {
  type: "object",
  properties: {
    timestampKey: { type: "string", minLength: 1, default: "@timestamp" },
    nanos: { type: "boolean", default: false },
    replaceDots: { type: "boolean", default: false },
    maxDepth: { type: "integer", minimum: 1, maximum: 5000, default: 1000 },
    name: { type: "string", minLength: 1, default: "fluentBitToElasticsearch" },
  },
  additionalProperties: false,
} as const;

type Resolved = Required<FluentBitToElasticsearchOptions>;

/**
 * Fluent Bit's kafka output writes `{"@timestamp":<epoch seconds>,…the record…}`; its es output
 * would have written `{"@timestamp":"<ISO-8601 UTC, milliseconds truncated>",…the record…}`. This stage
 * makes exactly that change and no other: it rewrites the timestamp's bytes in place and keeps every
 * other byte of the record as it came, so numbers beyond 2^53, key order and escapes survive as Fluent
 * Bit wrote them. The rest is only checked (UTF-8, JSON, an object, depth), never re-serialized.
 * The output is the document's bytes, which the Elasticsearch sink sends as they are.
 */
export function fluentBitToElasticsearch(
  options: FluentBitToElasticsearchOptions = {},
): Stage<Buffer, Buffer> {
  const o = validateOptions<Resolved>("fluentBitToElasticsearch", schema, options);
  const prefix = Buffer.from(`{${JSON.stringify(o.timestampKey)}:`);
  const digits = o.nanos ? 9 : 3;
  return mapValues<Buffer, Buffer>(o.name, (raw) => {
    if (!isUtf8(raw)) return reject("invalid_utf8", "record is not valid UTF-8", ErrorCode.PARSE);
    // One pass over the bytes checks everything JSON.parse would, without building the record.
    const scan = scanJsonObject(raw, o.maxDepth);
    if (scan.problem && scan.problem.type !== "json_not_object")
      return reject(scan.problem.type, scan.problem.reason, ErrorCode.PARSE);
    if (
      !scan.problem &&
      !scan.hasLineBreak &&
      !o.replaceDots &&
      raw.subarray(0, prefix.length).equals(prefix)
    ) {
      const end = numberEnd(raw, prefix.length);
      if (end > 0) {
        const iso = fastEpochToIso(raw, prefix.length, end, digits);
        if (iso === undefined)
          return reject("timestamp_parse_exception", `${o.timestampKey} is out of range`);
        // One allocation: the prefix, the quoted ISO text (ASCII), then the record's bytes from the comma on.
        const out = Buffer.allocUnsafe(raw.length - end + prefix.length + iso.length + 2);
        prefix.copy(out, 0);
        out.write(`"${iso}"`, prefix.length, "latin1");
        raw.copy(out, prefix.length + iso.length + 2, end);
        return out;
      }
    }
    // Not an object, the timestamp not where Fluent Bit puts it, line breaks between tokens, or keys
    // to rewrite: parse and build the document.
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString("utf8"));
    } catch (error) {
      return reject("json_parse_exception", (error as Error).message, ErrorCode.PARSE);
    }
    if (!isPlainObject(parsed))
      return reject("json_not_object", "record is not a JSON object", ErrorCode.PARSE);
    return fromObject(parsed, o, digits);
  });
}

/**
 * The common case without BigInt: a plain decimal of at most 15 integer digits (the epoch seconds of any
 * Date) with milliseconds asked. Integer seconds times 1000 plus the first three fraction digits is
 * exact in a double. Anything else goes to epochTextToIso.
 */
function fastEpochToIso(raw: Buffer, start: number, end: number, digits: number): string | undefined {
  if (digits === 3 && raw[start] !== 0x2d) {
    let seconds = 0;
    let i = start;
    while (i < end && raw[i]! >= 0x30 && raw[i]! <= 0x39 && i - start < 15)
      seconds = seconds * 10 + raw[i++]! - 0x30;
    if (i === end || raw[i] === 0x2e) {
      let millis = 0;
      let k = 0;
      let j = i + 1;
      for (; k < 3 && j < end && raw[j]! >= 0x30 && raw[j]! <= 0x39; k++, j++)
        millis = millis * 10 + raw[j]! - 0x30;
      for (; k < 3; k++) millis *= 10;
      while (j < end && raw[j]! >= 0x30 && raw[j]! <= 0x39) j++;
      if (j === end && (i === end || j > i + 1)) {
        const ms = seconds * 1000 + millis;
        if (ms <= 8_640_000_000_000_000) return new Date(ms).toISOString();
        return undefined;
      }
    }
  }
  return epochTextToIso(raw.toString("latin1", start, end), digits);
}

function fromObject(
  record: Record<string, unknown>,
  o: Resolved,
  digits: number,
): Buffer | ReturnType<typeof reject> {
  const value = record[o.timestampKey];
  const doc: Record<string, unknown> = {};
  if (typeof value === "number") {
    const iso = epochTextToIso(String(value), digits);
    if (iso === undefined) return reject("timestamp_parse_exception", `${o.timestampKey} is out of range`);
    setOwn(doc, o.timestampKey, iso);
  } else if (value === undefined) {
    return reject("timestamp_missing", `record has no ${o.timestampKey}: not from Fluent Bit's kafka output`);
  } else {
    // A record that carried its own timestamp key: Fluent Bit's kafka output wrote two, JSON keeps the later.
    setOwn(doc, o.timestampKey, value);
  }
  for (const key of Object.keys(record)) if (key !== o.timestampKey) setOwn(doc, key, record[key]);
  const out = o.replaceDots ? replaceDotsIn(doc, "_", o.maxDepth) : doc;
  return Buffer.from(JSON.stringify(out));
}

/** The end of a JSON number starting at `start` when a `,` or `}` follows it, else -1. */
function numberEnd(raw: Buffer, start: number): number {
  let i = start;
  while (i < raw.length) {
    const c = raw[i]!;
    // digits, '-', '+', '.', 'e', 'E'
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) i++;
    else break;
  }
  if (i === start || i >= raw.length) return -1;
  return raw[i] === 0x2c || raw[i] === 0x7d ? i : -1;
}

const EPOCH = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Epoch seconds as written in decimal → ISO-8601 UTC with `digits` fraction digits, truncated. Works on
 * the digits, not on a float: `1732492800.001` is `.001`. Exponent forms go through the float's
 * shortest decimal rendering first.
 */
export function epochTextToIso(text: string, digits = 3): string | undefined {
  let match = EPOCH.exec(text);
  if (!match) {
    const n = Number(text);
    if (!Number.isFinite(n)) return undefined;
    match = EPOCH.exec(toPlainDecimal(n));
    if (!match) return undefined;
  }
  const whole = BigInt(match[2]!);
  const fraction = BigInt((match[3] ?? "").padEnd(9, "0").slice(0, 9));
  const nanos = (whole * NANOS_PER_SECOND + fraction) * (match[1] === "-" ? -1n : 1n);
  // Truncated toward the past at the precision asked, as Fluent Bit's integer division does.
  const millis = floorDiv(nanos, NANOS_PER_MILLI);
  if (millis > MAX_DATE_MILLIS || millis < -MAX_DATE_MILLIS) return undefined;
  const iso = new Date(Number(millis)).toISOString(); // …ss.mmmZ
  if (digits === 3) return iso;
  const subMillis = String(nanos - millis * NANOS_PER_MILLI).padStart(6, "0");
  return `${iso.slice(0, -1)}${subMillis.slice(0, digits - 3)}Z`;
}

const NANOS_PER_SECOND = 1_000_000_000n;
const NANOS_PER_MILLI = 1_000_000n;
// A JavaScript Date holds ±8.64e15 ms.
const MAX_DATE_MILLIS = 8_640_000_000_000_000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function toPlainDecimal(n: number): string {
  const text = String(n);
  if (!/e/i.test(text)) return text;
  return n.toFixed(9).replace(/\.?0+$/, "");
}
