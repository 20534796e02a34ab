// Consumer threads: started from the entry module beside this one, and kept warm between sources. A thread
// that hosted a source and shut it down cleanly waits, unreferenced, for the next source of the process:
// its isolate has kafkajs and the decoding paths compiled already, which a new thread must redo while
// its first records arrive (about a fifth of a short-lived pipeline's CPU, measured on the bench).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/** Idle threads kept at most, and how long each waits before it ends. */
const KEEP = 2;
const IDLE_MS = 30_000;

interface Kept {
  worker: Worker;
  timer: NodeJS.Timeout;
  exited: () => void;
}

const idle: Kept[] = [];

function forget(kept: Kept): void {
  clearTimeout(kept.timer);
  kept.worker.off("exit", kept.exited);
  const at = idle.indexOf(kept);
  if (at >= 0) idle.splice(at, 1);
}

/** Threads waiting for a source now. */
export function idleThreads(): number {
  return idle.length;
}

/** A thread ready for `init`: a warm one if one waits, else a new one. */
export function takeThread(): Worker {
  const kept = idle.at(-1);
  if (!kept) return startWorker(entry());
  forget(kept);
  kept.worker.ref();
  return kept.worker;
}

/** Keeps a thread whose source shut down cleanly for the next one, or ends it. */
export function giveBack(worker: Worker): void {
  if (idle.length >= KEEP) {
    void worker.terminate();
    return;
  }
  const kept: Kept = {
    worker,
    timer: setTimeout(() => {
      forget(kept);
      void worker.terminate();
    }, IDLE_MS).unref(),
    exited: () => forget(kept),
  };
  // A waiting thread keeps no process alive, and one that dies while waiting is forgotten.
  worker.unref();
  worker.once("exit", kept.exited);
  idle.push(kept);
}

/**
 * The worker's entry module beside this one: compiled JavaScript in a build, TypeScript when the package
 * runs from its sources (tests, tsx), where the thread registers tsx's loader before importing it.
 */
function entry(): URL {
  const fromSources = import.meta.url.endsWith(".ts");
  return new URL(fromSources ? "./consumer-worker.ts" : "./consumer-worker.js", import.meta.url);
}

function startWorker(url: URL): Worker {
  if (!url.pathname.endsWith(".ts")) return new Worker(url);
  const bootstrap = `import(${JSON.stringify(tsxEsmApi())}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { eval: true, execArgv: sourceExecArgv() });
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
