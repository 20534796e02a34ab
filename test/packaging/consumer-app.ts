// A user's application outside the workspace: a directory of its own under the system's temp directory that
// installs the packed tarballs with npm, holds the fixture consumers, and type-checks and compiles them.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../harness/process.js";
import { type CommandResult, runCommand } from "./command.js";

/** The fixture consumers under test/packaging/fixtures/: an ES module and a CommonJS one. */
export type Consumer = "esm" | "cjs";

/** The version of a tool the repository itself uses, so the app type-checks with the same compiler. */
function repoVersion(name: string): string {
  return (
    JSON.parse(readFileSync(join(repoRoot, "node_modules", name, "package.json"), "utf8")) as {
      version: string;
    }
  ).version;
}

/** Only the npm settings of this environment, not pnpm's own (npm warns about keys it does not know). */
function npmEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const name of Object.keys(process.env))
    if (/^pnpm_config_/i.test(name) || name === "npm_config_verify_deps_before_run") env[name] = undefined;
  return env;
}

export interface ConsumerApp {
  dir: string;
  /** The `npm install` of the tarballs, rxjs, typescript and @types/node. */
  install: CommandResult;
}

/**
 * Makes the application: its package.json, `npm install` of the tarballs (npm's cache is kept between runs),
 * and a copy of each fixture consumer in a directory of its own (each has its own package.json "type").
 */
export async function createConsumerApp(tarballs: readonly string[]): Promise<ConsumerApp> {
  const dir = mkdtempSync(join(tmpdir(), "sluice-consumer-app-"));
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "sluice-consumer-app", private: true }, null, 2)}\n`,
  );
  const tools = ["rxjs", "typescript", "@types/node"].map((name) => `${name}@${repoVersion(name)}`);
  const install = await runCommand(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", ...tarballs, ...tools],
    { cwd: dir, env: npmEnv(), timeoutMs: 180_000 },
  );
  for (const consumer of ["esm", "cjs"] as const)
    cpSync(join(repoRoot, "test", "packaging", "fixtures", consumer), join(dir, consumer), {
      recursive: true,
    });
  return { dir, install };
}

/** Type-checks a consumer with the app's typescript and, only when that passes, compiles it to `<consumer>/dist/`. */
export function compile(app: ConsumerApp, consumer: Consumer): Promise<CommandResult> {
  return runCommand(join(app.dir, "node_modules", ".bin", "tsc"), ["-p", join(consumer, "tsconfig.json")], {
    cwd: app.dir,
  });
}

/** The compiled consumer's entry, for plain `node`. */
export function entry(app: ConsumerApp, consumer: Consumer): string {
  return join(app.dir, consumer, "dist", "main.js");
}
