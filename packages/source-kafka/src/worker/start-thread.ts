// Starts the consumer thread of one source from its entry module; the thread ends with its source (none is
// kept waiting for a next one: a service creates its source once).
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { ErrorCode, SluiceConfigError, SluiceError } from "@sluice/core";

let running = 0;

/** Consumer threads started and not yet exited, in this process. */
export function runningThreads(): number {
  return running;
}

/**
 * The consumer thread's entry: `workerFile` when given (a path, relative to the working directory, or a
 * `file:` URL), else the module beside this one — the compiled JavaScript in a build, the TypeScript in
 * the sources, which only a process that loads TypeScript in its threads runs (the thread inherits the
 * process's flags and `--import`s). Throws at construction when the file is missing, as in a bundle.
 */
export function workerEntry(workerFile?: string | URL): URL {
  const url = workerFile === undefined ? besideThisModule() : givenFile(workerFile);
  if (url === undefined || !existsSync(fileURLToPath(url)))
    throw workerMissing(url, workerFile !== undefined);
  return url;
}

/** A new consumer thread on `entry` (from workerEntry), ready for `init`. */
export function startThread(entry: URL): Worker {
  const worker = new Worker(entry);
  running++;
  worker.once("exit", () => {
    running--;
  });
  return worker;
}

function besideThisModule(): URL | undefined {
  // A CommonJS bundle has no import.meta.url; any other bundle's points at the bundle, not at dist/worker/.
  const here = typeof import.meta.url === "string" ? import.meta.url : undefined;
  if (here === undefined || !here.startsWith("file:")) return undefined;
  return new URL(here.endsWith(".ts") ? "./consumer-worker.ts" : "./consumer-worker.js", here);
}

function givenFile(file: string | URL): URL {
  if (file instanceof URL) {
    if (file.protocol !== "file:")
      throw new SluiceConfigError("kafkaSource", "workerFile", "must be a file: URL");
    return file;
  }
  if (typeof file !== "string" || file === "")
    throw new SluiceConfigError("kafkaSource", "workerFile", "must be a path or a file: URL");
  if (file.startsWith("file:")) return new URL(file);
  return pathToFileURL(isAbsolute(file) ? file : resolve(file));
}

function workerMissing(url: URL | undefined, given: boolean): SluiceError {
  const where = url ? fileURLToPath(url) : "(this module has no file URL)";
  const fix = given
    ? "the `workerFile` option must name the built `@sluice/source-kafka/consumer-worker` module (or your bundle of it)"
    : "this usually means a bundler moved @sluice/source-kafka's code away from its dist/worker/ files. " +
      "Keep @sluice/source-kafka external to the bundle and install it beside it (esbuild --external:@sluice/source-kafka, " +
      "webpack externals), or bundle `@sluice/source-kafka/consumer-worker` as an entry point of its own and pass " +
      "that output file as the `workerFile` option";
  return new SluiceError(
    ErrorCode.KAFKA_WORKER_MISSING,
    `the Kafka consumer thread's file ${where} does not exist: ${fix}`,
  );
}
