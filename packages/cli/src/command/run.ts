// `sluice run`: the plan's pipelines as a service — probes, signals, reload, and an exit once idle if asked.
import { createHash } from "node:crypto";
import { type FSWatcher, readdirSync, readFileSync, statSync, watch } from "node:fs";
import { dirname, join } from "node:path";
import {
  createLogger,
  ErrorCode,
  type HttpEndpoint,
  type Logger,
  SluiceError,
  startHttpEndpoint,
  tuneProcess,
} from "@sluice/core";
import type { Plan } from "../plan.js";
import { untilIdle } from "../run/idle.js";
import { Runner } from "../run/runner.js";
import type { CommandLine, ConfigInput } from "./args.js";
import type { CommandIo } from "./io.js";
import { loadPlan, overridesOf } from "./load-plan.js";

/** The default port of the HTTP endpoint: the one Prometheus exporters of OpenTelemetry use. */
export const DEFAULT_HTTP_PORT = 9464;
// Loopback by default: /health names topics, clusters and errors, so who may read it is the operator's choice.
const DEFAULT_HTTP_HOST = "127.0.0.1";
const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Runs until a signal or idleness stops it; resolves with the process's exit code. */
export async function runCommand(line: CommandLine & { input: ConfigInput }, io: CommandIo): Promise<number> {
  const overrides = overridesOf(line);
  // Read once before anything listens, so a config error exits 2 at once.
  let first: Plan | undefined = await loadPlan(line.input, overrides, io.env);
  const logger = createLogger({ level: line.logLevel ?? first.logging?.level ?? "info" });
  warn(logger, first);
  const untune = tuneProcess();
  const runner = new Runner({
    load: async () => {
      const plan = first ?? (await loadPlan(line.input, overrides, io.env));
      if (first === undefined) warn(logger, plan);
      first = undefined;
      return plan;
    },
    logger,
    status: (status) => io.out(`sluice: ${status}`),
  });
  let http: HttpEndpoint | undefined;
  const watchers: FSWatcher[] = [];
  const idle = new AbortController();
  const signals = new Map<NodeJS.Signals, () => void>();
  try {
    http = await startHttpEndpoint(
      {
        host: line.httpHost ?? first.http?.host ?? DEFAULT_HTTP_HOST,
        port: line.httpPort ?? first.http?.port ?? DEFAULT_HTTP_PORT,
        component: "sluice",
      },
      runner.routes(),
    );
    io.out(`sluice: http ${http.url}`);
    let stopSignals = 0;
    for (const signal of ["SIGTERM", "SIGINT"] as const)
      signals.set(signal, () => {
        if (++stopSignals > 1) {
          logger.warn({ signal }, "second signal: exiting at once without draining");
          io.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
          return;
        }
        logger.info({ signal }, "signal received: stopping gracefully (send again to exit at once)");
        void runner.stop();
      });
    signals.set("SIGHUP", () => void reload(runner, logger));
    for (const [signal, handler] of signals) process.on(signal, handler);
    const plan = first;
    io.out(
      `sluice: starting ${plan.pipelines.length} pipeline${plan.pipelines.length === 1 ? "" : "s"} from the ${plan.form} config`,
    );
    await runner.start();
    if (line.watch)
      watchers.push(...watchFiles(runner.plan?.files ?? [], () => void reload(runner, logger), logger));
    if (line.exitWhenIdleMs !== undefined)
      void untilIdle(() => runner.members, { idleMs: line.exitWhenIdleMs, signal: idle.signal }).then(() => {
        if (runner.currentPhase !== "running") return;
        io.out("sluice: caught up and idle; stopping");
        void runner.stop();
      });
    const report = await runner.done;
    io.out(
      report.drained
        ? "sluice: stopped (drained)"
        : `sluice: stopped (${report.unsettled} unsettled, not committed: they are read again)`,
    );
    if (report.error) io.err(`sluice: ${report.error.message}`);
    return report.drained && report.error === undefined ? 0 : 1;
  } catch (error) {
    io.err(`sluice: cannot start: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof SluiceError && error.code === ErrorCode.CONFIG ? 2 : 1;
  } finally {
    idle.abort();
    for (const watcher of watchers) watcher.close();
    for (const [signal, handler] of signals) process.off(signal, handler);
    await http?.close();
    untune();
  }
}

async function reload(runner: Runner, logger: Logger): Promise<void> {
  try {
    await runner.reload();
  } catch (error) {
    logger.error({ err: error }, "reload failed: the new config's pipelines could not start");
  }
}

/** Every plan warning once in the log, so an operator sees what `sluice check` would say. */
function warn(logger: Logger, plan: Plan): void {
  for (const warning of plan.warnings)
    logger.warn(
      {
        kind: warning.kind,
        ...(warning.where
          ? { where: `${warning.where.file}:${warning.where.line}:${warning.where.column}` }
          : {}),
      },
      warning.message,
    );
}

/**
 * Watches the config's files and their directories — a Kubernetes ConfigMap changes by swapping a symlink
 * beside the file — and reloads once per burst of events, only when what the files hold changed.
 */
function watchFiles(files: readonly string[], onChange: () => void, logger: Logger): FSWatcher[] {
  let timer: NodeJS.Timeout | undefined;
  let seen = fingerprint(files);
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const now = fingerprint(files);
      if (now === seen) return;
      seen = now;
      onChange();
    }, 300);
  };
  const paths = [...new Set(files.flatMap((file) => [file, dirname(file)]))];
  return paths.flatMap((path) => {
    try {
      return [watch(path, changed)];
    } catch (error) {
      logger.warn({ err: error, path }, "--watch: cannot watch this path; reload with SIGHUP");
      return [];
    }
  });
}

/** What the files hold now: their bytes, or for a directory its entries' names, sizes and times. */
function fingerprint(files: readonly string[]): string {
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(`\0${file}\0`);
    try {
      if (statSync(file).isDirectory())
        for (const entry of readdirSync(file).sort()) {
          const stat = statSync(join(file, entry));
          hash.update(`${entry}:${stat.size}:${stat.mtimeMs}\n`);
        }
      else hash.update(readFileSync(file));
    } catch {
      hash.update("missing");
    }
  }
  return hash.digest("hex");
}
