// Fault injection: what the emulator does wrong on purpose, as tests ask.
import { prng } from "../prng.js";

export interface Faults {
  /** That fraction of bulk items is answered 429 es_rejected_execution_exception (and not stored). */
  rejectItems(fraction: number, opts?: { status?: number; seed?: number }): void;
  /**
   * Whole requests answered with this status, for `count` requests or `forMs`, else until clear(). 401 and
   * 403 answer as Elasticsearch's security does (refused credentials, a missing privilege).
   */
  respondWith(
    status: 401 | 403 | 429 | 500 | 502 | 503 | 504,
    opts?: { count?: number; forMs?: number; paths?: RegExp },
  ): void;
  /** Bodies longer than `bytes` are answered 413, as a cluster with that http.max_content_length, until clear(). */
  maxContentLength(bytes: number): void;
  /**
   * A request whose body holds `marker` is answered 400 as a whole, as Elasticsearch answers a body it
   * cannot parse, until clear().
   */
  refuseBodiesWith(marker: string): void;
  /** Added delay before answering. */
  latency(ms: number, opts?: { paths?: RegExp }): void;
  /** Sockets destroyed without an answer, for `count` requests or `forMs`, else until clear(). */
  resetConnections(opts?: { count?: number; forMs?: number }): void;
  /** Nothing listens for `forMs`: connections are refused, open ones reset; then it serves again. */
  outage(forMs: number): void;
  clear(): void;
}

interface Window {
  remaining: number;
  until: number;
  paths?: RegExp;
}

function window(opts: { count?: number; forMs?: number; paths?: RegExp } = {}): Window {
  return {
    remaining: opts.count ?? Number.POSITIVE_INFINITY,
    until: opts.forMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + opts.forMs,
    ...(opts.paths ? { paths: opts.paths } : {}),
  };
}

/** Takes one use of a window if it applies to `path` now. */
function take(w: Window | undefined, path: string): boolean {
  if (!w || w.remaining <= 0 || Date.now() >= w.until) return false;
  if (w.paths && !w.paths.test(path)) return false;
  w.remaining--;
  return true;
}

export class FaultState implements Faults {
  private itemRejection: { fraction: number; status: number; random: () => number } | undefined;
  private status: (Window & { status: number }) | undefined;
  private delay: { ms: number; paths?: RegExp } | undefined;
  private resets: Window | undefined;
  private contentLimit: number | undefined;
  private poison: Buffer | undefined;

  constructor(private readonly onOutage: (forMs: number) => void) {}

  rejectItems(fraction: number, opts: { status?: number; seed?: number } = {}): void {
    this.itemRejection = { fraction, status: opts.status ?? 429, random: prng(opts.seed ?? 42) };
  }
  respondWith(
    status: 401 | 403 | 429 | 500 | 502 | 503 | 504,
    opts: { count?: number; forMs?: number; paths?: RegExp } = {},
  ): void {
    this.status = { ...window(opts), status };
  }
  maxContentLength(bytes: number): void {
    this.contentLimit = bytes;
  }
  refuseBodiesWith(marker: string): void {
    this.poison = Buffer.from(marker);
  }
  latency(ms: number, opts: { paths?: RegExp } = {}): void {
    this.delay = { ms, ...(opts.paths ? { paths: opts.paths } : {}) };
  }
  resetConnections(opts: { count?: number; forMs?: number } = {}): void {
    this.resets = window(opts);
  }
  outage(forMs: number): void {
    this.onOutage(forMs);
  }
  clear(): void {
    this.itemRejection = undefined;
    this.status = undefined;
    this.delay = undefined;
    this.resets = undefined;
    this.contentLimit = undefined;
    this.poison = undefined;
  }

  /** The body limit tests set, if any. */
  get contentLimitBytes(): number | undefined {
    return this.contentLimit;
  }
  /** Whether the whole request is to be refused for what its body holds. */
  poisoned(body: Buffer): boolean {
    return this.poison !== undefined && body.includes(this.poison);
  }

  /** The status a bulk item is rejected with, or undefined to process it. */
  itemStatus(): number | undefined {
    const r = this.itemRejection;
    return r && r.random() < r.fraction ? r.status : undefined;
  }
  shouldReset(path: string): boolean {
    return take(this.resets, path);
  }
  forcedStatus(path: string): number | undefined {
    return take(this.status, path) ? this.status?.status : undefined;
  }
  latencyFor(path: string): number {
    if (!this.delay || (this.delay.paths && !this.delay.paths.test(path))) return 0;
    return this.delay.ms;
  }
  get rejectingItems(): boolean {
    return this.itemRejection !== undefined;
  }
}
