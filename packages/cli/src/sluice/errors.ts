// The error a Sluice config that cannot be loaded is refused with: it names the file, line:column and the option.
import { ErrorCode, SluiceError } from "@sluice/core";
import type { Position } from "../logstash/ast.js";

/**
 * A Sluice config that cannot be loaded: invalid YAML or JSON, an option its schema refuses, an unset
 * variable, a secret file that cannot be read, a stage that cannot be built. Code `SLUICE_ERR_CONFIG`; the
 * message starts with `file:line:column option.path:` and never holds a secret's value.
 */
export class SluiceConfigFileError extends SluiceError {
  /** Where the problem is. */
  readonly position: Position;
  /** The option's path, e.g. `pipelines[0].targets[1].elasticsearch.index`; empty for the whole file. */
  readonly option: string;
  /** An error at `position` whose message is `file:line:column option: problem`. */
  constructor(position: Position, option: string, problem: string, options?: { cause?: unknown }) {
    super(
      ErrorCode.CONFIG,
      `${where(position, option)}${option === "" ? "" : ` ${option}`}: ${problem}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "SluiceConfigFileError";
    this.position = position;
    this.option = option;
  }
}

/** `file:line:column`, with what the position's entry adds to the option (a line inside a quoted text). */
function where(position: Position, option: string): string {
  const at = `${position.file}:${position.line}:${position.column}`;
  const entry = position.entry;
  if (entry === undefined) return at;
  const rest = entry.startsWith(option) ? entry.slice(option.length).trim() : entry;
  return rest === "" ? at : `${at} (${rest})`;
}
