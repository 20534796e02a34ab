// The embedded Kafka cluster for tests: librdkafka's mock cluster behind a line protocol, or KAFKA_BROKERS.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import kafkajs from "kafkajs";
import { ensureMockClusterBinary } from "./launcher.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

export interface KafkaClusterOptions {
  /** Brokers in the mock cluster (ids 1..n). Default 1. */
  brokers?: number;
  topics?: Array<{ name: string; partitions: number; replicationFactor?: number }>;
}

export interface KafkaCluster {
  readonly bootstrapServers: string;
  readonly brokers: string[];
  /** True when KAFKA_BROKERS points the tests at a real cluster. */
  readonly external: boolean;
  createTopic(name: string, partitions: number, replicationFactor?: number): Promise<void>;
  setBrokerDown(brokerId: number): Promise<void>;
  setBrokerUp(brokerId: number): Promise<void>;
  /** The next requests of `apiKey`, cluster-wide, fail with these Kafka error codes in order. */
  pushRequestErrors(apiKey: number, errorCodes: number[]): Promise<void>;
  pushBrokerRequestErrors(brokerId: number, apiKey: number, errorCodes: number[]): Promise<void>;
  clearRequestErrors(apiKey: number): Promise<void>;
  setBrokerRtt(brokerId: number, ms: number): Promise<void>;
  setPartitionLeader(topic: string, partition: number, brokerId: number): Promise<void>;
  stop(): Promise<void>;
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

export async function startKafkaCluster(options: KafkaClusterOptions = {}): Promise<KafkaCluster> {
  const external = process.env.KAFKA_BROKERS;
  const cluster = external ? new ExternalCluster(external) : await MockCluster.start(options.brokers ?? 1);
  for (const topic of options.topics ?? [])
    await cluster.createTopic(topic.name, topic.partitions, topic.replicationFactor);
  return cluster;
}

class MockCluster implements KafkaCluster {
  readonly external = false;
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
  readonly external = true;
  readonly brokers: string[];
  constructor(readonly bootstrapServers: string) {
    this.brokers = bootstrapServers.split(",").map((b) => b.trim());
  }
  async createTopic(name: string, partitions: number, replicationFactor = 1): Promise<void> {
    const admin = new Kafka({ brokers: this.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic: name, numPartitions: partitions, replicationFactor }],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
  }
  private unsupported(): Promise<never> {
    return Promise.reject(
      new Error("fault injection needs the embedded Kafka cluster (unset KAFKA_BROKERS)"),
    );
  }
  setBrokerDown(): Promise<void> {
    return this.unsupported();
  }
  setBrokerUp(): Promise<void> {
    return this.unsupported();
  }
  pushRequestErrors(): Promise<void> {
    return this.unsupported();
  }
  pushBrokerRequestErrors(): Promise<void> {
    return this.unsupported();
  }
  clearRequestErrors(): Promise<void> {
    return this.unsupported();
  }
  setBrokerRtt(): Promise<void> {
    return this.unsupported();
  }
  setPartitionLeader(): Promise<void> {
    return this.unsupported();
  }
  async stop(): Promise<void> {}
}
