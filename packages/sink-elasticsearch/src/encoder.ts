// Encodes an event as its two bulk lines (action and document), once; retries reuse the bytes.
import { JsonBytes, type SluiceEvent } from "@sluice/core";
import type { Target } from "./target.js";

/**
 * The bulk action each document is written with: `create` refuses a document whose `_id` exists (409),
 * `index` overwrites it.
 */
export type BulkAction = "create" | "index";

const EMPTY = Buffer.alloc(0);
/** Kafka's offsets; a source giving anything else takes the general path. */
const DIGITS = /^[0-9]+$/;

/**
 * An event's two bulk lines, `{"create":{...}}\n{...}\n`, built once and resent as they are on retries.
 * The action line is `head`, then `offset` (ASCII digits, or empty), then `tail`: head and tail are
 * shared by every event of a partition when the target allows it, so an event costs no new string or
 * buffer of its own. The document stays in the bytes it came in (or in the JsonBytes a stage made) until
 * the parts are written into a request's body (bulk-body.ts), in one copy.
 */
export class Encoded {
  /** The lines' length in bytes. */
  bytes = 0;
  event!: SluiceEvent;
  private head: Buffer = EMPTY;
  private offset = "";
  private tail: Buffer = EMPTY;
  /** The document line without its newline; undefined for an action without one (`delete`). */
  private doc: Buffer | JsonBytes | undefined = EMPTY;

  /** Holds these parts: an Encoded is filled again for the next event when it was written. */
  set(
    event: SluiceEvent,
    head: Buffer,
    offset: string,
    tail: Buffer,
    doc: Buffer | JsonBytes | undefined,
  ): this {
    this.event = event;
    this.head = head;
    this.offset = offset;
    this.tail = tail;
    this.doc = doc;
    const docBytes = doc === undefined ? -1 : doc instanceof JsonBytes ? doc.byteLength : doc.length;
    this.bytes = head.length + offset.length + tail.length + docBytes + 1;
    return this;
  }

  /** Writes the lines into `body` at `offset`; returns the offset after them. */
  writeTo(body: Buffer, offset: number): number {
    // TypedArray#set: Buffer#copy wraps the source in a new Uint8Array on every call.
    body.set(this.head, offset);
    let at = offset + this.head.length;
    if (this.offset.length > 0) at += body.write(this.offset, at, "latin1");
    body.set(this.tail, at);
    at += this.tail.length;
    const doc = this.doc;
    if (doc === undefined) return at;
    if (doc instanceof JsonBytes) at = doc.writeTo(body, at);
    else {
      body.set(doc, at);
      at += doc.length;
    }
    body[at] = 0x0a;
    return offset + this.bytes;
  }

  /** The lines alone, in a buffer of their own. */
  get lines(): Buffer {
    const lines = Buffer.allocUnsafe(this.bytes);
    this.writeTo(lines, 0);
    return lines;
  }
}

/** The action line's parts around the offset, for every event of one partition. */
interface PartitionAction {
  head: Buffer;
  tail: Buffer;
  /** Whether the offset goes between them (the _id is the origin). */
  withOffset: boolean;
}

export class BulkEncoder {
  private readonly pipeline: string;
  private readonly tail: Buffer;
  /** By topic, then partition: filled as partitions are first seen (when the target allows reuse). */
  private readonly partitions = new Map<string, PartitionAction[]>();

  constructor(
    private readonly action: BulkAction,
    private readonly target: Target,
    pipeline?: string,
  ) {
    this.pipeline = pipeline ? `,"pipeline":${JSON.stringify(pipeline)}` : "";
    this.tail = Buffer.from(`"${this.pipeline}}}\n`);
  }

  /**
   * The event's lines, in `into` when given (a sink writing each event's lines at once reuses one),
   * else in a new Encoded. Throws when the event cannot be encoded (no index for it, a document JSON
   * cannot write).
   */
  encode(event: SluiceEvent, into: Encoded = new Encoded()): Encoded {
    const value = event.value;
    // A value still in bytes is already a JSON document: send it as it came, without a parse round trip.
    const doc =
      Buffer.isBuffer(value) || value instanceof JsonBytes ? value : Buffer.from(JSON.stringify(value));
    const offset = event.origin.offset;
    if (this.target.byOrigin && DIGITS.test(offset)) {
      const action = this.partitionAction(event);
      into.set(event, action.head, action.withOffset ? offset : "", action.tail, doc);
    } else {
      const { index, id } = this.target.resolve(event);
      const line = Buffer.from(`{"${this.action}":{"_index":${index}${id}${this.pipeline}}}\n`);
      into.set(event, line, "", EMPTY, doc);
    }
    event.releaseValue();
    return into;
  }

  /**
   * A `delete` of the document the event's _id names: the action line alone. For a tombstone, whose
   * value is null; throws when its index or _id cannot be told without a document.
   */
  encodeDelete(event: SluiceEvent, into: Encoded = new Encoded()): Encoded {
    const { index, id } = this.target.resolveWithoutDocument(event);
    into.set(event, Buffer.from(`{"delete":{"_index":${index}${id}}}\n`), "", EMPTY, undefined);
    event.releaseValue();
    return into;
  }

  private partitionAction(event: SluiceEvent): PartitionAction {
    const { topic, partition } = event.origin;
    let byPartition = this.partitions.get(topic);
    if (!byPartition) {
      byPartition = [];
      this.partitions.set(topic, byPartition);
    }
    let action = byPartition[partition];
    if (!action) {
      const { index, id } = this.target.resolve(event);
      if (id === "") {
        action = {
          head: Buffer.from(`{"${this.action}":{"_index":${index}${this.pipeline}}}\n`),
          tail: EMPTY,
          withOffset: false,
        };
      } else {
        // `,"_id":"<topic>+<partition>+<offset>"`, cut before the offset: offsets are plain digits.
        const idPrefix = JSON.stringify(`${topic}+${partition}+`).slice(0, -1);
        action = {
          head: Buffer.from(`{"${this.action}":{"_index":${index},"_id":${idPrefix}`),
          tail: this.tail,
          withOffset: true,
        };
      }
      byPartition[partition] = action;
    }
    return action;
  }
}
