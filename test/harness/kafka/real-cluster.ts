// Apache Kafka for tests: real KRaft nodes (combined broker + controller) started from Maven Central's jars,
// one JVM each, in a temporary directory of their own; kill -9, stop and restart any of them; TLS and
// SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) listeners on demand.
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import kafkajs from "kafkajs";
import {
  compileJava,
  freePort,
  type JvmProcess,
  KAFKA_VERSION,
  killJvm,
  launcherSources,
  spawnJvm,
  stackJars,
  writeLines,
} from "../jvm.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

export interface RealClusterOptions {
  /** Nodes, each a broker and a controller voter (ids 1..n). Default 1. */
  nodes?: number;
  /** Extra server.properties lines, for every node. */
  serverProperties?: Record<string, string | number | boolean>;
  /** Extra options for `kafka-storage format` (e.g. `--add-scram`), given on first start. */
  formatArgs?: string[];
  /**
   * Listeners beyond PLAINTEXT: name → security protocol; each node gets a port per listener. TLS ones
   * serve test/fixtures/tls/server.crt (signed by test/fixtures/tls/ca.crt, for 127.0.0.1 and localhost);
   * SASL ones offer PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 to `security.users`.
   */
  listeners?: Record<string, SecurityProtocol>;
  /**
   * Clients that authenticate: adds the listeners `SSL`, `SASL_PLAINTEXT` and `SASL_SSL` (named after
   * their protocols, see listenerAddresses) and accepts these users on every SASL mechanism. Brokers
   * still talk to each other and to the controllers over PLAINTEXT.
   */
  security?: { users: Array<{ username: string; password: string }> };
}

export type SecurityProtocol = "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";

const tlsFixture = (name: string) => fileURLToPath(new URL(`../../fixtures/tls/${name}`, import.meta.url));

/** The CA that signed the TLS listeners' certificate: give it to clients as `ssl.caFile`. */
export const realKafkaCaFile = tlsFixture("ca.crt");

const SCRAM = [
  { mechanism: "SCRAM-SHA-256", hash: "sha256", bytes: 32 },
  { mechanism: "SCRAM-SHA-512", hash: "sha512", bytes: 64 },
] as const;

interface NodeState {
  readonly id: number;
  readonly dir: string;
  readonly brokerPort: number;
  readonly controllerPort: number;
  readonly extraPorts: Record<string, number>;
  jvm: JvmProcess | undefined;
}

/** The classpath of a Kafka node: Kafka's jars and our launcher, compiled on first use. */
export async function prepareRealKafka(): Promise<string> {
  const jars = stackJars("kafka");
  const classes = await compileJava("kafka-launcher", launcherSources("KafkaNode"), ["-cp", jars.join(":")]);
  return [classes, ...jars].join(":");
}

/** Settings that make tests quick without changing what a client sees (see the README's test harness). */
const FAST = {
  "group.initial.rebalance.delay.ms": 0,
  "offsets.topic.num.partitions": 10,
};

export class RealKafkaCluster {
  readonly kind = "real" as const;
  readonly version = KAFKA_VERSION;
  private readonly nodes: NodeState[];
  private stopped = false;

  private constructor(
    private readonly root: string,
    nodes: NodeState[],
    private readonly classpath: string,
    private readonly clusterId: string,
    private readonly options: RealClusterOptions,
  ) {
    this.nodes = nodes;
  }

