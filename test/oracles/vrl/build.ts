// Builds the VRL oracle into its cache ahead of the tests (scripts/setup runs it): cargo builds it with
// its target folder in the build's temporary folder, so a clone or CI builds it once per change of its sources.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import { buildOracleOnce } from "../oracle.js";
import { VRL_ORACLE_CRATE, vrlOraclePath } from "./client.js";

const run = promisify(execFile);

/** The cargo command: on PATH, or where rustup installs it. */
function cargoCommand(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":"))
    if (dir && existsSync(join(dir, "cargo"))) return join(dir, "cargo");
  const rustup = join(process.env.CARGO_HOME || join(homedir(), ".cargo"), "bin", "cargo");
  return existsSync(rustup) ? rustup : undefined;
}

const path = vrlOraclePath();
const cargo = cargoCommand();
if (!existsSync(path) && cargo === undefined) {
  // CI must judge with the oracle; a developer without Rust still runs everything else, and is told.
  if (process.env.CI) throw new Error("cargo (Rust 1.95 or newer) is needed to build the VRL oracle in CI");
  console.log(
    "setup: WARNING: no cargo (Rust 1.95+), so the VRL oracle is not built and its tests will be SKIPPED",
  );
  process.exit(0);
}
await buildOracleOnce(
  "vrl",
  dirname(path),
  () => existsSync(path),
  async (temp) => {
    const target = join(temp, "target");
    try {
      await run(
        cargo!,
        ["build", "--locked", "--quiet", "--manifest-path", join(VRL_ORACLE_CRATE, "Cargo.toml")],
        { env: { ...process.env, CARGO_TARGET_DIR: target }, maxBuffer: 64 * 1024 * 1024 },
      );
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? "";
      throw new Error(`building the VRL oracle failed: ${stderr || String(error)}`);
    }
    // Only the binary is kept: a change of the sources builds into a new folder anyway.
    await copyFile(join(target, "debug", "sluice-vrl-oracle"), join(temp, basename(path)));
    await rm(target, { recursive: true, force: true });
  },
);
