// Expands a `path.config` as Logstash does: a directory means its files, a glob is Ruby's Dir.glob, sorted by name.
import { Buffer } from "node:buffer";
import type { ConfigFiles } from "./config-files.js";

/** The files a `path.config` names, in the order Logstash reads them, and the backup files (`~`) it skips. */
export interface ExpandedConfigPath {
  /** The files, sorted byte by byte as Ruby sorts strings. */
  readonly files: readonly string[];
  /** Matches ending in `~`, which Logstash skips as editor backups. */
  readonly skipped: readonly string[];
}

/**
 * The files `path` names for Logstash's `path.config`: a directory stands for `directory/*`; globs
 * (`*`, `?`, `[…]`, `{a,b}`, `**`) match as Ruby's `Dir.glob` (hidden names only when the pattern says `.`);
 * the matches are sorted, directories dropped and names ending in `~` skipped.
 */
export function expandConfigPath(files: ConfigFiles, path: string): ExpandedConfigPath {
  const pattern = files.kind(path) === "directory" ? `${path.replace(/\/+$/, "")}/*` : path;
  const matches = new Set<string>();
  for (const expanded of expandBraces(pattern)) {
    const segments = expanded.split("/").filter((segment) => segment !== "");
    walk(files, expanded.startsWith("/") ? "/" : "", segments, 0, matches);
  }
  const sorted = [...matches]
    .filter((match) => files.kind(match) === "file")
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return {
    files: sorted.filter((file) => !file.endsWith("~")),
    skipped: sorted.filter((file) => file.endsWith("~")),
  };
}

function walk(files: ConfigFiles, prefix: string, segments: readonly string[], i: number, out: Set<string>) {
  const segment = segments[i];
  if (segment === undefined) {
    if (prefix !== "" && files.kind(prefix) !== undefined) out.add(prefix);
    return;
  }
  if (!/[*?[{\\]/.test(segment)) {
    walk(files, join(prefix, segment), segments, i + 1, out);
    return;
  }
  const directory = prefix === "" ? "." : prefix;
  if (files.kind(directory) !== "directory") return;
  const names = files.list(directory).filter((name) => !name.startsWith(".") || segment.startsWith("."));
  if (segment === "**" && i < segments.length - 1) {
    walk(files, prefix, segments, i + 1, out);
    for (const name of names) {
      const child = join(prefix, name);
      if (files.kind(child) === "directory") walk(files, child, segments, i, out);
    }
    return;
  }
  const matcher = segmentPattern(segment);
  for (const name of names) if (matcher.test(name)) walk(files, join(prefix, name), segments, i + 1, out);
}

function join(prefix: string, name: string): string {
  return prefix === "" ? name : prefix === "/" ? `/${name}` : `${prefix}/${name}`;
}

/** One path segment of a glob as a regular expression. */
function segmentPattern(segment: string): RegExp {
  let source = "";
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i]!;
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else if (char === "\\" && i + 1 < segment.length) source += escapeRegExp(segment[++i]!);
    else if (char === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end === -1) {
        source += "\\[";
        continue;
      }
      let set = segment.slice(i + 1, end);
      const negated = set.startsWith("!") || set.startsWith("^");
      if (negated) set = set.slice(1);
      source += `[${negated ? "^" : ""}${set.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, "s");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** `a{b,c}d` → `abd`, `acd` (nested braces too), as Ruby's glob expands them. */
function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf("{");
  if (open === -1) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "{") depth++;
    else if (char === "}" && --depth === 0) {
      const cuts = [open, ...commas, i];
      const head = pattern.slice(0, open);
      const tail = pattern.slice(i + 1);
      return cuts
        .slice(0, -1)
        .flatMap((cut, k) => expandBraces(`${head}${pattern.slice(cut + 1, cuts[k + 1])}${tail}`));
    } else if (char === "," && depth === 1) commas.push(i);
  }
  return [pattern];
}
