// Runs a command to its end with its output kept, for the packaging test's tools (pnpm, npm, tsc, node).
import { spawn } from "node:child_process";

export interface CommandResult {
  /** The exit code; null when it was killed (by the timeout or a signal). */
  code: number | null;
  /** stdout and stderr interleaved. */
  output: string;
  /** stdout alone. */
  stdout: string;
}

export interface CommandOptions {
  cwd: string;
  /** Laid over this process's environment; a value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  /** Killed after this long (ms). */
  timeoutMs?: number;
}

export function runCommand(
  command: string,
  args: readonly string[],
  options: CommandOptions,
): Promise<CommandResult> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...options.env }))
    if (value !== undefined) env[name] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, stdout });
    });
  });
}

/** A command's line for a test log: what ran, where, how it ended and what it said. */
export function described(what: string, result: CommandResult): string {
  return `$ ${what} → exit ${result.code}\n${result.output}`;
}