  static async start(options: RealClusterOptions = {}): Promise<RealKafkaCluster> {
    const classpath = await prepareRealKafka();
    const count = options.nodes ?? 1;
    const root = await mkdtemp(join(tmpdir(), "sluice-kafka-"));
    const nodes: NodeState[] = [];
    for (let id = 1; id <= count; id++) {
      const extraPorts: Record<string, number> = {};
      for (const name of Object.keys(extraListeners(options))) extraPorts[name] = await freePort();
      nodes.push({
        id,
        dir: join(root, `node-${id}`),
        brokerPort: await freePort(),
        controllerPort: await freePort(),
        extraPorts,
        jvm: undefined,
      });
    }
    // A Kafka cluster id is a UUID in URL-safe base64 without padding, as kafka-storage random-uuid prints;
    // like Kafka's own, never one starting with "-", which the format command would read as an option.
    let clusterId = randomBytes(16).toString("base64url");
    while (clusterId.startsWith("-")) clusterId = randomBytes(16).toString("base64url");
    const formatArgs = [...(options.formatArgs ?? []), ...scramFormatArgs(options.security?.users ?? [])];
    const cluster = new RealKafkaCluster(root, nodes, classpath, clusterId, { ...options, formatArgs });
    try {
      await Promise.all(nodes.map((node) => cluster.launch(node)));
      await cluster.waitForBrokers(count, 90_000);
      await cluster.warmGroupCoordinator();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get brokers(): string[] {
    return this.nodes.map((n) => `127.0.0.1:${n.brokerPort}`);
  }

  get bootstrapServers(): string {
    return this.brokers.join(",");
  }

  /** The addresses of one extra listener (see `listeners`), one per node. */
  listenerAddresses(name: string): string[] {
    return this.nodes.map((n) => `127.0.0.1:${n.extraPorts[name]}`);
  }

  createTopic(
    name: string,
    partitions: number,
    replicationFactor = 1,
    configs: Record<string, string> = {},
  ): Promise<void> {
    return createTopicOn(this.brokers, name, partitions, replicationFactor, configs);
  }

  /**
   * Creates the group coordinator's topic (__consumer_offsets) and waits until it answers, as on a cluster
   * that has served groups before: otherwise a test's first group waits out its creation and loading.
   */
  async warmGroupCoordinator(): Promise<void> {
    await this.withAdmin((admin) =>
      retrying("the group coordinator", async () => {
        await admin.describeGroups(["sluice-harness-warm-up"]);
        return true;
      }),
    );
  }

  /** The node id leading `topic`'s `partition`, as the cluster's metadata says now. */
  async leaderOf(topic: string, partition: number): Promise<number> {
    return this.withAdmin(async (admin) => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const found = topics[0]?.partitions.find((p) => p.partitionId === partition);
      if (found === undefined) throw new Error(`no partition ${topic}-${partition}`);
      return found.leader;
    });
  }

  /** kill -9 of one node: no controlled shutdown, nothing flushed. */
  async killNode(id: number): Promise<void> {
    const node = this.node(id);
    if (node.jvm) await killJvm(node.jvm, "SIGKILL");
    node.jvm = undefined;
  }

  /** A clean shutdown of one node (SIGTERM: Kafka's controlled shutdown), up to `timeoutMs`, then kill -9. */
  async stopNode(id: number, timeoutMs = 30_000): Promise<void> {
    const node = this.node(id);
    const jvm = node.jvm;
    if (!jvm) return;
    const timer = setTimeout(() => jvm.child.kill("SIGKILL"), timeoutMs);
    await killJvm(jvm, "SIGTERM");
    clearTimeout(timer);
    node.jvm = undefined;
  }

  /**
   * Starts a node that was killed or stopped, on its ports and data; resolves once its JVM runs. A node
   * registers only once a quorum of controllers is up, so after a whole-cluster outage several must be
   * started before any is ready: waitForBrokers() says when they are.
   */
  async startNode(id: number): Promise<void> {
    const node = this.node(id);
    if (node.jvm) return;
    await this.launch(node);
  }

  /**
   * Resolves once `count` brokers are registered and unfenced (the cluster's metadata lists them); fails at
   * once, with its log, if a node the harness started has exited.
   */
  async waitForBrokers(count = this.nodes.length, timeoutMs = 90_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < end) {
      const crashed = this.nodes.find(
        (n) => n.jvm && (n.jvm.child.exitCode !== null || n.jvm.child.signalCode !== null),
      );
      if (crashed)
        throw new Error(
          `Kafka node ${crashed.id} exited (${crashed.jvm!.child.exitCode ?? crashed.jvm!.child.signalCode}):\n${this.logTail(crashed.id)}`,
        );
      const alive = this.nodes.filter((n) => n.jvm);
      if (alive.length === 0) throw new Error("no node of the cluster is running");
      try {
        const seen = await this.withAdmin(
          async (admin) => (await admin.describeCluster()).brokers.length,
          alive.map((n) => `127.0.0.1:${n.brokerPort}`),
        );
        if (seen >= count) return;
        last = `${seen} of ${count} brokers registered`;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(
      `the cluster did not register ${count} brokers in ${timeoutMs} ms (${last}):\n${this.nodes.map((n) => this.logTail(n.id)).join("\n")}`,
    );
  }

  /** What a node logged lately (its server.log, else what its JVM printed), for a failing test's message. */
  logTail(id: number): string {
    const node = this.node(id);
    let log = "";
    try {
      log = readFileSync(join(node.dir, "server.log"), "utf8").slice(-2000);
    } catch {
      // not started yet, or its directory is gone
    }
    return `node ${id} (${join(node.dir, "server.log")}):\n${log || node.jvm?.tail() || "(nothing)"}`;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.nodes.map((n) => (n.jvm ? killJvm(n.jvm) : undefined)));
    if (!process.env.SLUICE_TEST_KEEP_LOGS) await rm(this.root, { recursive: true, force: true });
  }

  private node(id: number): NodeState {
    const node = this.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id} (the cluster has ${this.nodes.length})`);
    return node;
  }

  private async launch(node: NodeState): Promise<void> {
    const config = join(node.dir, "server.properties");
    const voters = this.nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(",");
    const extra = extraListeners(this.options);
    const listeners = [
      `PLAINTEXT://127.0.0.1:${node.brokerPort}`,
      ...Object.keys(extra).map((name) => `${name}://127.0.0.1:${node.extraPorts[name]}`),
    ];
    const replication = Math.min(3, this.nodes.length);
    const properties: Record<string, string | number | boolean> = {
      "process.roles": "broker,controller",
      "node.id": node.id,
      "controller.quorum.voters": voters,
      listeners: [...listeners, `CONTROLLER://127.0.0.1:${node.controllerPort}`].join(","),
      "advertised.listeners": listeners.join(","),
      "controller.listener.names": "CONTROLLER",
      "inter.broker.listener.name": "PLAINTEXT",
      "listener.security.protocol.map": [
        "PLAINTEXT:PLAINTEXT",
        "CONTROLLER:PLAINTEXT",
        ...Object.entries(extra).map(([name, protocol]) => `${name}:${protocol}`),
      ].join(","),
      "log.dirs": join(node.dir, "data"),
      "offsets.topic.replication.factor": replication,
      "transaction.state.log.replication.factor": replication,
      "transaction.state.log.min.isr": 1,
      ...FAST,
      ...securityProperties(extra, this.options.security?.users ?? []),
      ...this.options.serverProperties,
    };
    await writeLines(
      config,
      Object.entries(properties).map(([k, v]) => `${k}=${escapeProperty(String(v))}`),
    );
    await writeLines(join(node.dir, "log4j2.properties"), [
      "rootLogger.level=INFO",
      "rootLogger.appenderRef.file.ref=file",
      "appender.file.type=File",
      "appender.file.name=file",
      `appender.file.fileName=${join(node.dir, "server.log")}`,
      "appender.file.layout.type=PatternLayout",
      "appender.file.layout.pattern=[%d] %p %m (%c)%n",
    ]);
    node.jvm = spawnJvm({
      jvmArgs: [
        "-Xms128m",
        "-Xmx512m",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        `-Dlog4j2.configurationFile=${join(node.dir, "log4j2.properties")}`,
        "-cp",
        this.classpath,
      ],
      mainClass: "sluice.harness.KafkaNode",
      args: [config, this.clusterId, ...(this.options.formatArgs ?? [])],
      logFile: join(node.dir, "stdout.log"),
    });
  }

  /** Runs `work` with an admin client of the cluster (or of `brokers`, some of its nodes), then closes it. */
  withAdmin<T>(work: (admin: kafkajs.Admin) => Promise<T>, brokers: string[] = this.brokers): Promise<T> {
    return withAdmin(brokers, work);
  }
}

