// fluentBitToElasticsearch: a record from Fluent Bit's kafka output → the document its es output writes.
import { isUtf8 } from "node:buffer";
import { ErrorCode, JsonBytes, mapValues, reject, type Stage, validateOptions } from "@sluice/core";
import { CompactJson } from "../compact-json/compact-json.js";
import { isPlainObject, setOwn } from "../fields/index.js";
import { type ScanResult, scanJsonObject, WordView } from "../json-bytes.js";
import { JSON_LIMIT_DEFAULTS, jsonLimitProblem } from "../json-limits.js";
import { epochTextToIso } from "../time/epoch.js";
import { replaceDotsIn } from "./replace-dots.js";
import { type TimestampPlace, timestampPlace } from "./timestamp-place.js";

export { epochTextToIso };

/**
 * A preset over two Fluent Bit outputs, not a one-to-one mirror of either's config, so its options are
 * camelCase as Sluice's own, even where one stands for a Fluent Bit key (`timestampKey`).
 */
export interface FluentBitToElasticsearchOptions {
  /** The timestamp key of Fluent Bit's kafka output (`timestamp_key`) and es output. Default `@timestamp`. */
  timestampKey?: string;
  /** Nine fraction digits, as the es output's `time_key_nanos on`. Default false: milliseconds. */
  nanos?: boolean;
  /** The es output's `replace_dots`. Default false. */
  replaceDots?: boolean;
  /** Records nested deeper fail to dead letters (Elasticsearch refuses them too). Default 1000. */
  maxDepth?: number;
  /** A record this stage has to parse (see below) fails if it holds more objects and arrays. Default 10 000. */
  maxContainers?: number;
  /** … or more values. Default 100 000. */
  maxValues?: number;
  /** The stage's name in metrics, logs and dead letters. Default `fluentBitToElasticsearch`. */
  name?: string;
}

