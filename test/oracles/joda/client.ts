// The Joda-Time oracle: where its build lives (named by a hash of its pom and Java sources) and a typed
// client for the long-lived JVM that answers date-filter requests.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { javaBinary } from "../../harness/jvm.js";
import { type OracleBuild, OracleProcess, oracleBuild, oracleDir, oracleKey } from "../oracle.js";

const here = fileURLToPath(new URL(".", import.meta.url));

/** The pom and the Java sources, in a stable order: what the cache key hashes. */
export function jodaOracleSources(): { pom: string; java: string[] } {
  const src = join(here, "src");
  const java = readdirSync(src, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".java"))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  return { pom: join(here, "pom.xml"), java };
}

/** The oracle's folder, its jars, its classes, and the file written last when a build completes. */
export function jodaOracleLayout(): { dir: string; lib: string; classes: string; done: string } {
  const { pom, java } = jodaOracleSources();
  const dir = oracleDir("joda", oracleKey([pom, ...java]));
  return { dir, lib: join(dir, "lib"), classes: join(dir, "classes"), done: join(dir, "built") };
}

/** The built oracle as describeWithOracle needs it; UTC and English are the JVM's defaults, as Sluice's. */
export function jodaOracleBuild(): OracleBuild {
  const { lib, classes, done } = jodaOracleLayout();
  return oracleBuild("joda", [done], javaBinary(), [
    "-Xshare:auto",
    "-XX:TieredStopAtLevel=1",
    "-Duser.timezone=UTC",
    "-Duser.language=en",
    "-Duser.country=US",
    "-cp",
    `${classes}:${lib}/*`,
    "sluice.oracle.JodaOracle",
  ]);
}

/** One request: the date filter's `match` patterns, its options, the clock, and the field values to read. */
export interface JodaRequest {
  patterns: string[];
  locale?: string;
  timezone?: string;
  /** Epoch milliseconds the clock reads, for patterns without a year. */
  now?: number;
  inputs: Array<string | number>;
  /** With a `%{tz}` timezone: each event's `tz` field, the zone its text is read in. */
  zones?: string[];
}

/** Per input: the instant (ISO and epoch milliseconds), or a failure; `escaped` names an exception Logstash would not catch. */
export type JodaResult = { ok: string; millis: number } | { failed: true; escaped?: string };

/** The results, or the reason a pattern (or zone, locale) is refused. */
export type JodaAnswer = { results: JodaResult[] } | { error: string };

/** The running oracle. */
export class JodaOracle {
  readonly #process: OracleProcess;

  constructor(build: Extract<OracleBuild, { present: true }>) {
    this.#process = new OracleProcess("joda", build.command, build.args);
  }

  ask(request: JodaRequest): Promise<JodaAnswer> {
    return this.#process.ask<JodaAnswer>(request);
  }

  /** Joda's own texts for `instants` with `pattern`: the input a Java application would log. */
  print(
    pattern: string,
    instants: number[],
    options: { locale?: string; timezone?: string } = {},
  ): Promise<{ printed: string[] } | { error: string }> {
    return this.#process.ask({ patterns: [pattern], ...options, print: instants });
  }

  close(): Promise<void> {
    return this.#process.close();
  }
}
