// Reads YAML (Helm values, pipelines.yml) keeping the way back from a string inside it to the YAML file's lines.
import { type Document, isScalar, type Node, parseDocument } from "yaml";
import { LogstashConfigError } from "./errors.js";
import { type ConfigText, embeddedText, lineOf, lineStarts, scalarText } from "./text.js";

/** Parses `input` as one YAML document; a YAML error is refused at its line and column. */
export function parseYaml(input: ConfigText): Document.Parsed {
  const document = parseDocument(input.text, { uniqueKeys: true });
  const error = document.errors[0];
  if (error !== undefined) {
    const offset = error.pos[0];
    throw new LogstashConfigError(input.locate(offset), `invalid YAML: ${error.message.split("\n")[0]}`);
  }
  return document;
}

/**
 * The string `node` holds, as a text whose positions are in `parent`'s file. A literal block (`|`), the
 * form Helm values use, maps line for line; another form (quoted, folded) points at the scalar's start.
 */
export function scalarConfigText(parent: ConfigText, node: Node, entry: string): ConfigText {
  if (!isScalar(node) || typeof node.value !== "string") {
    const at = node.range === undefined || node.range === null ? 0 : node.range[0];
    throw new LogstashConfigError(parent.locate(at), `${entry} must be a string`);
  }
  const value = node.value;
  const start = node.range?.[0] ?? 0;
  if (node.type === "BLOCK_LITERAL") {
    const mapped = literalBlock(parent, value, start, entry);
    if (mapped !== undefined) return mapped;
  }
  return scalarText(parent, value, start, entry);
}

function literalBlock(
  parent: ConfigText,
  value: string,
  start: number,
  entry: string,
): ConfigText | undefined {
  const starts = lineStarts(parent.text);
  const firstLine = lineOf(starts, start) + 1;
  const sourceLine = (i: number) => {
    const from = starts[firstLine + i];
    if (from === undefined) return undefined;
    const to = starts[firstLine + i + 1] ?? parent.text.length;
    return parent.text.slice(from, to).replace(/\r?\n$/, "");
  };
  const lines = value.split("\n");
  let last = lines.length - 1;
  while (last >= 0 && lines[last] === "") last--;
  const firstText = lines.findIndex((line) => line !== "");
  if (firstText === -1) return embeddedText(parent, value, firstLine, 0, entry);
  const firstSource = sourceLine(firstText);
  if (firstSource === undefined) return undefined;
  const indent = firstSource.length - lines[firstText]!.length;
  for (let i = 0; i <= last; i++) {
    const source = sourceLine(i);
    const line = lines[i]!;
    if (source === undefined) return undefined;
    const fits = line === "" ? source.trim() === "" : source.slice(indent) === line;
    if (!fits || source.slice(0, indent).trim() !== "") return undefined;
  }
  return embeddedText(parent, value, firstLine, indent, entry);
}
