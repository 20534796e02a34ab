// An application's opt-in tuning of the process it runs Sluice in: V8's `--heap-growing-percent`, which
// belongs to the whole process (every thread's heap), so only the application may set it.
import v8 from "node:v8";
import { validateOptions } from "./options.js";

/** The percent tuneProcess() asks for unless told otherwise. */
const RECOMMENDED_HEAP_GROWING_PERCENT = 200;

const FLAG = /--heap[-_]growing[-_]percent/;

/** Holds a process-wide V8 setting for its callers; one per process (heapGrowth), or one per test. */
export class HeapGrowth {
  private readonly held = new Map<symbol, number>();
  private applied = 0;

  constructor(
    private readonly setFlags: (flags: string) => void = (flags) => v8.setFlagsFromString(flags),
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

/** The options of `tuneProcess`. */
export interface ProcessTuning {
  /**
   * How far V8's old generation may grow past the live heap before its next full collection, in percent
   * (V8's `--heap-growing-percent`). Default 200; 0 leaves V8's own factor.
   */
  heapGrowingPercent?: number;
}

const schema = {
  type: "object",
  properties: {
    heapGrowingPercent: {
      type: "integer",
      minimum: 0,
      maximum: 1000,
      default: RECOMMENDED_HEAP_GROWING_PERCENT,
    },
  },
  additionalProperties: false,
} as const;

/**
 * Tunes the process for a Sluice pipeline until the returned function undoes it; Sluice never does this
 * on its own, since V8's flags belong to the whole process. A pipeline promotes every in-flight event to
 * the old generation while its live heap stays small, so V8's own growing factor makes it run a full
 * collection every few thousand records; a fixed 200% lets the same cores move markedly more records
 * (bench/README.md). A process started with `--heap-growing-percent` keeps its own. Calls may overlap:
 * the largest percent held is in force.
 */
export function tuneProcess(options: ProcessTuning = {}): () => void {
  const { heapGrowingPercent } = validateOptions<Required<ProcessTuning>>("tuneProcess", schema, options);
  return heapGrowth.hold(heapGrowingPercent);
}
