// Child processes of this repository's TypeScript scripts (tests, examples, benchmarks), run through tsx
// on the packages' sources, with their output kept; and a process's resident set size.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface ScriptRun {
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Everything it wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first line of its output matching `pattern`; rejects if it exits first. */
  line(pattern: RegExp): Promise<string>;
}

export interface ScriptOptions {
  args?: readonly string[];
  /** Node's own flags for the script's process (V8's among them), before the script. */
  nodeArgs?: readonly string[];
  /** Laid over this process's environment; a value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  /** `pipe` keeps stdin open while this process lives (the launchers and pipelines exit when it closes). */
  stdin?: "pipe" | "ignore";
}

/** Registers tsx in worker threads too (the Kafka source's consumer thread runs from the sources). */
export const tsThreads = fileURLToPath(new URL("../../scripts/ts-threads.mjs", import.meta.url));

/** Node's arguments for running `script` (a path from the repository's root) through tsx on the sources. */
export function scriptArgv(script: string, options: Pick<ScriptOptions, "args" | "nodeArgs"> = {}): string[] {
  return [
    ...(options.nodeArgs ?? []),
    "--conditions=source",
    "--import",
    "tsx",
    "--import",
    tsThreads,
    script,
    ...(options.args ?? []),
  ];
}

export function spawnScript(script: string, options: ScriptOptions = {}): ScriptRun {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...options.env }))
    if (value !== undefined) env[name] = value;
  const child = spawn(process.execPath, scriptArgv(script, options), {
    cwd: repoRoot,
    env,
    stdio: [options.stdin ?? "pipe", "pipe", "pipe"],
  });
  let out = "";
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const find = (pattern: RegExp) => out.split("\n").find((l) => pattern.test(l));
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      const found = find(w.pattern);
      if (found !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(found);
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => out,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const found = find(pattern);
        if (found !== undefined) return resolve(found);
        waiters.push({ pattern, resolve });
        void exited.then((code) => reject(new Error(`${script} exited (${code}):\n${out}`)));
      }),
  };
}

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) * 1024 : 0;
}
