// Encodes an event as its two bulk lines (action and document), once; retries reuse the text.
import { originId, type SluiceEvent } from "@sluice/core";

export type BulkAction = "create" | "index";
export type IdStrategy = "origin" | "none";
const NEWLINE = Buffer.from("\n");

export type IndexResolver = string | ((event: SluiceEvent) => string);

export interface Encoded {
  readonly event: SluiceEvent;
  /** `{"create":{...}}\n{...}\n` as UTF-8: built once, resent as is on retries, kept off the JS heap. */
  readonly lines: Buffer;
}

export class BulkEncoder {
  private readonly fixedIndex: string | undefined;

  constructor(
    private readonly action: BulkAction,
    private readonly index: IndexResolver,
    private readonly id: IdStrategy,
  ) {
    this.fixedIndex = typeof index === "string" ? JSON.stringify(index) : undefined;
  }

  encode(event: SluiceEvent): Encoded {
    const index = this.fixedIndex ?? JSON.stringify((this.index as (event: SluiceEvent) => string)(event));
    const id = this.id === "origin" ? `,"_id":${JSON.stringify(originId(event.origin))}` : "";
    const value = event.value;
    const action = `{"${this.action}":{"_index":${index}${id}}}\n`;
    // A value still in bytes is already a JSON document: send it as it came, without a parse round trip.
    const lines = Buffer.isBuffer(value)
      ? Buffer.concat([Buffer.from(action), value, NEWLINE])
      : Buffer.from(`${action}${JSON.stringify(value)}\n`);
    event.releaseValue();
    return { event, lines };
  }
}
