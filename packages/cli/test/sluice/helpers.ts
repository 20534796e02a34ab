// Shared by the Sluice config tests: write a config to a fresh directory, load it, run a pipeline's stages.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Plan } from "../../src/plan.js";
import { SluiceConfigFileError } from "../../src/sluice/errors.js";
import { type LoadSluiceConfigOptions, loadSluiceConfig } from "../../src/sluice/load.js";

/** A new directory holding `files` (name → content); returns its path. */
export function directoryWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "sluice-config-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** The plan of `text` written as `name` (in a directory with `files` beside it). */
export async function load(
  text: string,
  options: LoadSluiceConfigOptions & { name?: string; files?: Record<string, string> } = {},
): Promise<Plan> {
  const name = options.name ?? "sluice.yaml";
  const dir = directoryWith({ ...options.files, [name]: text });
  return loadSluiceConfig(join(dir, name), {
    env: options.env ?? {},
    ...(options.stages ? { stages: options.stages } : {}),
  });
}

/** The error loading `text` fails with; its message with the directory taken out. */
export async function refusal(
  text: string,
  options: LoadSluiceConfigOptions & { name?: string; files?: Record<string, string> } = {},
): Promise<{ error: SluiceConfigFileError; message: string }> {
  try {
    await load(text, options);
  } catch (error) {
    if (!(error instanceof SluiceConfigFileError)) throw error;
    return { error, message: error.message.replace(/^\/[^:]*\/sluice-config-[^/]+\//, "") };
  }
  throw new Error("the config was loaded, not refused");
}

/** A minimal config: one pipeline into one target, with `stages` (YAML lines under `stages:`) and more top-level lines. */
export function config(parts: { stages?: string; target?: string; top?: string } = {}): string {
  return [
    "kafka:",
    "  brokers: localhost:9092",
    "elasticsearch:",
    "  node: http://localhost:9200",
    ...(parts.top === undefined ? [] : [parts.top]),
    "pipelines:",
    "  - name: logs",
    "    source:",
    "      topics: [logs]",
    "      groupId: sluice-logs",
    ...(parts.stages === undefined ? [] : ["    stages:", parts.stages]),
    "    targets:",
    "      - name: es",
    ...(parts.target === undefined ? [] : [parts.target]),
    "        elasticsearch:",
    "          index: logs",
  ].join("\n");
}

// The same stage runner as the Vector planner tests use.
export { run } from "../vector/helpers.js";
