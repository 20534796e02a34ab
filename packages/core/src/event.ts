// The event: a record's value as stages see it, its raw bytes, its Kafka origin, and its fate.
import type { StageMark } from "./stage-meter.js";
import type { Ticket } from "./ticket.js";

/**
 * A Kafka header's value as kafkajs gives it: a header name that occurs several times holds an array of its
 * values, in order.
 */
export type HeaderValue = Buffer | string | undefined | Array<Buffer | string>;

/** Where a record came from. Available to every stage and to index routing. */
export interface Origin {
  /** The topic the record was read from. */
  readonly topic: string;
  /** The partition the record was read from. */
  readonly partition: number;
  /** Kafka offsets are int64: kept as the decimal string Kafka clients give. */
  readonly offset: string;
  /** The record's key, or null when it has none. */
  readonly key: Buffer | null;
  /** The record's headers by name. */
  readonly headers: Readonly<Record<string, HeaderValue>>;
  /** The Kafka record timestamp, milliseconds since the epoch, as a decimal string. */
  readonly timestamp: string;
  /**
   * Set when the record's value is null (a Kafka tombstone; `raw` is then empty): stages built with
   * mapValues pass it on untouched, and the sink's `nullValues` option says what becomes of it.
   */
  readonly tombstone?: true;
}

/** Why an event could not be delivered. Dead letters carry it verbatim. */
export interface Failure {
  /** A stable SluiceError code, e.g. SLUICE_ERR_PARSE. */
  readonly code: string;
  /** The error's type as the failing component names it (`json_parse_exception`, `document_parsing_exception`). */
  readonly type: string;
  /** A human-readable reason, e.g. the parser's or Elasticsearch's error message. */
  readonly reason: string;
  /** The stage (or sink) that failed it. */
  readonly stage: string;
}

/** How an event settled: delivered by the sink, sent to dead letters, or dropped on purpose. */
export type Outcome = "delivered" | "dead-lettered" | "dropped";

/**
 * One record in flight. Stages change `value` (and may mark the event failed or dropped); `raw` and
 * `origin` never change, so a dead letter always has the exact bytes that were read.
 */
export class SluiceEvent<T = unknown> {
  /** The record's value as the stages made it so far (the raw bytes until a parsing stage runs). */
  value: T;
  /** The record's value, byte for byte as it was read. */
  readonly raw: Buffer;
  /** Where the record came from. */
  readonly origin: Origin;
  /** Set when a stage failed this event: it skips the remaining stages and goes to dead letters. */
  failure: Failure | undefined = undefined;
  /**
   * Per-event data for stages and sinks that never reaches the document (Logstash's `[@metadata]`):
   * e.g. the route a `route` stage chose, read by the sink's index function.
   */
  metadata: Record<string, unknown> | undefined = undefined;
  /** Set when a stage dropped this event on purpose (a filter): it is acknowledged, not delivered. */
  dropped = false;
  /** Settled once: delivered, dead-lettered or dropped. A second settle is ignored. */
  settled = false;
  /** @internal the source batch this event belongs to; the pipeline sets it when the source emits. */
  ticket: Ticket | undefined = undefined;
  /** @internal the batch it entered the stage it is in with, while it is inside one. */
  mark: StageMark | undefined = undefined;
  /** @internal whether it was ok when it entered that stage, so the stage's failures and drops are told apart. */
  okOnEntry = true;

  /** An event with `value`, read as `raw` from `origin`; sources and `eventOf` build them. */
  constructor(value: T, raw: Buffer, origin: Origin) {
    this.value = value;
    this.raw = raw;
    this.origin = origin;
  }

  /** True while no stage failed or dropped it. */
  get ok(): boolean {
    return this.failure === undefined && !this.dropped;
  }

  /**
   * Marks the event failed with `failure` (the first failure wins): it skips the remaining stages and goes to
   * dead letters.
   */
  fail(failure: Failure): void {
    if (this.failure === undefined) this.failure = failure;
  }

  /**
   * Drops the event on purpose (a filter): it is acknowledged and its offset commits, but it is not
   * delivered.
   */
  drop(): void {
    this.dropped = true;
  }

  /**
   * Drops the value once a sink has encoded it, so what stays in flight until Elasticsearch answers is
   * the encoded bytes alone (plus `raw`, kept for dead letters).
   */
  releaseValue(): void {
    this.value = undefined as T;
  }

  /** Records the final outcome and tells the source; only the pipeline calls this. */
  settle(_outcome: Outcome): void {
    if (this.settled) return;
    this.settled = true;
    this.ticket?.settleOne(this.raw.length);
  }
}

/** Stages work on batches: arrays of events, in source order within a partition. */
export type Batch<T = unknown> = SluiceEvent<T>[];

/** The deterministic id of a record: Kafka Connect's `<topic>+<partition>+<offset>`. */
export function originId(origin: Origin): string {
  return `${origin.topic}+${origin.partition}+${origin.offset}`;
}

/**
 * Builds an event outside any source: for tests of your own stages. `raw` defaults to the value's JSON
 * (or the value itself when it is a Buffer); the origin to partition 0, offset 0 of topic `test`.
 */
export function eventOf<T>(
  value: T,
  options: { raw?: Buffer; origin?: Partial<Origin> } = {},
): SluiceEvent<T> {
  const raw = options.raw ?? (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value) ?? ""));
  return new SluiceEvent(value, raw, {
    topic: "test",
    partition: 0,
    offset: "0",
    key: null,
    headers: {},
    timestamp: "0",
    ...options.origin,
  });
}
