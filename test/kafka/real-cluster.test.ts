// The real-node harness: Apache Kafka nodes and an Elasticsearch node start, stop, restart, and never
// outlive the process that started them.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import kafkajs from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leftoverProcesses } from "../harness/global-setup.js";
import { ELASTICSEARCH_VERSION, KAFKA_VERSION } from "../harness/jvm.js";
import { RealKafkaCluster } from "../harness/kafka/real-cluster.js";
import { repoRoot } from "../harness/process.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

function alive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    return !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

/** JVMs of test run `run`, by the tag every node's command line carries. */
const jvmPids = (run: string) =>
  leftoverProcesses(run)
    .filter((p) => p.cmdline.includes("-Dsluice.test.run="))
    .map((p) => p.pid);

describe(`the real-node harness [Apache Kafka ${KAFKA_VERSION}]`, () => {
  let cluster: RealKafkaCluster;
  beforeAll(async () => {
    cluster = await RealKafkaCluster.start({ nodes: 3 });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it("runs three KRaft nodes that kafkajs produces to and consumes from", async () => {
    await cluster.createTopic("replicated", 3, 3);
    const kafka = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const { brokers, controller } = await admin.describeCluster();
    const { topics } = await admin.fetchTopicMetadata({ topics: ["replicated"] });
    await admin.disconnect();
    expect(brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    expect([1, 2, 3]).toContain(controller);
    for (const p of topics[0]!.partitions) expect(p.replicas.sort()).toEqual([1, 2, 3]);

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: "replicated", acks: -1, messages: [{ value: "one" }, { value: "two" }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: "harness" });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: ["replicated"], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
      },
    });
    const end = Date.now() + 30_000;
    while (seen.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    await consumer.disconnect();
    expect(seen.sort()).toEqual(["one", "two"]);
  }, 60_000);

  it("refuses to create a topic that exists, rather than sharing it", async () => {
    await cluster.createTopic("once", 1);
    await expect(cluster.createTopic("once", 1)).rejects.toThrow(/exists already/);
  });

  it("kills a partition's leader; another node leads; the killed node comes back and is registered", async () => {
    await cluster.createTopic("failover", 1, 3);
    const leader = await cluster.leaderOf("failover", 0);
    await cluster.killNode(leader);
    let next = leader;
    const end = Date.now() + 30_000;
    while (next === leader && Date.now() < end) {
      next = await cluster.leaderOf("failover", 0).catch(() => leader);
      if (next === leader) await new Promise((r) => setTimeout(r, 250));
    }
    expect(next).not.toBe(leader);
    await cluster.startNode(leader);
    await cluster.waitForBrokers(3);
  }, 90_000);
});

describe(`real nodes are never left behind [Apache Kafka ${KAFKA_VERSION}, Elasticsearch ${ELASTICSEARCH_VERSION}]`, () => {
  it("stop() ends every JVM, and a second stop() does nothing", async () => {
    // A tag of this test's own: other test files' nodes (other processes) carry the run's.
    const run = process.env.SLUICE_TEST_RUN ?? "adhoc";
    process.env.SLUICE_TEST_RUN = `stop-check-${process.pid}`;
    let cluster: RealKafkaCluster;
    try {
      cluster = await RealKafkaCluster.start({ nodes: 2 });
    } finally {
      process.env.SLUICE_TEST_RUN = run;
    }
    const mine = jvmPids(`stop-check-${process.pid}`);
    expect(mine.length).toBe(2);
    await cluster.stop();
    await cluster.stop();
    expect(mine.filter(alive)).toEqual([]);
  }, 60_000);

  it("a Kafka node and an Elasticsearch node die with the process that started them, even on SIGKILL", async () => {
    const script = `
      import { RealKafkaCluster } from "./test/harness/kafka/real-cluster.ts";
      import { startRealElasticsearch } from "./test/harness/elasticsearch/real-node.ts";
      await Promise.all([RealKafkaCluster.start(), startRealElasticsearch()]);
      process.stdout.write("up\\n");
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, SLUICE_TEST_RUN: "real-orphan-check" },
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("up") && resolve());
      child.once("exit", (code) => reject(new Error(`child exited ${code}: ${err}`)));
    });
    const orphans = jvmPids("real-orphan-check");
    expect(orphans.length).toBe(2);
    child.kill("SIGKILL");
    const end = Date.now() + 10_000;
    while (orphans.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(orphans.filter(alive)).toEqual([]);
  }, 120_000);
});
