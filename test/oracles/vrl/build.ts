// Builds the VRL oracle into its cache ahead of the tests (scripts/setup runs it): cargo builds it with
// its target folder in the cache, so a clone or CI builds it once per change of its sources.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { VRL_ORACLE_CRATE, vrlOraclePath } from "./client.js";

const run = promisify(execFile);

/** The cargo command: on PATH, or where rustup installs it. */
function cargoCommand(): string {
  for (const dir of (process.env.PATH ?? "").split(":"))
    if (dir && existsSync(join(dir, "cargo"))) return join(dir, "cargo");
  const rustup = join(process.env.CARGO_HOME || join(homedir(), ".cargo"), "bin", "cargo");
  if (existsSync(rustup)) return rustup;
  throw new Error("cargo is needed to build the VRL oracle (install Rust with rustup)");
}

const path = vrlOraclePath();
if (!existsSync(path)) {
  const dir = dirname(path);
  // A target folder per build: two setups building the same oracle at once never share one.
  const target = join(dir, `target.${process.pid}`);
  await mkdir(dir, { recursive: true });
  try {
    await run(
      cargoCommand(),
      ["build", "--locked", "--quiet", "--manifest-path", join(VRL_ORACLE_CRATE, "Cargo.toml")],
      { env: { ...process.env, CARGO_TARGET_DIR: target }, maxBuffer: 64 * 1024 * 1024 },
    );
    // Only the binary is kept: a change of the sources builds into a new folder anyway.
    const partial = `${path}.${process.pid}`;
    await copyFile(join(target, "debug", "sluice-vrl-oracle"), partial);
    await rename(partial, path);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`building the VRL oracle failed: ${stderr || String(error)}`);
  } finally {
    await rm(target, { recursive: true, force: true });
  }
}
console.log(`setup: vrl oracle at ${path}`);
