// The Elasticsearch 8 emulator: the official client talks to it unchanged; it injects faults on demand and
// counts what it was sent. test/elasticsearch/conformance.test.ts keeps it honest against a real node.
//
// Documents are visible to search and count as soon as they are written (as if every write carried
// refresh=true); `_refresh` is accepted and does nothing more. Tests still call it, so they run
// unchanged against a real cluster.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { fileURLToPath } from "node:url";
import type { ElasticsearchBackend } from "../backends.js";
import { FaultState, type Faults } from "./faults.js";
import { createHandler, noStats, type Stats } from "./server.js";
import { Store } from "./store.js";

export type { Faults } from "./faults.js";

export interface EmulatorOptions {
  auth?: { username: string; password: string } | { apiKey: string };
  /** Largest (decompressed) request body in bytes; larger → 413. Default 100 MiB, as Elasticsearch. */
  maxContentLength?: number;
  /** Bench mode: bulk items are answered 201 without parsing or storing documents. */
  acceptAll?: boolean;
  version?: string;
  /** Serve HTTPS with test/fixtures/tls/server.crt (signed by `testCaFile`), as a cluster with TLS on. */
  tls?: boolean;
}

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/tls/${name}`, import.meta.url));

/** The test CA that signed the TLS emulator's certificate: give it to clients as `tls.caFile`. */
export const testCaFile = fixture("ca.crt");

/** What every backend offers. */
export interface ElasticsearchHandle {
  readonly url: string;
  readonly kind: ElasticsearchBackend;
  stop(): Promise<void>;
}

/** The emulator: faults on demand, and counters of what it was sent. */
export interface EmulatorHandle extends ElasticsearchHandle {
  readonly kind: "emulator";
  readonly faults: Faults;
  stats(): Stats;
}

export function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  return Emulator.start(options);
}

class Emulator implements EmulatorHandle {
  readonly kind = "emulator";
  readonly store = new Store();
  readonly faults: FaultState;
  private readonly counters: Stats = noStats();
  private readonly sockets = new Set<Socket>();
  private server: Server;
  private port = 0;
  private outageTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(private readonly options: EmulatorOptions) {
    this.faults = new FaultState((forMs) => this.outage(forMs));
    this.server = this.createServer();
  }

  static async start(options: EmulatorOptions): Promise<Emulator> {
    const emulator = new Emulator(options);
    await emulator.listen(0);
    return emulator;
  }

  get url(): string {
    return `${this.options.tls ? "https" : "http"}://127.0.0.1:${this.port}`;
  }

  stats(): Stats {
    return { ...this.counters };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.outageTimer);
    await this.close();
  }

  private createServer(): Server {
    const handler = createHandler(
      this.store,
      this.faults,
      {
        ...(this.options.auth ? { auth: this.options.auth } : {}),
        maxContentLength: this.options.maxContentLength ?? 100 * 1024 * 1024,
        acceptAll: this.options.acceptAll ?? false,
        version: this.options.version ?? "8.15.0",
      },
      this.counters,
    );
    const server: Server = this.options.tls
      ? createTlsServer(
          {
            keepAliveTimeout: 30_000,
            cert: readFileSync(fixture("server.crt")),
            key: readFileSync(fixture("server.key")),
          },
          handler,
        )
      : createServer({ keepAliveTimeout: 30_000 }, handler);
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
    return server;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => {
        this.server.off("error", reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private close(): Promise<void> {
    return new Promise((resolve) => {
      for (const socket of this.sockets) socket.destroy();
      this.server.close(() => resolve());
    });
  }

  /** Stops listening (connections refused), resets open connections, and comes back on the same port. */
  private outage(forMs: number): void {
    const port = this.port;
    void this.close().then(() => {
      this.outageTimer = setTimeout(() => {
        if (this.stopped) return;
        this.server = this.createServer();
        this.listen(port).catch(() => {
          // The port was taken meanwhile: extremely unlikely on loopback; the test will time out loudly.
        });
      }, forMs);
      this.outageTimer.unref();
    });
  }
}
