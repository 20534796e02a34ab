// Reads a Vector configuration written in TOML; positions come from the lines of the tables and keys.
import { parse, TomlError } from "smol-toml";
import type { ConfigText } from "../logstash/text.js";
import { lineStarts } from "../logstash/text.js";
import type { OptionPath, VectorDocument } from "./document.js";
import { VectorConfigError } from "./errors.js";

/** Parses `input` as a Vector configuration in TOML. */
export function tomlDocument(input: ConfigText, file: string): VectorDocument {
  let value: Record<string, unknown>;
  try {
    value = parse(input.text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const starts = lineStarts(input.text);
      const offset = (starts[error.line - 1] ?? 0) + error.column - 1;
      throw new VectorConfigError(input.locate(offset), `invalid TOML: ${error.message.split("\n")[0]}`, {
        cause: error,
      });
    }
    throw error;
  }
  const lines = input.text.split("\n");
  const starts = lineStarts(input.text);
  // smol-toml keeps no positions, so an option is found as the first `key =` after its table's header.
  const where = (path: OptionPath) => {
    const keys = path.filter((part): part is string => typeof part === "string");
    for (let table = Math.min(keys.length, 2); table >= 1; table--) {
      const header = lines.findIndex((line) => headerOf(line) === keys.slice(0, table).join("."));
      if (header === -1) continue;
      const rest = keys.slice(table);
      const rel = rest.join(".");
      for (let i = header + 1; i < lines.length && rest.length > 0; i++) {
        const line = lines[i]!.trim();
        if (line.startsWith("[") && !headerOf(line)?.startsWith(keys.slice(0, table).join("."))) break;
        const sub = headerOf(line);
        if (sub !== undefined && keys.join(".").startsWith(sub)) continue;
        const key = line.split("=")[0]?.trim().replace(/^"|"$/g, "");
        const last = rest[rest.length - 1];
        if (key === rel || key === last) return input.locate(starts[i]! + lines[i]!.indexOf(line));
      }
      return input.locate(starts[header]!);
    }
    return input.locate(0);
  };
  return {
    file,
    value,
    where,
    textAt(path) {
      let node: unknown = value;
      for (const part of path) node = (node as Record<string | number, unknown> | undefined)?.[part];
      if (typeof node !== "string") return undefined;
      const at = where(path);
      const text = node;
      return {
        text,
        source: `${file} ${path.join(".")}`,
        locate(offset) {
          const before = text.slice(0, offset).split("\n");
          return {
            ...at,
            entry: `${path.join(".")} line ${before.length}, column ${before.at(-1)!.length + 1}`,
          };
        },
      };
    },
  };
}

function headerOf(line: string): string | undefined {
  const match = /^\s*\[([^\]]+)\]\s*(#.*)?$/.exec(line);
  return match?.[1]?.replace(/\s/g, "");
}
