// The `sluice` command as a function: what the binary runs, and what a script or test can call.
import { readFileSync } from "node:fs";
import { ErrorCode, SluiceError } from "@sluice/core";
import { parseCommandLine, USAGE } from "./args.js";
import { checkCommand } from "./check.js";
import { type CommandIo, processIo } from "./io.js";
import { migrateCommand } from "./migrate.js";
import { runCommand } from "./run.js";

/**
 * Runs `sluice <argv…>` (without `node` and the script) and resolves with its exit code: 0 done, 1 a
 * failure at run time or a failed check, 2 a config or command-line error (the message names the file,
 * line and option, or the flag). Output goes to `io` (default: the process's streams).
 */
export async function sluice(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  try {
    const line = parseCommandLine(argv, io.env);
    switch (line.command) {
      case "help":
        io.out(USAGE);
        return 0;
      case "version": {
        const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
          version: string;
        };
        io.out(manifest.version);
        return 0;
      }
      case "run":
        return await runCommand({ ...line, input: line.input! }, io);
      case "check":
        return await checkCommand({ ...line, input: line.input! }, io);
      case "migrate":
        return await migrateCommand({ ...line, input: line.input! }, io);
    }
  } catch (error) {
    io.err(`sluice: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof SluiceError && error.code === ErrorCode.CONFIG ? 2 : 1;
  }
}