async function withAdmin<T>(brokers: string[], work: (admin: kafkajs.Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({
    brokers,
    clientId: "sluice-test-harness",
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 100 },
    connectionTimeout: 3000,
  }).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Creates a topic on the cluster `brokers` name (with topic-level `configs`, e.g. max.message.bytes) and
 * resolves once every partition has a leader and all its replicas in sync: kafkajs's own wait gives up on
 * the UNKNOWN_TOPIC_OR_PARTITION a broker answers until the new topic reaches its metadata.
 */
export function createTopicOn(
  brokers: string[],
  name: string,
  partitions: number,
  replicationFactor = 1,
  configs: Record<string, string> = {},
): Promise<void> {
  return withAdmin(brokers, async (admin) => {
    // kafkajs's own wait for leaders gives up on UNKNOWN_TOPIC_OR_PARTITION, which a loaded broker answers
    // while the topic is being created: the wait below retries it.
    const created = await admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic: name,
          numPartitions: partitions,
          replicationFactor,
          configEntries: Object.entries(configs).map(([configName, value]) => ({ name: configName, value })),
        },
      ],
    });
    if (!created) throw new Error(`topic ${name} exists already on this cluster`);
    // Ready for faults: every partition led and every replica in sync.
    await retrying(`every partition of ${name} led, its replicas in sync`, async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
      const ready = topics[0]?.partitions.filter((p) => p.leader >= 0 && p.isr.length === replicationFactor);
      return ready?.length === partitions;
    });
  });
}

