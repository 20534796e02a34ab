// The mock-cluster harness (librdkafka's mock cluster behind its launcher) driven by real kafkajs clients.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { registerCodecs } from "@sluice/source-kafka";
import kafkajs from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leftoverProcesses } from "../harness/global-setup.js";
import {
  ApiKey,
  KafkaErrorCode,
  type MockKafkaCluster,
  startKafkaCluster,
} from "../harness/kafka/cluster.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

async function consumeAll(
  brokers: string[],
  groupId: string,
  topic: string,
  expected: number,
): Promise<Array<{ partition: number; offset: string; value: string }>> {
  const consumer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).consumer({
    groupId,
    sessionTimeout: 6000,
    heartbeatInterval: 1000,
  });
  const out: Array<{ partition: number; offset: string; value: string }> = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      out.push({ partition, offset: message.offset, value: message.value!.toString() });
    },
  });
  const end = Date.now() + 30_000;
  while (out.length < expected && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  // Let the auto-commit of the last batch go out before leaving.
  await new Promise((r) => setTimeout(r, 200));
  await consumer.disconnect();
  return out;
}

describe("the mock-cluster harness [librdkafka's mock cluster]", () => {
  let cluster: MockKafkaCluster;

  beforeAll(async () => {
    registerCodecs();
    cluster = await startKafkaCluster({
      backend: "mock",
      brokers: 3,
      topics: [{ name: "orders", partitions: 3 }],
    });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("speaks Kafka to kafkajs: produce, consume in a group, commit, resume after the commit", async () => {
    expect(cluster.brokers.length).toBe(3);
    const producer = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({
      topic: "orders",
      messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 7}`, value: `order-${i}` })),
    });
    const first = await consumeAll(cluster.brokers, "billing", "orders", 30);
    expect(first.map((m) => m.value).sort()).toEqual(
      Array.from({ length: 30 }, (_, i) => `order-${i}`).sort(),
    );
    expect(new Set(first.map((m) => m.partition)).size).toBeGreaterThan(1);

    await producer.send({ topic: "orders", messages: [{ key: "k1", value: "order-late" }] });
    await producer.disconnect();
    // Same group: only what came after the committed offsets.
    const second = await consumeAll(cluster.brokers, "billing", "orders", 1);
    expect(second.map((m) => m.value)).toEqual(["order-late"]);
  }, 60_000);

  it("creates topics through the launcher", async () => {
    await cluster.createTopic("created-later", 5);
    const admin = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: ["created-later"] });
    await admin.disconnect();
    expect(meta.topics[0]!.partitions.length).toBe(5);
  });

  it("sets a broker down and up: the partition it leads is unreachable meanwhile", async () => {
    await cluster.createTopic("faulty", 1);
    await cluster.setPartitionLeader("faulty", 0, 2);
    const producer = new Kafka({
      brokers: cluster.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      requestTimeout: 1000,
      connectionTimeout: 500,
    }).producer({ retry: { retries: 0 } });
    await producer.connect();
    await producer.send({ topic: "faulty", messages: [{ value: "before" }] });
    await cluster.setBrokerDown(2);
    await expect(producer.send({ topic: "faulty", messages: [{ value: "during" }] })).rejects.toThrow();
    await cluster.setBrokerUp(2);
    let sent = false;
    for (let i = 0; i < 20 && !sent; i++) {
      sent = await producer.send({ topic: "faulty", messages: [{ value: "after" }] }).then(
        () => true,
        () => false,
      );
      if (!sent) await new Promise((r) => setTimeout(r, 250));
    }
    await producer.disconnect();
    expect(sent).toBe(true);
  }, 30_000);

  it("injects request errors: the next Produce requests fail with the codes pushed", async () => {
    await cluster.createTopic("errors", 1);
    const producer = new Kafka({
      brokers: cluster.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).producer({
      retry: { retries: 0 },
    });
    await producer.connect();
    await cluster.pushRequestErrors(ApiKey.Produce, [KafkaErrorCode.NOT_ENOUGH_REPLICAS]);
    const error = await producer
      .send({ topic: "errors", messages: [{ value: "x" }] })
      .catch((e: unknown) => e);
    expect(String((error as Error).message)).toMatch(/replicas/i);
    await producer.send({ topic: "errors", messages: [{ value: "y" }] });
    await producer.disconnect();
  }, 30_000);

  it("reports a bad command instead of hanging", async () => {
    await expect(cluster.setBrokerDown(99)).rejects.toThrow(/mock cluster: down 99: ERR/);
    // And it still answers afterwards.
    await cluster.createTopic("still-answering", 1);
  });
});

describe("no mock-cluster launcher is left behind [librdkafka's mock cluster]", () => {
  function launcherAlive(pid: number): boolean {
    if (!existsSync(`/proc/${pid}`)) return false;
    try {
      return !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, "utf8"));
    } catch {
      return false;
    }
  }

  it("stop() ends the launcher", async () => {
    const cluster = await startKafkaCluster({ backend: "mock" });
    const pids = launcherPids();
    await cluster.stop();
    await cluster.stop(); // idempotent
    for (const pid of pids) expect(launcherAlive(pid)).toBe(false);
  });

  it("a launcher dies with the process that started it, even on SIGKILL", async () => {
    const script = `
      import { startKafkaCluster } from "./test/harness/kafka/cluster.ts";
      const cluster = await startKafkaCluster({ backend: "mock" });
      process.stdout.write("up " + cluster.bootstrapServers + "\\n");
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: new URL("../..", import.meta.url).pathname,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, SLUICE_TEST_RUN: "orphan-check" },
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("up ") && resolve());
      child.once("exit", (code) => reject(new Error(`child exited ${code}`)));
    });
    const orphans = launcherPids("orphan-check");
    expect(orphans.length).toBe(1);
    child.kill("SIGKILL");
    const end = Date.now() + 5000;
    while (orphans.some(launcherAlive) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(orphans.filter(launcherAlive)).toEqual([]);
  }, 30_000);
});

/** PIDs of live launchers tagged with `run` (this test run's tag by default). */
function launcherPids(run = process.env.SLUICE_TEST_RUN ?? "adhoc"): number[] {
  return leftoverProcesses(run).map((p) => p.pid);
}
