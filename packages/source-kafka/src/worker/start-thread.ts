// Starts the consumer thread of one source from the entry module beside this one; the thread ends with
// its source (none is kept waiting for a next one: a service creates its source once).
import { Worker } from "node:worker_threads";

let running = 0;

/** Consumer threads started and not yet exited, in this process. */
export function runningThreads(): number {
  return running;
}

/**
 * A new consumer thread, ready for `init`. Its entry is the compiled JavaScript beside this module in a
 * build, the TypeScript in the sources, which only a process that loads TypeScript in its threads runs
 * (the thread inherits the process's flags and `--import`s).
 */
export function startThread(): Worker {
  const fromSources = import.meta.url.endsWith(".ts");
  const worker = new Worker(
    new URL(fromSources ? "./consumer-worker.ts" : "./consumer-worker.js", import.meta.url),
  );
  running++;
  worker.once("exit", () => {
    running--;
  });
  return worker;
}
