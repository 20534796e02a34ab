// Where a command writes and how it ends: the process's streams in the binary, captures in tests.
/** A command's outputs and environment. */
export interface CommandIo {
  /** Writes a line to standard output. */
  out(line: string): void;
  /** Writes a line to standard error. */
  err(line: string): void;
  /** Ends the process at once (a second stop signal). */
  exit(code: number): void;
  readonly env: NodeJS.ProcessEnv;
}

/** The process's own streams and environment. */
export function processIo(): CommandIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    exit: (code) => process.exit(code),
    env: process.env,
  };
}
