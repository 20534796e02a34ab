// Builds the Joda-Time oracle into its cache once: Joda-Time and Gson from Maven Central (mvn), then the
// Java program compiled against them; scripts/setup runs it, and skips quickly when the build is there.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { javacBinary } from "../../harness/jvm.js";
import { buildOracleOnce } from "../oracle.js";
import { jodaOracleLayout, jodaOracleSources } from "./client.js";

const run = promisify(execFile);
const { dir, done } = jodaOracleLayout();

await buildOracleOnce(
  "joda",
  dir,
  () => existsSync(done),
  async (temp) => {
    const { pom, java } = jodaOracleSources();
    try {
      await run(
        "mvn",
        ["-q", "-B", "-f", pom, "dependency:copy-dependencies", `-DoutputDirectory=${join(temp, "lib")}`],
        {
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      await run(javacBinary(), [
        "-nowarn",
        "-Xlint:none",
        "-cp",
        `${join(temp, "lib")}/*`,
        "-d",
        join(temp, "classes"),
        ...java,
      ]);
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`building the joda oracle failed: ${e.stdout ?? ""}${e.stderr ?? e.message}`);
    }
    await writeFile(join(temp, "built"), `${new Date().toISOString()}\n`);
  },
);
