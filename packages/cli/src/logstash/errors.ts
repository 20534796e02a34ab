// The error a Logstash configuration Sluice cannot read is refused with: it names the file, line and column.
import { ErrorCode, SluiceError } from "@sluice/core";
import type { Position } from "./ast.js";

/** Formats a position as `file:line:column`, with the YAML key holding the text when there is one. */
export function formatPosition(position: Position): string {
  const where = `${position.file}:${position.line}:${position.column}`;
  return position.entry === undefined ? where : `${where} (${position.entry})`;
}

/**
 * A Logstash configuration that cannot be read: a syntax error (`expected` lists what Logstash's grammar
 * would have accepted there), or a config Logstash itself refuses. Code `SLUICE_ERR_CONFIG`; the message
 * starts with `file:line:column`.
 */
export class LogstashConfigError extends SluiceError {
  /** Where the problem is; for a file that cannot be read at all, its first line. */
  readonly position: Position;
  /** For a syntax error: what the grammar accepts at `position`, as Logstash lists it (`"{"`, `[0-9]`, ...). */
  readonly expected: readonly string[];
  /** An error at `position` whose message is `file:line:column: problem`. */
  constructor(
    position: Position,
    problem: string,
    options?: { expected?: readonly string[]; cause?: unknown },
  ) {
    super(
      ErrorCode.CONFIG,
      `${formatPosition(position)}: ${problem}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "LogstashConfigError";
    this.position = position;
    this.expected = options?.expected ?? [];
  }
}
