// Parses a Logstash config given as a string: the entry point for text that is not in a file.
import type { LsConfigText } from "./ast.js";
import { type ParseOptions, parseConfigText } from "./parser.js";
import { fileText } from "./text.js";

export type { ParseOptions } from "./parser.js";

/**
 * Parses one Logstash pipeline config text; positions name `file` (default `config`). Throws
 * {@link LogstashConfigError} at the first syntax error or construct Logstash refuses.
 */
export function parseLogstashConfig(
  text: string,
  options: ParseOptions & { file?: string } = {},
): LsConfigText {
  return parseConfigText(fileText(options.file ?? "config", text), options);
}
