// Builds the joni oracle into its cache ahead of the tests (scripts/setup runs it): JRuby from Maven Central
// and the gsub script, checked by one request, or nothing when the cache already holds them.
import { execFile } from "node:child_process";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildOracleOnce, OracleProcess } from "../oracle.js";
import {
  JCODINGS_VERSION,
  JONI_VERSION,
  JRUBY_VERSION,
  joniBuild,
  joniCommand,
  joniDir,
  rubyGsub,
  SOURCES,
} from "./client.js";

const run = promisify(execFile);
const versions = `JRuby ${JRUBY_VERSION}: joni ${JONI_VERSION}, jcodings ${JCODINGS_VERSION}`;

await buildOracleOnce(
  `joni (${versions})`,
  joniDir(),
  () => joniBuild().present,
  async (temp) => {
    const [pom, script] = SOURCES as [string, string];
    try {
      await run("mvn", ["-q", "-B", "-f", pom, "dependency:copy-dependencies", `-DoutputDirectory=${temp}`], {
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      throw new Error(
        `mvn could not resolve JRuby ${JRUBY_VERSION}: ${e.stdout ?? ""}${e.stderr ?? String(error)}`,
      );
    }
    await copyFile(script, join(temp, "gsub.rb"));
    // One request proves the jar starts and the script answers before the build is kept.
    const { command, args } = joniCommand(temp);
    const oracle = new OracleProcess("joni", command, args);
    const answer = await rubyGsub(oracle, {
      pattern: "@timestamp",
      replacement: "_\\0",
      inputs: ['{"@timestamp":1}'],
    });
    await oracle.close();
    if (!("results" in answer) || answer.results[0] !== '{"_@timestamp":1}')
      throw new Error(`the joni oracle answered ${JSON.stringify(answer)} to its check`);
  },
);
