#!/usr/bin/env node
// The `sluice` command.
import { readFileSync } from "node:fs";
import { ErrorCode, SluiceError } from "@sluice/core";
import { parseCommandLine, USAGE } from "./command/args.js";
import { processIo } from "./command/io.js";
import { runCommand } from "./command/run.js";

const io = processIo();

async function main(): Promise<number> {
  const line = parseCommandLine(process.argv.slice(2), process.env);
  switch (line.command) {
    case "help":
      io.out(USAGE);
      return 0;
    case "version": {
      const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
        version: string;
      };
      io.out(manifest.version);
      return 0;
    }
    case "run":
      return runCommand({ ...line, input: line.input! }, io);
    default:
      io.err(`sluice: ${line.command} is not available yet`);
      return 2;
  }
}

main().then(
  // The command ends the process: a client library's lingering timer must not keep a stopped service alive.
  (code) => process.exit(code),
  (error: unknown) => {
    io.err(`sluice: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof SluiceError && error.code === ErrorCode.CONFIG ? 2 : 1;
  },
);