/** The listeners beyond PLAINTEXT: those asked for plus, with `security`, one per secure protocol. */
function extraListeners(options: RealClusterOptions): Record<string, SecurityProtocol> {
  const secure: Record<string, SecurityProtocol> = options.security
    ? { SSL: "SSL", SASL_PLAINTEXT: "SASL_PLAINTEXT", SASL_SSL: "SASL_SSL" }
    : {};
  return { ...secure, ...options.listeners };
}

/**
 * Per-listener settings: the test certificate for TLS, the three SASL mechanisms with `users` (PLAIN's
 * in its JAAS config, SCRAM's stored at format time, see scramFormatArgs).
 */
function securityProperties(
  listeners: Record<string, SecurityProtocol>,
  users: Array<{ username: string; password: string }>,
): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [name, protocol] of Object.entries(listeners)) {
    const prefix = `listener.name.${name.toLowerCase()}.`;
    if (protocol !== "SASL_PLAINTEXT") {
      // Inline PEM (KIP-651): the fixture as it is, no keystore to build; the key is unencrypted PKCS#8.
      properties[`${prefix}ssl.keystore.type`] = "PEM";
      properties[`${prefix}ssl.keystore.certificate.chain`] = readFileSync(tlsFixture("server.crt"), "utf8");
      properties[`${prefix}ssl.keystore.key`] = readFileSync(tlsFixture("server.key"), "utf8");
    }
    if (protocol !== "SSL") {
      properties[`${prefix}sasl.enabled.mechanisms`] = ["PLAIN", ...SCRAM.map((s) => s.mechanism)].join(",");
      properties[`${prefix}plain.sasl.jaas.config`] = [
        "org.apache.kafka.common.security.plain.PlainLoginModule required",
        ...users.map((u) => ` user_${jaasWord(u.username)}=${jaasQuoted(u.password)}`),
        ";",
      ].join("");
      for (const { mechanism } of SCRAM)
        properties[`${prefix}${mechanism.toLowerCase()}.sasl.jaas.config`] =
          "org.apache.kafka.common.security.scram.ScramLoginModule required;";
    }
  }
  return properties;
}

/**
 * `kafka-storage format` options storing each user's SCRAM credentials in the cluster's first metadata.
 * The salted password is computed here (SCRAM's Hi() is PBKDF2 with HMAC) because --add-scram splits its
 * value at every comma, so `password=` cannot carry one; salt and key are base64, which has no comma.
 */
function scramFormatArgs(users: Array<{ username: string; password: string }>): string[] {
  const iterations = 4096;
  return users.flatMap(({ username, password }) => {
    if (/[,=\]\s]/.test(username) || username === "")
      throw new Error(`a SCRAM user name for --add-scram cannot hold ',', '=', ']' or spaces: ${username}`);
    return SCRAM.flatMap(({ mechanism, hash, bytes }) => {
      const salt = randomBytes(16);
      const salted = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, bytes, hash);
      return [
        "--add-scram",
        `${mechanism}=[name=${username},salt=${salt.toString("base64")},iterations=${iterations},saltedpassword=${salted.toString("base64")}]`,
      ];
    });
  });
}

/** A user name as a JAAS option name (user_<name>): a word of letters, digits, '-', '_' and '$'. */
function jaasWord(name: string): string {
  if (!/^[\w$-]+$/.test(name)) throw new Error(`a PLAIN user name in a JAAS option must be a word: ${name}`);
  return name;
}

/** A JAAS option value, quoted: inside quotes ',', '=' and ';' are plain characters; '"' and '\' escaped. */
function jaasQuoted(value: string): string {
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** A server.properties value as java.util.Properties reads it back: backslashes, line breaks, a leading space. */
function escapeProperty(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll("\r", "\\r").replace(/^ /, "\\ ");
}

/** Polls `probe` until it says true, treating Kafka's retriable errors as "not yet", for up to 60 s. */
async function retrying(what: string, probe: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 60_000;
  let last = "";
  while (Date.now() < end) {
    try {
      if (await probe()) return;
      last = "not yet";
    } catch (error) {
      // kafkajs's admin wraps what it retried in KafkaJSNumberOfRetriesExceeded (not retriable itself).
      const e = error as { name?: string; retriable?: boolean; cause?: { retriable?: boolean } };
      // kafkajs gives up on finding a coordinator after its own few retries, which a loaded machine can
      // outlast while the offsets topic loads: here that is what "not yet" looks like.
      if (!e.retriable && !e.cause?.retriable && e.name !== "KafkaJSGroupCoordinatorNotFound") throw error;
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (${last})`);
}
