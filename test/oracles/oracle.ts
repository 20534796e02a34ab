// The real engines Sluice's transforms mirror (VRL, Joda-Time, Ruby's regex engine) as long-lived child
// processes that answer one JSON line per JSON line, built once into a cache outside the work tree.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { createInterface } from "node:readline";
import fc from "fast-check";
import { describe, it } from "vitest";

/** Where oracle `name` is built: $XDG_CACHE_HOME (or ~/.cache)/sluice/oracles/<name>@<key>/. */
export function oracleDir(name: string, key: string): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cache, "sluice", "oracles", `${name}@${key}`);
}

/** A short hash of the files an oracle is built from (its sources and the pins of its versions). */
export function oracleKey(files: readonly string[]): string {
  const hash = createHash("sha256");
  for (const file of files) hash.update(basename(file)).update("\0").update(readFileSync(file));
  return hash.digest("hex").slice(0, 12);
}

/**
 * Builds oracle `name` into `dir` unless `built()` says it is there: `build` fills a temporary folder beside
 * `dir`, renamed into place only when it is complete, so an interrupted build is never taken for one.
 * Prints scripts/setup's line for it, with the build's time.
 */
export async function buildOracleOnce(
  name: string,
  dir: string,
  built: () => boolean,
  build: (temp: string) => Promise<void>,
): Promise<void> {
  if (built()) {
    console.log(`setup: ${name} oracle at ${dir} (cached)`);
    return;
  }
  const started = Date.now();
  await mkdir(dirname(dir), { recursive: true });
  const temp = await mkdtemp(`${dir}.tmp-`);
  try {
    await build(temp);
    await rm(dir, { recursive: true, force: true });
    await rename(temp, dir).catch(async (error: NodeJS.ErrnoException) => {
      // Another setup finished first: its build is the same.
      if (!built()) throw error;
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  console.log(`setup: ${name} oracle built at ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** One running oracle: requests are answered in order, one JSON line each. */
export class OracleProcess {
  readonly #child: ChildProcess;
  readonly #pending: Array<{ resolve: (answer: unknown) => void; reject: (error: Error) => void }> = [];
  #stderr = "";
  #exited: Error | undefined;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
  ) {
    this.#child = spawn(command, [...args], { stdio: ["pipe", "pipe", "pipe"] });
    this.#child.stderr!.on("data", (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-8192);
    });
    createInterface({ input: this.#child.stdout! }).on("line", (line) => {
      const waiter = this.#pending.shift();
      if (!waiter) return;
      try {
        waiter.resolve(JSON.parse(line));
      } catch {
        waiter.reject(new Error(`oracle ${name} answered something that is not JSON: ${line.slice(0, 500)}`));
      }
    });
    const fail = (why: string) => {
      this.#exited = new Error(`oracle ${name} ${why}\n${this.#stderr}`);
      for (const waiter of this.#pending.splice(0)) waiter.reject(this.#exited);
    };
    this.#child.once("error", (error) => fail(`could not start: ${error.message}`));
    this.#child.once("exit", (code, signal) => fail(`exited (${signal ?? code})`));
  }

  /** Sends one request and resolves with the oracle's answer to it. */
  ask<T>(request: unknown): Promise<T> {
    if (this.#exited) return Promise.reject(this.#exited);
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ resolve: resolve as (answer: unknown) => void, reject });
      this.#child.stdin!.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Closes its input (the oracle exits on end of input) and waits for it to go. */
  async close(): Promise<void> {
    if (this.#exited) return;
    const gone = new Promise<void>((resolve) => this.#child.once("exit", () => resolve()));
    this.#child.stdin!.end();
    await gone;
  }
}

/** An oracle's build, as the tests find it: the command that starts it, or why there is none. */
export type OracleBuild =
  | { readonly present: true; readonly command: string; readonly args: readonly string[] }
  | { readonly present: false; readonly missing: string };

/** The build when every one of `files` exists, else why not and how to get it. */
export function oracleBuild(
  name: string,
  files: readonly string[],
  command: string,
  args: readonly string[],
): OracleBuild {
  const absent = files.find((file) => !existsSync(file));
  if (absent === undefined) return { present: true, command, args };
  return { present: false, missing: `${absent} is missing: run ./scripts/setup to build the ${name} oracle` };
}

/**
 * A describe() whose tests need the oracle: in CI a missing build fails the suite; on a developer's machine
 * it is skipped with a warning on stderr that says so and how to build it.
 */
export function describeWithOracle(name: string, build: OracleBuild, body: () => void): void {
  if (build.present) {
    describe(`against ${name}`, body);
    return;
  }
  if (process.env.CI) {
    describe(`against ${name}`, () => {
      it("has its oracle built", () => {
        throw new Error(`the ${name} oracle is required in CI: ${build.missing}`);
      });
    });
    return;
  }
  process.stderr.write(
    `\n!!! ORACLE ${name.toUpperCase()} NOT BUILT: its differential tests are SKIPPED. ${build.missing}\n\n`,
  );
  describe.skip(`against ${name} (NOT BUILT: ${build.missing})`, body);
}

/** The seed of the generated cases: fixed, so a run repeats; SLUICE_ORACLE_SEED replays another. */
export function oracleSeed(): number {
  const given = process.env.SLUICE_ORACLE_SEED;
  if (given === undefined || given === "") return 20261207;
  const seed = Number(given);
  if (!Number.isInteger(seed))
    throw new Error(`SLUICE_ORACLE_SEED must be an integer, got ${JSON.stringify(given)}`);
  return seed;
}

/**
 * Runs `check` on `runs` cases drawn from `cases` with the oracle seed; the first case that fails (shrunk) is
 * reported as a JSON literal that can be pasted into a pinned test.
 */
export async function agreeOnGeneratedCases<T>(
  cases: fc.Arbitrary<T>,
  runs: number,
  check: (input: T) => Promise<void>,
): Promise<void> {
  const details = await fc.check(fc.asyncProperty(cases, check), { seed: oracleSeed(), numRuns: runs });
  if (!details.failed) return;
  const error =
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(
    `a generated case disagrees (seed ${details.seed}, path "${details.counterexamplePath}", ${details.numShrinks} shrinks):\n` +
      `${JSON.stringify(details.counterexample?.[0], null, 2)}\n${error}`,
  );
}
