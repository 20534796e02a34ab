// Kafka for tests: real Apache Kafka brokers (default), librdkafka's mock cluster (fault injection, or
// SLUICE_TEST_KAFKA=mock), or the cluster KAFKA_BROKERS names.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { type KafkaBackend, kafkaBackend } from "../backends.js";
import { ensureMockClusterBinary } from "./launcher.js";
import { createTopicOn, RealKafkaCluster } from "./real-cluster.js";

export interface KafkaClusterOptions {
  /** Brokers in the cluster (ids 1..n; on real Kafka each also a controller voter). Default 1. */
  brokers?: number;
  topics?: Array<{ name: string; partitions: number; replicationFactor?: number }>;
  /** "mock": librdkafka's mock cluster whatever the environment says, for a test that injects faults. */
  backend?: "mock";
}

/** What every backend offers: addresses and topics. */
export interface KafkaCluster {
  readonly kind: KafkaBackend;
  readonly bootstrapServers: string;
  readonly brokers: string[];
  /** `configs` are topic-level settings (max.message.bytes, …); the mock cluster has none and ignores them. */
  createTopic(
    name: string,
    partitions: number,
    replicationFactor?: number,
    configs?: Record<string, string>,
  ): Promise<void>;
  stop(): Promise<void>;
}

/** librdkafka's mock cluster, driven over its launcher's stdin: faults on demand. */
export interface MockKafkaCluster extends KafkaCluster {
  readonly kind: "mock";
  setBrokerDown(brokerId: number): Promise<void>;
  setBrokerUp(brokerId: number): Promise<void>;
  /** The next requests of `apiKey`, cluster-wide, fail with these Kafka error codes in order. */
  pushRequestErrors(apiKey: number, errorCodes: number[]): Promise<void>;
  pushBrokerRequestErrors(brokerId: number, apiKey: number, errorCodes: number[]): Promise<void>;
  clearRequestErrors(apiKey: number): Promise<void>;
  setBrokerRtt(brokerId: number, ms: number): Promise<void>;
  setPartitionLeader(topic: string, partition: number, brokerId: number): Promise<void>;
}

/** Kafka protocol API keys, for fault injection. */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ApiVersions: 18,
} as const;

/** Kafka protocol error codes, for fault injection. */
export const KafkaErrorCode = {
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  NETWORK_EXCEPTION: 13,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  NOT_ENOUGH_REPLICAS: 19,
  ILLEGAL_GENERATION: 22,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_REQUEST: 42,
} as const;

/** Launchers alive in this process, killed synchronously if the process exits without stopping them. */
const live = new Set<ChildProcessWithoutNullStreams>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export function startKafkaCluster(
  options: KafkaClusterOptions & { backend: "mock" },
): Promise<MockKafkaCluster>;
export function startKafkaCluster(options?: KafkaClusterOptions): Promise<KafkaCluster>;
export async function startKafkaCluster(options: KafkaClusterOptions = {}): Promise<KafkaCluster> {
  const brokers = options.brokers ?? 1;
  const backend = kafkaBackend(options.backend);
  const cluster: KafkaCluster =
    backend === "mock"
      ? await MockCluster.start(brokers)
      : backend === "external"
        ? new ExternalCluster(process.env.KAFKA_BROKERS!)
        : await RealKafkaCluster.start({ nodes: brokers });
  for (const topic of options.topics ?? [])
    await cluster.createTopic(topic.name, topic.partitions, topic.replicationFactor);
  return cluster;
}

