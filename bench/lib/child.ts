// Bench helpers: child processes of this repository's scripts, their RSS, medians.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface Child {
  child: ChildProcess;
  /** Resolves with the first stdout line matching `pattern`. */
  line(pattern: RegExp): Promise<string>;
  output(): string;
  exited: Promise<number | null>;
}

export function spawnScript(script: string, args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      const found = out.split("\n").find((l) => w.pattern.test(l));
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
    output: () => out,
    exited,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const found = out.split("\n").find((l) => pattern.test(l));
        if (found !== undefined) return resolve(found);
        waiters.push({ pattern, resolve });
        void exited.then((code) => reject(new Error(`${script} exited (${code}):\n${out}`)));
      }),
  };
}

export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) * 1024 : 0;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
