// Where pipeline files are read from: the disk, or the directory a Helm chart mounts its values into.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { ErrorCode, SluiceError } from "@sluice/core";
import { type ConfigText, fileText } from "./text.js";

/** The few file operations Logstash's `path.config` needs, so a Helm chart's mounted files can stand in for a disk. */
export interface ConfigFiles {
  /** What `path` is, or undefined when nothing is there. */
  kind(path: string): "file" | "directory" | undefined;
  /** The names in a directory (not sorted). */
  list(directory: string): string[];
  /** The text of a file, located in the file the user wrote. */
  read(path: string): ConfigText;
}

/** The disk. A file that is not valid UTF-8 is refused, as Logstash refuses it. */
export const diskFiles: ConfigFiles = {
  kind(path) {
    try {
      const stat = statSync(path);
      return stat.isDirectory() ? "directory" : stat.isFile() ? "file" : undefined;
    } catch {
      return undefined;
    }
  },
  list(directory) {
    return readdirSync(directory);
  },
  read(path) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (cause) {
      throw new SluiceError(ErrorCode.CONFIG, `${path}: cannot read the file (${(cause as Error).message})`, {
        cause,
      });
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch (cause) {
      throw new SluiceError(
        ErrorCode.CONFIG,
        `${path}: the file contains non-ascii characters but is not UTF-8 encoded (Logstash refuses it too)`,
        { cause },
      );
    }
    return fileText(path, text);
  },
};

/** A directory of texts held in memory, e.g. a Helm chart's `logstashPipeline` as mounted into the pod. */
export function mountedFiles(directory: string, files: ReadonlyMap<string, ConfigText>): ConfigFiles {
  const base = directory.replace(/\/+$/, "");
  const parents = new Set<string>(["/"]);
  for (let dir = base; dir !== "" && dir !== "/"; dir = dir.slice(0, dir.lastIndexOf("/")) || "/") {
    parents.add(dir);
  }
  const nameOf = (path: string): string | undefined =>
    path.startsWith(`${base}/`) && !path.slice(base.length + 1).includes("/")
      ? path.slice(base.length + 1)
      : undefined;
  return {
    kind(path) {
      const clean = path.length > 1 ? path.replace(/\/+$/, "") : path;
      if (parents.has(clean)) return "directory";
      const name = nameOf(clean);
      return name !== undefined && files.has(name) ? "file" : undefined;
    },
    list(dir) {
      const clean = dir.length > 1 ? dir.replace(/\/+$/, "") : dir;
      if (clean === base) return [...files.keys()];
      const below = [...parents].filter(
        (p) => p !== clean && p.startsWith(clean === "/" ? "/" : `${clean}/`),
      );
      return below
        .map((p) => p.slice(clean === "/" ? 1 : clean.length + 1))
        .filter((rest) => rest !== "" && !rest.includes("/"));
    },
    read(path) {
      const text = files.get(nameOf(path) ?? "");
      if (text === undefined) throw new SluiceError(ErrorCode.CONFIG, `${path}: no such mounted file`);
      return text;
    },
  };
}
