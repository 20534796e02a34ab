// Builds the joni oracle into its cache ahead of the tests (scripts/setup runs it): JRuby from Maven Central
// and the gsub script, checked by one request, or nothing when the cache already holds them.
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { OracleProcess } from "../oracle.js";
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
const dir = joniDir();
const versions = `JRuby ${JRUBY_VERSION}: joni ${JONI_VERSION}, jcodings ${JCODINGS_VERSION}`;

if (joniBuild().present) {
  console.log(`setup: joni oracle (${versions}) at ${dir}`);
} else {
  const started = Date.now();
  // Built beside its final name and renamed into place, so an interrupted build is never taken for one.
  await mkdir(dirname(dir), { recursive: true });
  const temp = await mkdtemp(join(dirname(dir), "joni.tmp-"));
  try {
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
    await rename(temp, dir).catch(async (error: NodeJS.ErrnoException) => {
      // Another setup finished first: its build is the same.
      if (!joniBuild().present) throw error;
      await rm(temp, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  console.log(`setup: joni oracle (${versions}) built in ${Date.now() - started} ms at ${dir}`);
}
