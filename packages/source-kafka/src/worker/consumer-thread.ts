// The main thread's handle on the consumer thread hosting its source: sends it orders, awaits replies.
import type { Worker } from "node:worker_threads";
import { ErrorCode, SluiceError } from "@sluice/core";
import type { ConsumerThreadData, DecoderStatus, FromConsumer, ToConsumer, WireError } from "./messages.js";
import { startThread } from "./start-thread.js";

export interface ConsumerThreadEvents {
  /** Every message but replies, in the order the thread sent them. */
  message(message: Exclude<FromConsumer, { type: "reply" | "ready" }>): void;
  /** The thread died (an uncaught error, or an exit nobody asked for). */
  failed(error: Error): void;
}

/** An error from the consumer thread, with kafkajs's type kept for callers that tell errors apart. */
export class ConsumerThreadError extends SluiceError {
  readonly type: string | undefined;
  readonly permanent: boolean;
  constructor(wire: WireError) {
    super(isAuthFailure(wire) ? ErrorCode.KAFKA_AUTH : ErrorCode.KAFKA_CONSUMER, wire.message);
    this.name = wire.name;
    this.type = wire.type;
    this.permanent = wire.permanent;
  }
}

function isAuthFailure(wire: WireError): boolean {
  return (
    wire.name === "KafkaJSSASLAuthenticationError" ||
    /SASL_AUTHENTICATION|AUTHORIZATION/.test(wire.type ?? "")
  );
}

type Order = ToConsumer extends infer T ? (T extends { id: number } ? Omit<T, "id"> : never) : never;

export class ConsumerThread {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly replies = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private readonly readyPromise: Promise<void>;
  private closing = false;
  private closed = false;
  private exited = false;
  private decoderStatus: DecoderStatus | undefined;
  private readonly detach: () => void;

  /** Starts the thread on `entry` (from workerEntry) and sends it `init`. */
  constructor(entry: URL, data: ConsumerThreadData, events: ConsumerThreadEvents) {
    this.worker = startThread(entry);
    let settleReady!: { resolve: () => void; reject: (error: Error) => void };
    this.readyPromise = new Promise((resolve, reject) => {
      settleReady = { resolve, reject };
    });
    const onMessage = (message: FromConsumer) => {
      if (message.type === "ready") {
        started = true;
        this.decoderStatus = message.decoder;
        if (message.error) settleReady.reject(new ConsumerThreadError(message.error));
        else settleReady.resolve();
      } else if (message.type === "reply") {
        const waiting = this.replies.get(message.id);
        this.replies.delete(message.id);
        if (message.error) waiting?.reject(new ConsumerThreadError(message.error));
        else waiting?.resolve();
      } else events.message(message);
    };
    let started = false;
    const died = (error: Error) => {
      // Before its first answer the thread failed itself (its file would not run, ...): not news about Kafka.
      if (!started)
        settleReady.reject(
          new SluiceError(
            ErrorCode.KAFKA_CONSUMER,
            `the Kafka consumer thread failed before it connected (${entry.href}): ${error.message} ` +
              "(in a bundle, keep kafkajs, lz4-napi, snappy, @node-rs/crc32 and @bokuweb/zstd-wasm external)",
            { cause: error },
          ),
        );
      for (const waiting of this.replies.values()) waiting.reject(error);
      this.replies.clear();
      if (!this.closing) events.failed(error);
    };
    const exited = (code: number) => {
      this.exited = true;
      died(new SluiceError(ErrorCode.KAFKA_CONSUMER, `the Kafka consumer thread exited (code ${code})`));
    };
    this.worker.on("message", onMessage);
    this.worker.on("error", died);
    this.worker.on("exit", exited);
    this.detach = () => {
      this.worker.off("message", onMessage);
      this.worker.off("error", died);
      this.worker.off("exit", exited);
    };
    this.worker.postMessage({ type: "init", data } satisfies ToConsumer);
  }

  /** How the thread decodes record batches; known once it answered `init`. */
  get decoder(): DecoderStatus | undefined {
    return this.decoderStatus;
  }

  /** Resolves once the consumer has connected and subscribed; rejects with the reason it could not. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  send(message: Extract<ToConsumer, { type: "run" | "pause" | "resume" | "taken" }>): void {
    if (!this.exited && !this.closed) this.worker.postMessage(message);
  }

  /** Sends an order that the thread answers, and waits for the answer. */
  request(order: Order): Promise<void> {
    if (this.exited || this.closed)
      return Promise.reject(
        new SluiceError(ErrorCode.KAFKA_CONSUMER, "the Kafka consumer thread is not running"),
      );
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.replies.set(id, { resolve, reject });
      this.worker.postMessage({ ...order, id });
    });
  }

  /** Leaves the group (the thread's consumer disconnects), then ends the thread. */
  async close(): Promise<void> {
    if (this.exited || this.closed) return;
    this.closing = true;
    try {
      await this.request({ type: "close" });
    } finally {
      this.closed = true;
      this.detach();
      await this.worker.terminate();
    }
  }
}
