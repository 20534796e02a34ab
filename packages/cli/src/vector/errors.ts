// The error a Vector configuration Sluice cannot plan is refused with: it names the file, line and option.
import { ErrorCode, SluiceError } from "@sluice/core";
import type { Position } from "../logstash/ast.js";
import { formatPosition } from "../logstash/errors.js";

/**
 * A Vector configuration Sluice cannot read or run: a syntax error, a component or option Sluice does not
 * support, or a graph Vector itself refuses. Code `SLUICE_ERR_CONFIG`; the message starts with
 * `file:line:column`.
 */
export class VectorConfigError extends SluiceError {
  /** Where the problem is. */
  readonly position: Position;
  /** The option's path, e.g. `sinks.es.bulk.index`, when the problem is one option. */
  readonly option: string | undefined;
  /** An error at `position` whose message is `file:line:column: problem`. */
  constructor(position: Position, problem: string, options?: { option?: string; cause?: unknown }) {
    super(
      ErrorCode.CONFIG,
      `${formatPosition(position)}: ${problem}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "VectorConfigError";
    this.position = position;
    this.option = options?.option;
  }
}