export const schema = {
  type: "object",
  properties: {
    timestampKey: { type: "string", minLength: 1, default: "@timestamp" },
    nanos: { type: "boolean", default: false },
    replaceDots: { type: "boolean", default: false },
    maxDepth: { type: "integer", minimum: 1, maximum: 5000, default: 1000 },
    maxContainers: { type: "integer", minimum: 1, default: JSON_LIMIT_DEFAULTS.maxContainers },
    maxValues: { type: "integer", minimum: 1, default: JSON_LIMIT_DEFAULTS.maxValues },
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
 * A record that carried its own timestamp key (anywhere but first, or not a number) reaches Kafka with
 * that key alone, and the es output writes it unchanged; so does this stage (see timestamp-place.ts).
 * The output is the document's bytes, which the Elasticsearch sink sends as they are: for a record as
 * Fluent Bit writes it, a `JsonBytes` that the sink writes into its request without a copy of its own
 * (`toString()` and `toBuffer()` give the document); for the others, a Buffer.
 */
export function fluentBitToElasticsearch(
  options: FluentBitToElasticsearchOptions = {},
): Stage<Buffer, Buffer | JsonBytes> {
  const o = validateOptions<Resolved>("fluentBitToElasticsearch", schema, options);
  const prefix = Buffer.from(`{${JSON.stringify(o.timestampKey)}:`);
  const keyBytes = Buffer.from(o.timestampKey);
  const digits = o.nanos ? 9 : 3;
  const form = new TimestampForm(prefix);
  const containers = new Uint8Array(o.maxDepth + 1);
  const words = new WordView();
  const compact = CompactJson.create();
  return mapValues<Buffer, Buffer | JsonBytes>(o.name, (raw) => {
    if (!isUtf8(raw)) return reject("invalid_utf8", "record is not valid UTF-8", ErrorCode.PARSE);
    // One pass over the bytes checks everything JSON.parse would, without building the record: a
    // compact record (as Fluent Bit writes them) in WebAssembly, any other in full.
    const scan = compact?.accepts(raw, o.maxDepth)
      ? COMPACT
      : scanJsonObject(raw, o.maxDepth, containers, words);
    if (scan.problem && scan.problem.type !== "json_not_object")
      return reject(scan.problem.type, scan.problem.reason, ErrorCode.PARSE);
    let place: TimestampPlace | undefined;
    if (!scan.problem) {
      if (!scan.hasLineBreak && !o.replaceDots && startsWith(raw, prefix)) {
        const end = numberEnd(raw, prefix.length);
        if (end > 0) {
          const millis = digits === 3 ? plainEpochMillis(raw, prefix.length, end) : -1;
          if (millis >= 0 && millis < QuotedIsoMillis.LIMIT)
            return new TimestampSpliced(raw, end, millis, form);
          const text = epochTextToIso(raw.toString("latin1", prefix.length, end), digits);
          if (text === undefined)
            return reject("timestamp_parse_exception", `${o.timestampKey} is out of range`);
          const out = Buffer.allocUnsafe(raw.length - end + prefix.length + text.length + 2);
          out.set(prefix, 0);
          out.write(`"${text}"`, prefix.length, "latin1");
          raw.copy(out, prefix.length + text.length + 2, end);
          return out;
        }
      }
      place = timestampPlace(raw, o.timestampKey, keyBytes);
      if (place === "missing")
        return reject(
          "timestamp_missing",
          `record has no ${o.timestampKey}: not from Fluent Bit's kafka output`,
        );
      // The record's own timestamp: Fluent Bit's es output writes the record as it is.
      if (place === "own" && !scan.hasLineBreak && !o.replaceDots) return raw;
    }
    // Not an object, the plugin's timestamp spaced out, line breaks between tokens, or keys to
    // rewrite: parse and build the document, once its size is known to be bounded.
    const text = raw.toString("utf8");
    const tooLarge = jsonLimitProblem(text, o);
    if (tooLarge) return reject(tooLarge.type, tooLarge.reason, ErrorCode.PARSE);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return reject("json_parse_exception", (error as Error).message, ErrorCode.PARSE);
    }
    if (!isPlainObject(parsed) || place === undefined)
      return reject("json_not_object", "record is not a JSON object", ErrorCode.PARSE);
    return fromObject(parsed, o, digits, place === "leading");
  });
}

/** What the full scan would have said of a record the compact check accepted. */
const COMPACT: ScanResult = Object.freeze({ hasLineBreak: false });

function startsWith(raw: Buffer, prefix: Buffer): boolean {
  if (raw.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (raw[i] !== prefix[i]) return false;
  return true;
}

/**
 * The epoch milliseconds of a plain decimal of at most 15 integer digits (the epoch seconds of any
 * Date), truncated: integer seconds times 1000 plus the first three fraction digits is exact in a
 * double, no BigInt needed. -1 for anything else (a sign, an exponent), which takes epochTextToIso.
 */
function plainEpochMillis(raw: Buffer, start: number, end: number): number {
  let seconds = 0;
  let i = start;
  while (i < end && raw[i]! >= 0x30 && raw[i]! <= 0x39 && i - start < 15)
    seconds = seconds * 10 + raw[i++]! - 0x30;
  if (i === start || (i !== end && raw[i] !== 0x2e)) return -1;
  let millis = 0;
  let k = 0;
  let j = i + 1;
  for (; k < 3 && j < end && raw[j]! >= 0x30 && raw[j]! <= 0x39; k++, j++)
    millis = millis * 10 + raw[j]! - 0x30;
  for (; k < 3; k++) millis *= 10;
  while (j < end && raw[j]! >= 0x30 && raw[j]! <= 0x39) j++;
  // Digits to the end, and at least one after a point.
  if (i !== end && (j !== end || j === i + 1)) return -1;
  return seconds * 1000 + millis;
}

/** What every document of one preset starts with: the prefix, then the quoted ISO text. */
class TimestampForm {
  readonly head: number;
  readonly iso = new QuotedIsoMillis();

  constructor(readonly prefix: Buffer) {
    this.head = prefix.length + QuotedIsoMillis.LENGTH;
  }
}

/**
 * A record as Fluent Bit's es output writes it: the prefix, the timestamp as quoted ISO text, then the
 * record's bytes from the comma after its epoch on. Nothing is copied until the sink writes it.
 */
class TimestampSpliced extends JsonBytes {
  constructor(
    private readonly raw: Buffer,
    /** Where the epoch ends in `raw`. */
    private readonly end: number,
    private readonly millis: number,
    private readonly form: TimestampForm,
  ) {
    super();
  }

  get byteLength(): number {
    return this.form.head + this.raw.length - this.end;
  }

  writeTo(target: Uint8Array, at: number): number {
    const { raw, end, form } = this;
    // The whole record goes in so that its bytes from the comma land after the head, which then
    // overwrites what came before the comma: one copy, and no view of the record to allocate.
    if (form.head >= end) target.set(raw, at + form.head - end);
    else target.set(raw.subarray(end), at + form.head);
    target.set(form.prefix, at);
    form.iso.write(target, at + form.prefix.length, this.millis);
    return at + form.head + raw.length - end;
  }
}

/**
 * Writes epoch milliseconds as `"YYYY-MM-DDTHH:MM:SS.mmmZ"`, quotes included, into a buffer. Records
 * come in time order, so the text up to the second is built once per second and copied after that.
 */
class QuotedIsoMillis {
  static readonly LENGTH = 26;
  /** Years 0000–9999 only: later ones take more digits (`+010000-…`). */
  static readonly LIMIT = 253_402_300_800_000;
  private second = Number.NaN;
  private readonly head = Buffer.alloc(21);

  write(out: Uint8Array, at: number, millis: number): void {
    const second = Math.floor(millis / 1000);
    if (second !== this.second) {
      // "2024-11-25T00:00:00.000Z": the quote and the first 20 characters are the second's.
      this.head.write(`"${new Date(second * 1000).toISOString().slice(0, 20)}`, 0, "latin1");
      this.second = second;
    }
    out.set(this.head, at);
    const ms = millis - second * 1000;
    out[at + 21] = 0x30 + Math.floor(ms / 100);
    out[at + 22] = 0x30 + (Math.floor(ms / 10) % 10);
    out[at + 23] = 0x30 + (ms % 10);
    out[at + 24] = 0x5a; // Z
    out[at + 25] = 0x22; // "
  }
}

/** The document of a parsed record: the plugin's timestamp converted and first, or the record as it is. */
function fromObject(
  record: Record<string, unknown>,
  o: Resolved,
  digits: number,
  leading: boolean,
): Buffer | ReturnType<typeof reject> {
  let doc = record;
  if (leading) {
    const iso = epochTextToIso(String(record[o.timestampKey]), digits);
    if (iso === undefined) return reject("timestamp_parse_exception", `${o.timestampKey} is out of range`);
    // Set first, then the rest: a key that looks like an array index would otherwise go before it.
    doc = {};
    setOwn(doc, o.timestampKey, iso);
    for (const key of Object.keys(record)) if (key !== o.timestampKey) setOwn(doc, key, record[key]);
  }
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
