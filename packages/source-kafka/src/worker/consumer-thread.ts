// The main thread's handle on the consumer thread: starts it, sends it orders, awaits its replies.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { ConsumerThreadData, FromConsumer, ToConsumer, WireError } from "./messages.js";

export interface ConsumerThreadEvents {
  /** Every message but replies, in the order the thread sent them. */
  message(message: Exclude<FromConsumer, { type: "reply" | "ready" }>): void;
  /** The thread died (an uncaught error, or an exit nobody asked for). */
  failed(error: Error): void;
}

/** An error from the consumer thread, with kafkajs's type kept for callers that tell errors apart. */
export class ConsumerThreadError extends Error {
  readonly type: string | undefined;
  readonly permanent: boolean;
  constructor(wire: WireError) {
    super(wire.message);
    this.name = wire.name;
    this.type = wire.type;
    this.permanent = wire.permanent;
  }
}

type Order = ToConsumer extends infer T ? (T extends { id: number } ? Omit<T, "id"> : never) : never;

export class ConsumerThread {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly replies = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private readonly readyPromise: Promise<void>;
  private closing = false;
  private exited = false;

  constructor(data: ConsumerThreadData, events: ConsumerThreadEvents) {
    this.worker = startWorker(entry(), data);
    let settleReady!: { resolve: () => void; reject: (error: Error) => void };
    this.readyPromise = new Promise((resolve, reject) => {
      settleReady = { resolve, reject };
    });
    this.worker.on("message", (message: FromConsumer) => {
      if (message.type === "ready") {
        if (message.error) settleReady.reject(new ConsumerThreadError(message.error));
        else settleReady.resolve();
      } else if (message.type === "reply") {
        const waiting = this.replies.get(message.id);
        this.replies.delete(message.id);
        if (message.error) waiting?.reject(new ConsumerThreadError(message.error));
        else waiting?.resolve();
      } else events.message(message);
    });
    const died = (error: Error) => {
      settleReady.reject(error);
      for (const waiting of this.replies.values()) waiting.reject(error);
      this.replies.clear();
      if (!this.closing) events.failed(error);
    };
    this.worker.on("error", died);
    this.worker.on("exit", (code) => {
      this.exited = true;
      died(new Error(`the Kafka consumer thread exited (code ${code})`));
    });
  }

  /** Resolves once the consumer has connected and subscribed; rejects with the reason it could not. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  send(message: Extract<ToConsumer, { type: "run" | "pause" | "resume" | "taken" }>): void {
    if (!this.exited) this.worker.postMessage(message);
  }

  /** Sends an order that the thread answers, and waits for the answer. */
  request(order: Order): Promise<void> {
    if (this.exited) return Promise.reject(new Error("the Kafka consumer thread is not running"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.replies.set(id, { resolve, reject });
      this.worker.postMessage({ ...order, id });
    });
  }

  /** Leaves the group (the thread's consumer disconnects), then ends the thread. */
  async close(): Promise<void> {
    if (this.exited) return;
    this.closing = true;
    try {
      await this.request({ type: "close" });
    } finally {
      await this.worker.terminate();
    }
  }
}

/**
 * The worker's entry module beside this one: compiled JavaScript in a build, TypeScript when the package
 * runs from its sources (tests, tsx), where the thread registers tsx's loader before importing it.
 */
function entry(): URL {
  const fromSources = import.meta.url.endsWith(".ts");
  return new URL(fromSources ? "./consumer-worker.ts" : "./consumer-worker.js", import.meta.url);
}

function startWorker(url: URL, workerData: ConsumerThreadData): Worker {
  if (!url.pathname.endsWith(".ts")) return new Worker(url, { workerData });
  const bootstrap = `import(${JSON.stringify(tsxEsmApi())}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv: sourceExecArgv() });
}

/** tsx's ESM loader API (its CommonJS build resolves its hooks wrongly from a worker). */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("tsx/package.json");
  const { exports } = JSON.parse(readFileSync(manifest, "utf8")) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(dirname(manifest), exports["./esm/api"]!.import.default)).href;
}

/**
 * The process's export conditions plus `source`: all a thread from the sources needs. (Passing V8 or
 * process-wide flags to a worker throws; leaving execArgv unset would carry the process's loaders.)
 */
function sourceExecArgv(): string[] {
  const args: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if ((arg === "--conditions" || arg === "-C") && argv[i + 1] !== undefined) args.push(arg, argv[++i]!);
    else if (arg.startsWith("--conditions=") || arg.startsWith("-C=")) args.push(arg);
  }
  return [...args, "--conditions=source"];
}
