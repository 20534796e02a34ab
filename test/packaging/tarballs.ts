// Packs the workspace's packages as `npm publish` would upload them, and lints each tarball with publint and
// @arethetypeswrong/cli (attw).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../harness/process.js";
import { type CommandResult, runCommand } from "./command.js";

/** The published packages, by directory under packages/. */
export const PACKAGES = ["core", "source-kafka", "sink-elasticsearch", "transforms"] as const;

const bin = (name: string) => join(repoRoot, "node_modules", ".bin", name);

/** Packs every package into `dest` (pnpm pack: prepack builds, publishConfig applies); the tarballs' paths. */
export async function packAll(dest: string): Promise<string[]> {
  for (const dir of PACKAGES) {
    const packed = await runCommand("pnpm", ["pack", "--pack-destination", dest], {
      cwd: join(repoRoot, "packages", dir),
    });
    if (packed.code !== 0) throw new Error(`pnpm pack of packages/${dir} failed:\n${packed.output}`);
  }
  return readdirSync(dest)
    .filter((name) => name.endsWith(".tgz"))
    .map((name) => join(dest, name));
}

/** publint on a tarball, warnings and suggestions counted as failures. */
export function publint(tarball: string): Promise<CommandResult> {
  return runCommand(bin("publint"), ["run", tarball, "--strict"], { cwd: repoRoot });
}

/** attw on a tarball. */
export function attw(tarball: string): Promise<CommandResult> {
  // attw does not model Node's require(esm) yet (arethetypeswrong issue #252): the CommonJS consumer proves require().
  return runCommand(bin("attw"), [tarball, "--profile", "esm-only", "--format", "ascii"], { cwd: repoRoot });
}