class MockCluster implements MockKafkaCluster {
  readonly kind = "mock";
  readonly brokers: string[];
  private readonly waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  private queue: Promise<unknown> = Promise.resolve();
  private stderr = "";
  private exited = false;
  private readonly exit: Promise<void>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly bootstrapServers: string,
    lines: AsyncIterableIterator<string>,
  ) {
    this.brokers = bootstrapServers.split(",");
    this.exit = new Promise((resolve) =>
      child.once("exit", () => {
        this.exited = true;
        live.delete(child);
        for (const w of this.waiting.splice(0)) w.reject(this.deathError());
        resolve();
      }),
    );
    child.stderr.on("data", (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    void (async () => {
      for await (const line of lines) this.waiting.shift()?.resolve(line);
    })();
  }

  static async start(brokers: number): Promise<MockCluster> {
    const binary = await ensureMockClusterBinary();
    // The run tag lets the global teardown tell this test run's launchers from another run's.
    const tag = process.env.SLUICE_TEST_RUN ?? "adhoc";
    const child = spawn(binary, ["--brokers", String(brokers), "--run", tag], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    live.add(child);
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const first = await Promise.race([
      lines.next(),
      new Promise<never>((_, reject) =>
        child.once("exit", (code) =>
          reject(new Error(`mock cluster exited (${code}) before starting: ${stderr}`)),
        ),
      ),
    ]);
    const match = /^READY (\S+)$/.exec(first.done ? "" : first.value);
    if (!match) {
      child.kill("SIGKILL");
      throw new Error(`mock cluster said ${JSON.stringify(first.value)} instead of READY: ${stderr}`);
    }
    return new MockCluster(child, match[1]!, lines);
  }

  createTopic(name: string, partitions: number, replicationFactor = 1): Promise<void> {
    return this.command(`topic ${name} ${partitions} ${replicationFactor}`);
  }
  setBrokerDown(brokerId: number): Promise<void> {
    return this.command(`down ${brokerId}`);
  }
  setBrokerUp(brokerId: number): Promise<void> {
    return this.command(`up ${brokerId}`);
  }
  pushRequestErrors(apiKey: number, errorCodes: number[]): Promise<void> {
    return this.command(`errors ${apiKey} ${errorCodes.join(" ")}`);
  }
  pushBrokerRequestErrors(brokerId: number, apiKey: number, errorCodes: number[]): Promise<void> {
    return this.command(`broker-errors ${brokerId} ${apiKey} ${errorCodes.join(" ")}`);
  }
  clearRequestErrors(apiKey: number): Promise<void> {
    return this.command(`clear-errors ${apiKey}`);
  }
  setBrokerRtt(brokerId: number, ms: number): Promise<void> {
    return this.command(`rtt ${brokerId} ${ms}`);
  }
  setPartitionLeader(topic: string, partition: number, brokerId: number): Promise<void> {
    return this.command(`leader ${topic} ${partition} ${brokerId}`);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.stdin.end("quit\n");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
    await this.exit;
    clearTimeout(timer);
  }

  /** Sends one command and waits for its answer; commands are serialized. */
  private command(line: string): Promise<void> {
    if (/[\r\n]/.test(line)) return Promise.reject(new Error(`bad command ${JSON.stringify(line)}`));
    const next = this.queue.then(
      () =>
        new Promise<void>((resolve, reject) => {
          if (this.exited) {
            reject(this.deathError());
            return;
          }
          this.waiting.push({
            resolve: (answer) =>
              answer === "OK" ? resolve() : reject(new Error(`mock cluster: ${line}: ${answer}`)),
            reject,
          });
          this.child.stdin.write(`${line}\n`);
        }),
    );
    this.queue = next.catch(() => {});
    return next;
  }

  private deathError(): Error {
    return new Error(`the mock cluster launcher is not running; its stderr ended with: ${this.stderr}`);
  }
}

class ExternalCluster implements KafkaCluster {
  readonly kind = "external";
  readonly brokers: string[];
  constructor(readonly bootstrapServers: string) {
    this.brokers = bootstrapServers.split(",").map((b) => b.trim());
  }
  createTopic(
    name: string,
    partitions: number,
    replicationFactor = 1,
    configs: Record<string, string> = {},
  ): Promise<void> {
    return createTopicOn(this.brokers, name, partitions, replicationFactor, configs);
  }
  async stop(): Promise<void> {}
}
