// Compiles the mock-cluster launcher with gcc on first use and caches the binary by source hash.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const source = fileURLToPath(new URL("./mock-cluster.c", import.meta.url));
export const cacheDir = fileURLToPath(new URL("../../.cache/", import.meta.url));
const HEADER = "/usr/include/librdkafka/rdkafka_mock.h";

let pending: Promise<string> | undefined;

/** The path of the compiled launcher, compiling it if the cached one is missing or stale. */
export function ensureMockClusterBinary(): Promise<string> {
  pending ??= build().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

async function build(): Promise<string> {
  const code = await readFile(source);
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);
  const binary = `${cacheDir}sluice-kafka-mock-${hash}`;
  if (existsSync(binary)) return binary;
  if (!existsSync(HEADER))
    throw new Error(
      `librdkafka's mock cluster header is missing (${HEADER}): apt-get install -y gcc librdkafka-dev`,
    );
  await mkdir(cacheDir, { recursive: true });
  // Several test workers may race here: each compiles to its own name, then renames atomically.
  const temp = `${binary}.${process.pid}.tmp`;
  try {
    await run("gcc", ["-O2", "-Wall", "-o", temp, source, "-lrdkafka"]);
    await rename(temp, binary);
  } catch (error) {
    await rm(temp, { force: true });
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") throw new Error("gcc is missing: apt-get install -y gcc librdkafka-dev");
    throw new Error(`compiling ${source} failed: ${e.stderr ?? e.message}`);
  }
  return binary;
}
