// Kafka's wire format for the front: size-prefixed frames, request headers and the primitive types of
// non-flexible protocol versions (the only ones kafkajs 2.2.4 speaks).

/** API keys the front reads or answers. */
export const Api = {
  Produce: 0,
  ListOffsets: 2,
  Metadata: 3,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  SaslHandshake: 17,
  ApiVersions: 18,
  SaslAuthenticate: 36,
} as const;

/** Splits a byte stream into frames (the int32 size prefix removed), in order. */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (frame: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      this.onFrame(frame);
    }
  }
}

/** One frame: the int32 size, then the bytes. */
export function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Where the request's body starts (after the client id). */
  bodyOffset: number;
}

/** Request header v1 (api key, version, correlation id, client id): what every non-flexible request has. */
export function readRequestHeader(request: Buffer): RequestHeader {
  const reader = new Reader(request);
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  const clientId = reader.nullableString();
  return { apiKey, apiVersion, correlationId, clientId, bodyOffset: reader.offset };
}

/** A response frame: response header v0 (the correlation id) and the body. */
export function response(correlationId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeInt32BE(correlationId);
  return frame(Buffer.concat([header, body]));
}

export class Reader {
  constructor(
    readonly buffer: Buffer,
    public offset = 0,
  ) {}

  int8(): number {
    const value = this.buffer.readInt8(this.offset);
    this.offset += 1;
    return value;
  }
  int16(): number {
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  int32(): number {
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  int64(): bigint {
    const value = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }
  nullableString(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    const value = this.buffer.toString("utf8", this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  string(): string {
    return this.nullableString() ?? "";
  }
  bytes(): Buffer {
    const length = this.int32();
    if (length < 0) return Buffer.alloc(0);
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  array<T>(item: (reader: Reader) => T): T[] {
    const length = this.int32();
    const items: T[] = [];
    for (let i = 0; i < length; i++) items.push(item(this));
    return items;
  }
  /** Everything not read yet. */
  rest(): Buffer {
    return this.buffer.subarray(this.offset);
  }
}

export class Writer {
  private readonly parts: Buffer[] = [];

  int8(value: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(value);
    return this.raw(b);
  }
  int16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    return this.raw(b);
  }
  int32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    return this.raw(b);
  }
  int64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(value);
    return this.raw(b);
  }
  nullableString(value: string | null): this {
    if (value === null) return this.int16(-1);
    const b = Buffer.from(value, "utf8");
    return this.int16(b.length).raw(b);
  }
  string(value: string): this {
    return this.nullableString(value);
  }
  bytes(value: Buffer): this {
    return this.int32(value.length).raw(value);
  }
  array<T>(items: readonly T[], item: (writer: this, value: T) => void): this {
    this.int32(items.length);
    for (const value of items) item(this, value);
    return this;
  }
  raw(bytes: Buffer): this {
    this.parts.push(bytes);
    return this;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}
