// Runs an example script as a child process, the way `pnpm demo` / `pnpm example:insight-logs` do.
import { type ScriptRun, spawnScript } from "../harness/process.js";

export type ExampleRun = ScriptRun;

/** `env` is laid over this process's environment; a value of undefined removes the variable. */
export function runExample(script: string, env: Record<string, string | undefined>): ExampleRun {
  return spawnScript(script, { env, stdin: "ignore" });
}
