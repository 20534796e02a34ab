// Real Kafka and Elasticsearch nodes as JVM child processes: their jars (resolved from Maven Central by
// scripts/setup), our small launcher classes compiled on first use, and processes that die with the test.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const here = fileURLToPath(new URL("./java/", import.meta.url));
/** Where scripts/setup copies the jars: test/.cache/java/{kafka,elasticsearch}. */
export const javaCache = fileURLToPath(new URL("../.cache/java/", import.meta.url));

/** The versions the poms under test/harness/java pin. */
export const KAFKA_VERSION = pomProperty(join(here, "kafka", "pom.xml"), "kafka.version");
export const ELASTICSEARCH_VERSION = pomProperty(
  join(here, "elasticsearch", "pom.xml"),
  "elasticsearch.version",
);

/** The value of property `name` in the pom at `path`. */
export function pomProperty(path: string, name: string): string {
  const pom = readFileSync(path, "utf8");
  const value = new RegExp(`<${name.replaceAll(".", "\\.")}>([^<]+)<`).exec(pom)?.[1];
  if (!value) throw new Error(`${path} has no <${name}>`);
  return value;
}

export function javaBinary(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
}

export function javacBinary(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "javac") : "javac";
}

/** The jars scripts/setup copied for `stack`, or an error that says how to get them. */
export function stackJars(stack: "kafka" | "elasticsearch"): string[] {
  const dir = join(javaCache, stack);
  const jars = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".jar")) : [];
  if (jars.length === 0)
    throw new Error(
      `the ${stack} jars are missing from ${dir}: run ./scripts/setup (it resolves them from Maven Central with mvn)`,
    );
  return jars.sort().map((f) => join(dir, f));
}

function sources(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile() && entry.name.endsWith(".java")) found.push(join(entry.parentPath, entry.name));
  return found.sort();
}

const compiled = new Map<string, Promise<string>>();

/**
 * Compiles `files` against `classpathArgs` into a directory named by their hash (and the jars'), once
 * per process and once per machine; several test workers may race, each compiling to its own name.
 */
export function compileJava(name: string, files: string[], classpathArgs: string[]): Promise<string> {
  const hash = createHash("sha256");
  for (const file of files) hash.update(file).update(readFileSync(file));
  hash.update(classpathArgs.join("\0"));
  const out = join(javaCache, `${name}-${hash.digest("hex").slice(0, 16)}`);
  let pending = compiled.get(out);
  if (!pending) {
    pending = (async () => {
      if (existsSync(out)) return out;
      const temp = `${out}.${process.pid}.tmp`;
      try {
        await run(javacBinary(), ["-nowarn", "-Xlint:none", ...classpathArgs, "-d", temp, ...files]);
        await rename(temp, out).catch(async (error: NodeJS.ErrnoException) => {
          // Another worker finished first: its output is the same.
          if (!existsSync(out)) throw error;
          await rm(temp, { recursive: true, force: true });
        });
      } catch (error) {
        await rm(temp, { recursive: true, force: true });
        const e = error as NodeJS.ErrnoException & { stderr?: string };
        if (e.code === "ENOENT")
          throw new Error("javac is missing: install a JDK 17 (apt-get install openjdk-17-jdk-headless)");
        throw new Error(`compiling ${name} failed: ${e.stderr ?? e.message}`);
      }
      return out;
    })();
    pending.catch(() => compiled.delete(out));
    compiled.set(out, pending);
  }
  return pending;
}

/** The launcher classes shared by both stacks (ParentWatch) plus the named ones. */
export function launcherSources(...names: string[]): string[] {
  const dir = join(here, "src", "sluice", "harness");
  return ["ParentWatch", ...names].map((n) => join(dir, `${n}.java`));
}

export function rootInfoSources(): string[] {
  return sources(join(here, "root-info"));
}

/** A TCP port nothing listens on right now (the OS's pick), for a node that must know its ports up front. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** JVMs alive in this process, killed synchronously if the process exits without stopping them. */
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export interface JvmProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** The last lines it wrote (stdout and stderr), for error messages. */
  tail(): string;
  /** Resolves with the first line matching `pattern`; rejects if the process exits first. */
  line(pattern: RegExp, timeoutMs: number): Promise<string>;
}

/**
 * Starts `mainClass` in a JVM tagged with this test run (the global teardown finds leftovers by it) whose
 * stdin stays open while this process lives: the launcher classes exit when it closes. Its output goes
 * to `logFile` as well.
 */
export function spawnJvm(options: {
  jvmArgs: string[];
  mainClass: string;
  args: string[];
  logFile: string;
  env?: Record<string, string>;
}): JvmProcess {
  const tag = process.env.SLUICE_TEST_RUN ?? "adhoc";
  const child = spawn(
    javaBinary(),
    [...options.jvmArgs, `-Dsluice.test.run=${tag}`, options.mainClass, ...options.args],
    {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, ...options.env },
    },
  );
  live.add(child);
  const log = createWriteStream(options.logFile, { flags: "a" });
  let recent = "";
  let pendingLine = "";
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const onData = (d: Buffer) => {
    log.write(d);
    const text = d.toString();
    recent = (recent + text).slice(-6000);
    const lines = (pendingLine + text).split("\n");
    pendingLine = lines.pop() ?? "";
    for (const line of lines)
      for (const w of [...waiters])
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  // A JVM that could not start (java missing) reports it here; the exit promise carries it on.
  child.once("error", (error) => {
    recent += `\n${error.message}`;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("close", (code) => {
      live.delete(child);
      log.end();
      resolve(code);
    }),
  );
  return {
    child,
    exited,
    tail: () => recent,
    line: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; it wrote:\n${recent}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${options.mainClass} exited (${code}) before ${pattern}; it wrote:\n${recent}`));
        });
      }),
  };
}

/** Kills a JVM and waits until it is gone. */
export async function killJvm(jvm: JvmProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (jvm.child.exitCode !== null || jvm.child.signalCode !== null) return;
  jvm.child.kill(signal);
  await jvm.exited;
}

export async function writeLines(path: string, lines: string[]): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, `${lines.join("\n")}\n`);
}
