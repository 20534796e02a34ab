// Reads a Sluice config (YAML, or JSON, which is YAML) into plain data, interpolated, with the way back from any option to its line.
import { type Document, isAlias, isMap, isScalar, isSeq, type Node, parseDocument, type Scalar } from "yaml";
import type { Position } from "../logstash/ast.js";
import { type ConfigText, fileText, scalarText } from "../logstash/text.js";
import { scalarConfigText } from "../logstash/yaml-text.js";
import { type OptionPath, pathText } from "../vector/document.js";
import { optionOffset } from "../vector/yaml-document.js";
import { SluiceConfigFileError } from "./errors.js";
import { type InterpolationContext, interpolate } from "./interpolate.js";

/** A parsed Sluice config. */
export interface ConfigDocument {
  /** The file it was read from, as given. */
  readonly file: string;
  /** Its top-level table, interpolated. */
  readonly value: Record<string, unknown>;
  /** Values read from secret files: no message may show them. */
  readonly secrets: readonly string[];
  /** Where the option at `path` is written (its key; an array item where the item is), else its nearest parent. */
  where(path: OptionPath): Position;
  /** An error at the option `path`. */
  refuse(path: OptionPath, problem: string, cause?: unknown): SluiceConfigFileError;
  /** For a string option: its text, whose offsets map to the file (to the value's start once interpolated). */
  textAt(path: OptionPath): ConfigText | undefined;
}

// Options whose interpolated value counts as a secret, wherever it came from.
const CREDENTIAL = /^(password|apiKey|bearer)$/;
// YAML's own reading of a plain scalar, for a value that was one reference and is now, say, a port number.
const NUMBER = /^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;

/** Parses `text` (the content of `file`) and interpolates its string values. */
export function configDocument(text: string, file: string, context: InterpolationContext): ConfigDocument {
  const input = fileText(file, text);
  const document = parseDocument(text, { uniqueKeys: true });
  const error = document.errors[0];
  if (error !== undefined)
    throw new SluiceConfigFileError(
      input.locate(error.pos[0]),
      "",
      `invalid YAML: ${error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
    );
  if (!isMap(document.contents))
    throw new SluiceConfigFileError(input.locate(0), "", "a Sluice config must be a table of options");
  inlineAliases(document, document.contents);
  const secrets: string[] = [];
  const interpolated = new Set<string>();

  const where = (path: OptionPath) =>
    input.locate(optionOffset(document, path, document.contents?.range?.[0] ?? 0));

  const expand = (node: Scalar, path: OptionPath) => {
    if (typeof node.value !== "string") return;
    let result: ReturnType<typeof interpolate>;
    try {
      result = interpolate(node.value, context);
    } catch (problem) {
      throw new SluiceConfigFileError(where(path), pathText(path), (problem as Error).message);
    }
    if (!result.changed) return;
    secrets.push(...result.secrets);
    // A credential from the environment is as secret as one from a file.
    if (CREDENTIAL.test(String(path.at(-1))) && result.value !== "") secrets.push(result.value);
    interpolated.add(JSON.stringify(path));
    const value = result.value;
    // An unquoted `${PORT}` reads as YAML reads `9464`; quoting it keeps a string.
    if (result.whole && node.type === "PLAIN" && NUMBER.test(value)) node.value = Number(value);
    else if (result.whole && node.type === "PLAIN" && (value === "true" || value === "false"))
      node.value = value === "true";
    else node.value = value;
  };
  const walk = (node: unknown, path: OptionPath): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        walk(pair.value, [...path, String(key)]);
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) walk(item, [...path, i]);
    } else if (isScalar(node)) {
      expand(node, path);
    }
  };
  walk(document.contents, []);

  return {
    file,
    value: document.toJS() as Record<string, unknown>,
    secrets,
    where,
    refuse(path, problem, cause) {
      const clean = redact(problem, secrets);
      // A cause that quoted a secret would show it wherever causes are printed.
      const options = clean === problem && cause !== undefined ? { cause } : undefined;
      return new SluiceConfigFileError(where(path), pathText(path), clean, options);
    },
    textAt(path) {
      const node = document.getIn(path, true);
      if (!isScalar(node) || typeof node.value !== "string") return undefined;
      const label = pathText(path);
      const start = node.range?.[0] ?? 0;
      if (interpolated.has(JSON.stringify(path))) return scalarText(input, node.value, start, label);
      // A one-line scalar written without escapes maps character for character.
      const quote = node.type === "QUOTE_SINGLE" || node.type === "QUOTE_DOUBLE" ? 1 : 0;
      const written = text.slice(start + quote, start + quote + node.value.length);
      if (
        node.type !== "BLOCK_LITERAL" &&
        node.type !== "BLOCK_FOLDED" &&
        written === node.value &&
        !node.value.includes("\n")
      )
        return {
          text: node.value,
          source: `${file} ${label}`,
          locate: (offset) => ({ ...input.locate(start + quote + offset), entry: label }),
        };
      return scalarConfigText(input, node, label);
    },
  };
}

/**
 * Replaces each alias (`*targets`) by a copy of the node it names, so every option has a node of its own:
 * looked up by path, interpolated once, and placed at the anchor's line in messages.
 */
function inlineAliases(document: Document, node: unknown): void {
  const copy = (value: unknown): unknown => {
    if (!isAlias(value)) return value;
    const target = value.resolve(document);
    return target === undefined ? value : (target as Node).clone();
  };
  if (isMap(node))
    for (const pair of node.items) {
      pair.value = copy(pair.value) as typeof pair.value;
      inlineAliases(document, pair.value);
    }
  else if (isSeq(node))
    for (const [i, item] of node.items.entries()) {
      node.items[i] = copy(item) as (typeof node.items)[number];
      inlineAliases(document, node.items[i]);
    }
}

/** `text` with every secret's value replaced, for messages built from errors that may quote options. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.replaceAll(secret, "***");
  return out;
}
