// In-memory components for the pipeline's tests: a source fed by the test, a sink and dead letters in arrays.
import { Writable } from "node:stream";
import { map, mergeMap, type Observable, Subject, timer } from "rxjs";
import type {
  CommitOffset,
  Sink,
  SinkResult,
  Source,
  SourceBatch,
  SourceContext,
} from "../src/components.js";
import type { DeadLetter, DeadLetterSink } from "../src/dead-letter.js";
import { type Batch, eventOf } from "../src/event.js";

/** One partition fed from the test; commits are recorded. The whole of a source, in 20 lines. */
export class MemorySource implements Source<Buffer> {
  readonly name = "memory";
  readonly commits: number[] = [];
  readonly batches = new Subject<SourceBatch<Buffer>>();
  ctx!: SourceContext;
  paused = 0;
  /** What health() reports beside status "ok". */
  healthDetail: Record<string, unknown> | undefined;
  private next = 0;
  async connect(ctx: SourceContext) {
    this.ctx = ctx;
  }
  start(): Observable<SourceBatch<Buffer>> {
    return this.batches.asObservable();
  }
  push(values: string[]): void {
    const origin = (i: number) => ({ topic: "t", offset: String(this.next + i) });
    const events = values.map((v, i) => eventOf(Buffer.from(v), { origin: origin(i) }));
    this.next += values.length;
    this.batches.next({ events });
  }
  pauseFetching(paused: boolean) {
    if (paused) this.paused++;
  }
  async stopFetching() {
    this.batches.complete();
  }
  async commit(offsets: readonly CommitOffset[]) {
    for (const { offset } of offsets) this.commits.push(Number(offset));
  }
  async close() {}
  health() {
    return { status: "ok" as const, ...(this.healthDetail ? { detail: this.healthDetail } : {}) };
  }
}

/** Delivers each batch after `delayMs`; values listed in `refuse` are rejected. */
export class MemorySink implements Sink<unknown> {
  readonly name = "memory-sink";
  readonly stored: unknown[] = [];
  constructor(
    private readonly delayMs = 0,
    private readonly refuse = new Set<unknown>(),
  ) {}
  async connect() {}
  write() {
    return (source: Observable<Batch<unknown>>) =>
      source.pipe(
        mergeMap((batch) =>
          timer(this.delayMs).pipe(
            map((): SinkResult<unknown> => {
              const result: SinkResult<unknown> = { delivered: [], rejected: [] };
              for (const e of batch) {
                if (this.refuse.has(e.value)) {
                  e.fail({ code: "SLUICE_ERR_REJECTED", type: "mapping", reason: "no", stage: this.name });
                  result.rejected.push(e);
                } else {
                  this.stored.push(e.value);
                  result.delivered.push(e);
                }
              }
              return result;
            }),
          ),
        ),
      );
  }
  async close() {}
  health() {
    return { status: "ok" as const };
  }
}

export class MemoryDeadLetters implements DeadLetterSink {
  readonly name = "memory-dlq";
  readonly letters: DeadLetter[] = [];
  failuresLeft: number;
  constructor(failFirst = 0) {
    this.failuresLeft = failFirst;
  }
  async connect() {}
  async write(letters: readonly DeadLetter[]) {
    if (this.failuresLeft-- > 0) throw new Error("dead-letter store down");
    this.letters.push(...letters);
    return letters.map(() => ({ status: "stored" as const }));
  }
  async close() {}
}

export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A writable that keeps what pino writes to it, one JSON line per log line. */
export class LogCapture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
  lines(): Array<Record<string, unknown>> {
    return this.text
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
