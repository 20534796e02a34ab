// Ruby's String#gsub as Logstash's mutate runs it (JRuby, whose regexes are joni's), as an oracle process.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { javaBinary, pomProperty } from "../../harness/jvm.js";
import { type OracleBuild, type OracleProcess, oracleBuild, oracleDir, oracleKey } from "../oracle.js";

const here = fileURLToPath(new URL(".", import.meta.url));
/** The files whose content makes the build: a change to either gives the oracle a new cache folder. */
export const SOURCES = ["pom.xml", "gsub.rb"].map((file) => join(here, file));

/** The JRuby Logstash 8.19 bundles, and the joni and jcodings inside it. */
export const JRUBY_VERSION = pomProperty(SOURCES[0]!, "jruby.version");
export const JONI_VERSION = pomProperty(SOURCES[0]!, "joni.version");
export const JCODINGS_VERSION = pomProperty(SOURCES[0]!, "jcodings.version");

/** The oracle's cache folder, named by a hash of its sources. */
export function joniDir(): string {
  return oracleDir("joni", oracleKey(SOURCES));
}

export const jrubyJar = (dir: string) => join(dir, `jruby-complete-${JRUBY_VERSION}.jar`);

/** How the oracle is started: the JRuby jar running gsub.rb, both from the cache folder. */
export function joniCommand(dir: string): { command: string; args: string[] } {
  // C1 only and one GC thread: the oracle answers small requests, so start-up time matters most.
  const jvm = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss4m"];
  return {
    command: javaBinary(),
    args: [...jvm, "-cp", jrubyJar(dir), "org.jruby.Main", join(dir, "gsub.rb")],
  };
}

export function joniBuild(): OracleBuild {
  const dir = joniDir();
  const { command, args } = joniCommand(dir);
  return oracleBuild("joni", [jrubyJar(dir), join(dir, "gsub.rb")], command, args);
}

/** One gsub request: every input through String#gsub(Regexp.new(pattern), replacement). */
export interface GsubRequest {
  pattern: string;
  replacement: string;
  inputs: string[];
}

/** Each input's result, or the exception Ruby raised for it (Logstash tags that event _mutate_error). */
export type GsubResult = string | { raised: string };

/** Ruby's answer: the results, the pattern refused (RegexpError), or a match that ran past its time limit. */
export type GsubAnswer = { results: GsubResult[] } | { error: string } | { timeout: true };

export async function rubyGsub(oracle: OracleProcess, request: GsubRequest): Promise<GsubAnswer> {
  const answer = await oracle.ask<GsubAnswer | { bad_request: string }>(request);
  if ("bad_request" in answer)
    throw new Error(`the joni oracle could not read the request: ${answer.bad_request}`);
  return answer;
}
