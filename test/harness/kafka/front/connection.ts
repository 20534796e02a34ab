// One client connection through the front: requests go to the mock broker behind it (or are answered
// by the SASL session), responses come back rewritten and in request order.
import { connect, type Socket } from "node:net";
import { type Advertised, rewriteFindCoordinator, rewriteMetadata } from "./addresses.js";
import { rewriteApiVersions } from "./api-versions.js";
import {
  answerTimestamps,
  type TimestampAnswer,
  type TimestampQuery,
  timestampQueries,
} from "./list-offsets.js";
import { SaslSession, type SaslUsers } from "./sasl.js";
import { Api, FrameReader, frame, Reader, type RequestHeader, readRequestHeader, response } from "./wire.js";

export interface FrontContext {
  advertised: Advertised;
  /** Set when the front terminates SASL. */
  sasl: SaslUsers | undefined;
  offsetForTimestamp(query: TimestampQuery): Promise<TimestampAnswer>;
  /** Called with every request a client sends, before anything is done with it. */
  observe(header: RequestHeader, body: Buffer): void;
  /** A broken exchange (a harness bug, not a client's mistake): said once, then the connection closes. */
  report(error: unknown): void;
}

/** A response owed to the client; Kafka answers a connection's requests in order. */
interface Slot {
  frame?: Buffer;
  closeAfter?: boolean;
}

interface Forwarded {
  slot: Slot;
  header: RequestHeader;
  queries: TimestampQuery[];
}

export class FrontConnection {
  private readonly upstream: Socket;
  private readonly slots: Slot[] = [];
  private readonly forwarded = new Map<number, Forwarded>();
  private readonly session: SaslSession | undefined;
  private closed = false;

  constructor(
    private readonly client: Socket,
    broker: { host: string; port: number },
    private readonly ctx: FrontContext,
    private readonly onClose: () => void,
  ) {
    this.session = ctx.sasl ? new SaslSession(ctx.sasl) : undefined;
    this.upstream = connect(broker);
    const requests = new FrameReader((f) => this.onRequest(f));
    const responses = new FrameReader((f) => this.onResponse(f));
    client.on("data", (chunk: Buffer) => this.guard(() => requests.push(chunk)));
    this.upstream.on("data", (chunk: Buffer) => this.guard(() => responses.push(chunk)));
    for (const socket of [client, this.upstream]) {
      socket.on("error", () => this.close());
      socket.on("close", () => this.close());
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
    this.upstream.destroy();
    this.onClose();
  }

  private onRequest(request: Buffer): void {
    const header = readRequestHeader(request);
    this.ctx.observe(header, request.subarray(header.bodyOffset));
    const verdict = this.session?.verdict(header.apiKey) ?? "forward";
    if (verdict === "close") {
      this.close();
      return;
    }
    if (verdict === "answer") {
      const { body, close } = this.session!.answer(header, request.subarray(header.bodyOffset));
      this.slots.push({ frame: response(header.correlationId, body), closeAfter: close });
      this.flush();
      return;
    }
    if (expectsResponse(header, request)) {
      const slot: Slot = {};
      this.slots.push(slot);
      const queries =
        header.apiKey === Api.ListOffsets
          ? timestampQueries(request.subarray(header.bodyOffset), header.apiVersion)
          : [];
      this.forwarded.set(header.correlationId, { slot, header, queries });
    }
    this.upstream.write(frame(request));
  }

  private onResponse(message: Buffer): void {
    const correlationId = message.readInt32BE(0);
    const entry = this.forwarded.get(correlationId);
    if (!entry) throw new Error(`the broker answered correlation id ${correlationId}, which nobody asked`);
    this.forwarded.delete(correlationId);
    this.rewrite(entry, message.subarray(4)).then(
      (body) => {
        entry.slot.frame = response(correlationId, body);
        this.flush();
      },
      (error: unknown) => this.fail(error),
    );
  }

  private async rewrite({ header, queries }: Forwarded, body: Buffer): Promise<Buffer> {
    const { advertised } = this.ctx;
    switch (header.apiKey) {
      case Api.ApiVersions:
        return rewriteApiVersions(body, header.apiVersion, this.session !== undefined);
      case Api.Metadata:
        return rewriteMetadata(body, header.apiVersion, advertised);
      case Api.FindCoordinator:
        return rewriteFindCoordinator(body, header.apiVersion, advertised);
      case Api.ListOffsets:
        if (queries.length === 0) return body;
        return answerTimestamps(body, header.apiVersion, queries, (q) => this.ctx.offsetForTimestamp(q));
      default:
        return body;
    }
  }

  private flush(): void {
    while (!this.closed && this.slots[0]?.frame) {
      const slot = this.slots.shift()!;
      if (!slot.closeAfter) {
        this.client.write(slot.frame!);
        continue;
      }
      // Kafka sends the failure, then hangs up.
      this.client.end(slot.frame!);
      this.upstream.destroy();
      this.closed = true;
      this.onClose();
    }
  }

  private guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (this.closed) return;
    this.ctx.report(error);
    this.close();
  }
}

/** Every request is answered except Produce with acks=0. */
function expectsResponse(header: RequestHeader, request: Buffer): boolean {
  if (header.apiKey !== Api.Produce) return true;
  const reader = new Reader(request, header.bodyOffset);
  if (header.apiVersion >= 3) reader.nullableString(); // transactional_id
  return reader.int16() !== 0;
}
