// Encodes an event as its two bulk lines (action and document), once; retries reuse the bytes.
import type { SluiceEvent } from "@sluice/core";
import type { Target } from "./target.js";

export type BulkAction = "create" | "index";

/**
 * An event's two bulk lines, `{"create":{...}}\n{...}\n`, built once and resent as they are on retries.
 * The document stays in the bytes it came in; the request body is written from the parts in one copy.
 */
export class Encoded {
  /** The lines' length in bytes. */
  readonly bytes: number;
  private readonly actionBytes: number;

  constructor(
    readonly event: SluiceEvent,
    private readonly action: string,
    private readonly doc: Buffer,
  ) {
    this.actionBytes = Buffer.byteLength(action);
    this.bytes = this.actionBytes + doc.length + 1;
  }

  /** Writes the lines into `body` at `offset`; returns the offset after them. */
  writeTo(body: Buffer, offset: number): number {
    body.write(this.action, offset, this.actionBytes, "utf8");
    this.doc.copy(body, offset + this.actionBytes);
    body[offset + this.bytes - 1] = 0x0a;
    return offset + this.bytes;
  }

  get lines(): Buffer {
    return bodyOf([this]);
  }
}

/** The request body for these items: their lines, back to back, in one allocation. */
export function bodyOf(items: readonly Encoded[]): Buffer {
  let size = 0;
  for (const item of items) size += item.bytes;
  const body = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const item of items) offset = item.writeTo(body, offset);
  return body;
}

export class BulkEncoder {
  private readonly pipeline: string;

  constructor(
    private readonly action: BulkAction,
    private readonly target: Target,
    pipeline?: string,
  ) {
    this.pipeline = pipeline ? `,"pipeline":${JSON.stringify(pipeline)}` : "";
  }

  /** Throws when the event cannot be encoded (no index for it, a document JSON cannot write). */
  encode(event: SluiceEvent): Encoded {
    const { index, id } = this.target.resolve(event);
    const value = event.value;
    const action = `{"${this.action}":{"_index":${index}${id}${this.pipeline}}}\n`;
    // A value still in bytes is already a JSON document: send it as it came, without a parse round trip.
    const doc = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value));
    event.releaseValue();
    return new Encoded(event, action, doc);
  }
}
