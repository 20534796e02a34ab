// Encodes an event as its two bulk lines (action and document), once; retries reuse the bytes.
import type { SluiceEvent } from "@sluice/core";
import type { Target } from "./target.js";

export type BulkAction = "create" | "index";
const NEWLINE = Buffer.from("\n");

export interface Encoded {
  readonly event: SluiceEvent;
  /** `{"create":{...}}\n{...}\n` as UTF-8: built once, resent as is on retries, kept off the JS heap. */
  readonly lines: Buffer;
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
    const lines = Buffer.isBuffer(value)
      ? Buffer.concat([Buffer.from(action), value, NEWLINE])
      : Buffer.from(`${action}${JSON.stringify(value)}\n`);
    event.releaseValue();
    return { event, lines };
  }
}
