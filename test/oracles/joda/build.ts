// Builds the Joda-Time oracle into its cache once: Joda-Time and Gson from Maven Central (mvn), then the
// Java program compiled against them; scripts/setup runs it, and skips quickly when the build is there.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { jodaOracleLayout, jodaOracleSources } from "./client.js";

const run = promisify(execFile);
const { dir, done } = jodaOracleLayout();

if (existsSync(done)) {
  console.log(`setup: joda oracle at ${dir} (cached)`);
} else {
  const started = Date.now();
  // Built beside its final name and renamed, so an interrupted build never looks complete.
  const temp = `${dir}.${process.pid}.tmp`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  const { pom, java } = jodaOracleSources();
  try {
    await run(
      "mvn",
      ["-q", "-B", "-f", pom, "dependency:copy-dependencies", `-DoutputDirectory=${join(temp, "lib")}`],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const javac = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "javac") : "javac";
    await run(javac, [
      "-nowarn",
      "-Xlint:none",
      "-cp",
      `${join(temp, "lib")}/*`,
      "-d",
      join(temp, "classes"),
      ...java,
    ]);
    await writeFile(join(temp, "built"), `${new Date().toISOString()}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(temp, dir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    const e = error as { stdout?: string; stderr?: string; message: string };
    console.error(`setup: building the joda oracle failed: ${e.stdout ?? ""}${e.stderr ?? e.message}`);
    process.exit(1);
  }
  console.log(`setup: joda oracle built at ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
