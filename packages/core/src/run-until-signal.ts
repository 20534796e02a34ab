// An application's opt-in signal handling: runs a pipeline until a signal asks it to stop gracefully.
import { SluiceConfigError } from "./errors.js";
import type { Pipeline, StopReport } from "./pipeline.js";

/** The options of `runUntilSignal`. */
export interface RunUntilSignalOptions {
  /** The signals that stop the pipeline. Default SIGTERM (Kubernetes, systemd) and SIGINT (Ctrl-C). */
  signals?: readonly NodeJS.Signals[];
  /**
   * What a second signal calls to end the process at once, with 128 + the signal's number (130 for
   * SIGINT, 143 for SIGTERM). Default process.exit.
   */
  exit?: (code: number) => void;
}

const DEFAULT_SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

/** Exit codes by the shell's convention, 128 + the signal's number, for the signals services get. */
const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 129,
  SIGINT: 130,
  SIGQUIT: 131,
  SIGUSR1: 138,
  SIGUSR2: 140,
  SIGTERM: 143,
};

/**
 * Starts `pipeline` (unless it was started already) and resolves with its StopReport once it stops, for
 * whatever reason. The first of `signals` stops it gracefully (drain, commit, disconnect); a second exits
 * at once without draining. Sets process.exitCode to 1 when the stop did not drain. The handlers are
 * installed once the pipeline runs and removed once it stopped, so the process's own are left as they were.
 */
export async function runUntilSignal<T, U>(
  pipeline: Pipeline<T, U>,
  options: RunUntilSignalOptions = {},
): Promise<StopReport> {
  const signals = options.signals ?? DEFAULT_SIGNALS;
  if (!Array.isArray(signals) || signals.length === 0 || signals.some((s) => typeof s !== "string"))
    throw new SluiceConfigError("runUntilSignal", "signals", "must be a non-empty array of signal names");
  const exit = options.exit ?? ((code: number) => process.exit(code));
  if (typeof exit !== "function") throw new SluiceConfigError("runUntilSignal", "exit", "must be a function");
  const running = pipeline;
  if (running.currentState === "created") await running.start();
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received++;
    if (received > 1) {
      running.logger.warn({ signal }, "second signal: exiting at once without draining");
      exit(SIGNAL_EXIT_CODES[signal] ?? 1);
      return;
    }
    running.logger.info({ signal }, "signal received: stopping gracefully (send again to exit at once)");
    void running.stop();
  };
  // One handler per signal, which knows its own (an emitted signal may come without its name).
  const handlers = signals.map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    const report = await running.stopped;
    if (!report.drained) process.exitCode = 1;
    return report;
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
