// A JSON document's bytes, written where they are needed instead of into a buffer of their own.

/**
 * A JSON document as bytes that a sink writes straight into its request (for Elasticsearch, the bulk
 * body), never copied into a buffer of the document's own: what a stage that changes a few bytes of a
 * record returns, so that nothing the size of the record is allocated for it. The Fluent Bit preset's
 * documents are of this kind: the new timestamp, then the record's bytes from the comma after the old one.
 * `toString()` gives the document's text and `toBuffer()` its bytes, for code that wants them at hand.
 */
export abstract class JsonBytes {
  /** The document's length in bytes. */
  abstract get byteLength(): number;

  /** Writes the document's bytes into `target` at `at` (the caller made room); returns the offset after them. */
  abstract writeTo(target: Uint8Array, at: number): number;

  /** The document's bytes in a Buffer of their own. */
  toBuffer(): Buffer {
    const bytes = Buffer.allocUnsafe(this.byteLength);
    this.writeTo(bytes, 0);
    return bytes;
  }

  /** The document's text (its bytes as UTF-8). */
  toString(): string {
    return this.toBuffer().toString("utf8");
  }

  /** The document itself: JSON.stringify of a JsonBytes, or of an object holding one, writes the document. */
  toJSON(): unknown {
    return JSON.parse(this.toString());
  }
}

/** Whether a value is a document as an object: not null, an array, bytes (a Buffer, any view) or JsonBytes. */
export function isDocumentObject(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof JsonBytes)
  );
}
