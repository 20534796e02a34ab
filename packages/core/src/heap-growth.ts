// How far V8 lets the old generation grow past the live heap before its next full collection, while a
// pipeline runs. V8 sets that limit after each full collection: the live heap times a factor it derives
// from how fast marking went against how fast the program allocates. It times only the marking the
// thread did itself, while its helper threads do most of it concurrently, so marking looks nearly free
// and the factor stays near its minimum; and once the room left is smaller than the young generation, V8
// starts marking again at once. A pipeline's heap is small and every event in flight lives long enough
// to be promoted: on the bench, V8 on its own ran a full collection every few thousand records. With the
// factor fixed at 3 (200%), Sluice moved 1.46–1.8× the records per second on the same two cores, as many
// as at 4 (300%) once warm, and with a stalled sink its peak RSS was 366 MiB against 386 at 4 (bench:ab,
// bench:memory, 2026-12-04).
//
// The setting is V8's `--heap-growing-percent`, one for the whole process (every thread's heap): it is
// set while at least one pipeline that asks for it runs (the largest asked for), and given back to V8's
// own factor when the last one stops. A process started with the flag keeps its own.
import v8 from "node:v8";

/** The percent a pipeline asks for unless told otherwise (its `heapGrowingPercent` option). */
export const DEFAULT_HEAP_GROWING_PERCENT = 200;

const FLAG = /--heap[-_]growing[-_]percent/;

/** Holds a process-wide V8 setting for pipelines; one per process (heapGrowth), or one per test. */
export class HeapGrowth {
  private readonly held = new Map<symbol, number>();
  private applied = 0;

  constructor(
    private readonly setFlags: (flags: string) => void = v8.setFlagsFromString,
    /** The process's own Node and V8 flags: when they set the percent, it is left alone. */
    private readonly processFlags: readonly string[] = [...process.execArgv, process.env.NODE_OPTIONS ?? ""],
  ) {}

  /** True when the process was started with its own percent, which is then never changed. */
  get ownedByProcess(): boolean {
    return this.processFlags.some((flag) => FLAG.test(flag));
  }

  /** The percent in force by this holder's doing; 0 while V8 picks its own factor. */
  get percent(): number {
    return this.applied;
  }

  /** Asks for `percent` (0: nothing) until the returned function is called. */
  hold(percent: number): () => void {
    if (percent <= 0 || this.ownedByProcess) return () => {};
    const token = Symbol("heap growth");
    this.held.set(token, percent);
    this.apply();
    return () => {
      if (this.held.delete(token)) this.apply();
    };
  }

  private apply(): void {
    const wanted = Math.max(0, ...this.held.values());
    if (wanted === this.applied) return;
    // 0 is V8's default: a factor of its own choosing.
    this.setFlags(`--heap-growing-percent=${wanted}`);
    this.applied = wanted;
  }
}

/** The process's: V8's flags are the process's too. */
export const heapGrowth = new HeapGrowth();
