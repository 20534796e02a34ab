// A real Elasticsearch node for tests: Elasticsearch's server and its transport-netty4 module from Maven
// Central, started by our launcher class in a JVM of its own, over HTTP on loopback, in a temporary directory.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import {
  compileJava,
  ELASTICSEARCH_VERSION,
  type JvmProcess,
  javaCache,
  killJvm,
  launcherSources,
  rootInfoSources,
  spawnJvm,
  stackJars,
  writeLines,
} from "../jvm.js";

const run = promisify(execFile);

/** Jars the transport-netty4 module loads itself; everything else is the server's module path. */
const isModuleJar = (jar: string) => /\/(transport-netty4-|netty-)[^/]*\.jar$/.test(jar);

export interface RealElasticsearchNode {
  readonly url: string;
  readonly version: string;
  /** What the node wrote lately, for a failing test's message. */
  logTail(): string;
  stop(): Promise<void>;
}

let home: Promise<string> | undefined;

/**
 * The node's path.home, built once per machine: modules/transport-netty4 (the jars and a descriptor, as
 * the distribution lays it out) and modules/sluice-root-info (GET /: see RootInfoPlugin.java).
 */
function elasticsearchHome(jars: string[], modulePath: string[]): Promise<string> {
  home ??= (async () => {
    const rootInfo = await compileJava("es-root-info", rootInfoSources(), [
      "--module-path",
      modulePath.join(":"),
      "--add-modules",
      "ALL-MODULE-PATH",
    ]);
    const dir = join(javaCache, `elasticsearch-home-${basename(rootInfo).split("-").pop()}`);
    if (existsSync(dir)) return dir;
    const temp = `${dir}.${process.pid}.tmp`;
    const netty = join(temp, "modules", "transport-netty4");
    const root = join(temp, "modules", "sluice-root-info");
    await mkdir(netty, { recursive: true });
    await mkdir(root, { recursive: true });
    await mkdir(join(temp, "plugins"), { recursive: true });
    for (const jar of jars.filter(isModuleJar)) await symlink(jar, join(netty, basename(jar)));
    const descriptor = (name: string, classname: string, description: string) => [
      `description=${description}`,
      `version=${ELASTICSEARCH_VERSION}`,
      `name=${name}`,
      `classname=${classname}`,
      "java.version=17",
      `elasticsearch.version=${ELASTICSEARCH_VERSION}`,
      "extended.plugins=",
      "has.native.controller=false",
    ];
    await writeLines(
      join(netty, "plugin-descriptor.properties"),
      descriptor(
        "transport-netty4",
        "org.elasticsearch.transport.netty4.Netty4Plugin",
        "Netty 4 based transport",
      ),
    );
    await writeLines(
      join(root, "plugin-descriptor.properties"),
      descriptor(
        "sluice-root-info",
        "sluice.rootinfo.RootInfoPlugin",
        "GET / as the rest-root module answers it",
      ),
    );
    const jar = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "jar") : "jar";
    await run(jar, ["cf", join(root, "sluice-root-info.jar"), "-C", rootInfo, "."]);
    await rename(temp, dir).catch(async (error: NodeJS.ErrnoException) => {
      if (!existsSync(dir)) throw error;
      await rm(temp, { recursive: true, force: true });
    });
    return dir;
  })();
  home.catch(() => {
    home = undefined;
  });
  return home;
}

/** The node's path.home, its module path and our launcher's classes, built on first use. */
export async function prepareRealElasticsearch(): Promise<{
  homeDir: string;
  classes: string;
  modulePath: string[];
}> {
  const jars = stackJars("elasticsearch");
  const modulePath = jars.filter((jar) => !isModuleJar(jar));
  const [homeDir, classes] = await Promise.all([
    elasticsearchHome(jars, modulePath),
    compileJava("es-launcher", launcherSources("ElasticsearchNode"), [
      "--module-path",
      modulePath.join(":"),
      "--add-modules",
      "ALL-MODULE-PATH",
    ]),
  ]);
  return { homeDir, classes, modulePath };
}

/**
 * Starts a one-node cluster and resolves once its HTTP port answers. Settings that differ from a default
 * node: loopback only, single-node discovery, ports picked by the OS, and disk-based shard allocation off
 * (a nearly full disk on a CI machine would otherwise make every index read-only mid-run).
 */
export async function startRealElasticsearch(): Promise<RealElasticsearchNode> {
  const { homeDir, classes, modulePath } = await prepareRealElasticsearch();
  const dir = await mkdtemp(join(tmpdir(), "sluice-es-"));
  await mkdir(join(dir, "config"));
  const settings: Record<string, string> = {
    "path.home": homeDir,
    "path.data": join(dir, "data"),
    "path.logs": join(dir, "logs"),
    "cluster.name": "sluice-test",
    "node.name": "es-1",
    "discovery.type": "single-node",
    "network.host": "127.0.0.1",
    "http.port": "0",
    "transport.port": "0",
    "cluster.routing.allocation.disk.threshold_enabled": "false",
    "logger.level": "WARN",
  };
  const jvm: JvmProcess = spawnJvm({
    jvmArgs: [
      "-Xms512m",
      "-Xmx512m",
      "-XX:+UseG1GC",
      "-Xss1m",
      "-Djava.awt.headless=true",
      "-Dfile.encoding=UTF-8",
      "-Djna.nosys=true",
      "-Djava.locale.providers=SPI,CLDR",
      "-Dio.netty.noUnsafe=true",
      "-Dio.netty.noKeySetOptimization=true",
      "-Dio.netty.recycler.maxCapacityPerThread=0",
      "-Dlog4j.shutdownHookEnabled=false",
      "-Dlog4j2.disable.jmx=true",
      "-Dlog4j2.formatMsgNoLookups=true",
      `-Djava.io.tmpdir=${dir}`,
      "--module-path",
      modulePath.join(":"),
      "--add-modules",
      "ALL-MODULE-PATH",
      "-cp",
      classes,
    ],
    mainClass: "sluice.harness.ElasticsearchNode",
    args: [join(dir, "config"), ...Object.entries(settings).map(([k, v]) => `${k}=${v}`)],
    logFile: join(dir, "node.log"),
  });
  let address: string;
  try {
    address = (await jvm.line(/^READY /, 90_000)).slice("READY ".length).trim();
  } catch (error) {
    await killJvm(jvm);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    url: `http://${address}`,
    version: ELASTICSEARCH_VERSION,
    logTail: () => jvm.tail(),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await killJvm(jvm);
      if (!process.env.SLUICE_TEST_KEEP_LOGS) await rm(dir, { recursive: true, force: true });
    },
  };
}
