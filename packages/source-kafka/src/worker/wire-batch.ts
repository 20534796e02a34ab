// One partition's fetched batch as it crosses from the consumer thread: values packed back to back in
// one transferred buffer (no copy on arrival), offsets and timestamps in typed arrays.
import type { HeaderValue, Origin } from "@sluice/core";
import type { KafkaMessage } from "kafkajs";

export interface WireBatch {
  type: "batch";
  /** The consumer thread's group generation that fetched it. */
  generation: number;
  topic: string;
  partition: number;
  highWatermark: string;
  count: number;
  /** Sum of the values' lengths. */
  bytes: number;
  /** Every value, back to back; value i ends at valueEnds[i]. A null value is empty (see `nulls`). */
  values: Uint8Array;
  valueEnds: Uint32Array;
  /** Offsets as exact doubles, or as strings when one exceeds 2^53. */
  offsets: Float64Array | string[];
  /** Kafka timestamps, ms since the epoch. */
  timestamps: Float64Array;
  /** Keys back to back, when any record has one: key i is bytes[starts[i]..ends[i]], starts[i] -1 for none. */
  keys?: { bytes: Uint8Array; starts: Int32Array; ends: Int32Array };
  /** When any record's value is null (a tombstone): 1 for those records, 0 for the others. */
  nulls?: Uint8Array;
  /** Headers per record, when any record has some: names and their values' bytes. */
  headers?: Array<Array<[string, Uint8Array[] | Uint8Array]> | null>;
}

/** The buffers to transfer (not copy) with a batch. */
export function transferables(batch: WireBatch): ArrayBuffer[] {
  const list = [batch.values.buffer, batch.valueEnds.buffer, batch.timestamps.buffer] as ArrayBuffer[];
  if (batch.offsets instanceof Float64Array) list.push(batch.offsets.buffer as ArrayBuffer);
  if (batch.nulls) list.push(batch.nulls.buffer as ArrayBuffer);
  if (batch.keys) {
    const { bytes, starts, ends } = batch.keys;
    list.push(bytes.buffer as ArrayBuffer, starts.buffer as ArrayBuffer, ends.buffer as ArrayBuffer);
  }
  return list;
}

/** Packs kafkajs's messages of one partition (at least one). */
export function packBatch(
  generation: number,
  topic: string,
  partition: number,
  highWatermark: string,
  messages: KafkaMessage[],
): WireBatch {
  const n = messages.length;
  let bytes = 0;
  let keyBytes = 0;
  let anyKey = false;
  let anyHeaders = false;
  let anyNull = false;
  for (let i = 0; i < n; i++) {
    const m = messages[i]!;
    if (m.value === null) anyNull = true;
    bytes += m.value?.length ?? 0;
    if (m.key) {
      anyKey = true;
      keyBytes += m.key.length;
    }
    if (m.headers && hasKeys(m.headers)) anyHeaders = true;
  }
  const values = new Uint8Array(bytes);
  const valueEnds = new Uint32Array(n);
  const timestamps = new Float64Array(n);
  let offsets: Float64Array | string[] = new Float64Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const m = messages[i]!;
    if (m.value) {
      values.set(m.value, at);
      at += m.value.length;
    }
    valueEnds[i] = at;
    timestamps[i] = Number(m.timestamp);
    if (offsets instanceof Float64Array) {
      const offset = Number(m.offset);
      if (Number.isSafeInteger(offset)) offsets[i] = offset;
      else offsets = messages.map((x) => x.offset);
    }
  }
  const batch: WireBatch = {
    type: "batch",
    generation,
    topic,
    partition,
    highWatermark,
    count: n,
    bytes,
    values,
    valueEnds,
    offsets,
    timestamps,
  };
  if (anyKey) batch.keys = packKeys(messages, keyBytes);
  if (anyHeaders) batch.headers = messages.map((m) => packHeaders(m.headers));
  if (anyNull) batch.nulls = Uint8Array.from(messages, (m) => (m.value === null ? 1 : 0));
  return batch;
}

function packKeys(messages: KafkaMessage[], total: number): NonNullable<WireBatch["keys"]> {
  const bytes = new Uint8Array(total);
  const starts = new Int32Array(messages.length);
  const ends = new Int32Array(messages.length);
  let at = 0;
  for (let i = 0; i < messages.length; i++) {
    const key = messages[i]!.key;
    starts[i] = key ? at : -1;
    if (key) {
      bytes.set(key, at);
      at += key.length;
    }
    ends[i] = at;
  }
  return { bytes, starts, ends };
}

// Each header value is copied to its own bytes: cloning a view would clone the whole fetch buffer under it.
function packHeaders(headers: KafkaMessage["headers"]): Array<[string, Uint8Array[] | Uint8Array]> | null {
  if (!headers || !hasKeys(headers)) return null;
  const out: Array<[string, Uint8Array[] | Uint8Array]> = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    out.push([name, Array.isArray(value) ? value.map(ownBytes) : ownBytes(value)]);
  }
  return out;
}

function ownBytes(value: Buffer | string): Uint8Array {
  return typeof value === "string" ? new TextEncoder().encode(value) : new Uint8Array(value);
}

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

/** Reads a batch back on the main thread: each record's bytes and origin, as views on the transferred buffer. */
export class WireBatchReader {
  private readonly values: Buffer;
  private readonly keys: Buffer | undefined;

  constructor(private readonly batch: WireBatch) {
    const v = batch.values;
    this.values = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    const k = batch.keys?.bytes;
    this.keys = k ? Buffer.from(k.buffer, k.byteOffset, k.byteLength) : undefined;
  }

  value(i: number): Buffer {
    const ends = this.batch.valueEnds;
    return this.values.subarray(i === 0 ? 0 : ends[i - 1]!, ends[i]!);
  }

  offset(i: number): string {
    const offsets = this.batch.offsets;
    return typeof offsets[i] === "string" ? (offsets[i] as string) : String(offsets[i]);
  }

  origin(i: number): Origin {
    const { topic, partition } = this.batch;
    const origin: Origin = {
      topic,
      partition,
      offset: this.offset(i),
      key: this.key(i),
      headers: this.headers(i),
      timestamp: String(this.batch.timestamps[i]),
    };
    return this.batch.nulls?.[i] === 1 ? { ...origin, tombstone: true } : origin;
  }

  private key(i: number): Buffer | null {
    const keys = this.batch.keys;
    if (!keys || keys.starts[i]! < 0) return null;
    return this.keys!.subarray(keys.starts[i]!, keys.ends[i]!);
  }

  private headers(i: number): Record<string, HeaderValue> {
    const packed = this.batch.headers?.[i];
    if (!packed) return EMPTY_HEADERS;
    const headers: Record<string, HeaderValue> = {};
    for (const [name, value] of packed)
      Object.defineProperty(headers, name, {
        value: Array.isArray(value) ? value.map(asBuffer) : asBuffer(value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return headers;
  }
}

const EMPTY_HEADERS: Readonly<Record<string, HeaderValue>> = Object.freeze({});

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
