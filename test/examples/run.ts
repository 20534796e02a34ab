// Runs an example script as a child process, the way `pnpm demo` / `pnpm example:insight-logs` do.
import { type ChildProcess, spawn } from "node:child_process";
import { repoRoot } from "../pipeline/helpers.js";

export interface ExampleRun {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
}

/** `env` is laid over this process's environment; a value of undefined removes the variable. */
export function runExample(script: string, env: Record<string, string | undefined>): ExampleRun {
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...env }))
    if (value !== undefined) merged[name] = value;
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", script], {
    cwd: repoRoot,
    env: merged,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => out };
}
