// `sluice check` against the test Kafka and Elasticsearch: the seed's Vector plan pointed at them.
import { createServer, type Server } from "node:net";
import kafkajs from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPlan } from "../../packages/cli/src/check/check-plan.js";
import type { Plan } from "../../packages/cli/src/plan.js";
import { loadVector } from "../../packages/cli/src/vector/load.js";
import { planVector } from "../../packages/cli/src/vector/plan.js";
import { runsOn } from "../harness/backends.js";
import { useTestbed } from "../pipeline/helpers.js";

const SEED = new URL("../fixtures/seed/vector-configmap.yaml", import.meta.url).pathname;
const PASSWORD = "8QZJ656ax3TXZqQh205l3Ee0";

/** The plan with every Kafka address and Elasticsearch node replaced (and a topic renamed, if asked). */
function pointAt(plan: Plan, to: { brokers: string; node: string; rename?: [string, string] }): Plan {
  const topic = (t: string) => (to.rename && t === to.rename[0] ? to.rename[1] : t);
  return {
    ...plan,
    pipelines: plan.pipelines.map((pipeline) => ({
      ...pipeline,
      source: {
        ...pipeline.source,
        brokers: [to.brokers],
        topics: (pipeline.source.topics as string[]).map(topic),
      },
      targets: pipeline.targets.map((target) => ({ ...target, sink: { ...target.sink, node: to.node } })),
    })),
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The probe lines of a verdict, each unwrapped to one line. */
const lines = (text: string, status: "ok" | "warn" | "FAIL") =>
  unwrapped(text)
    .split("\n")
    .filter((line) => line.startsWith(`    ${status}`));
/** The text with each probe line's continuation lines joined back to it. */
const unwrapped = (text: string) => text.replace(/\n {10}/g, " ");
/** An admin client of the test cluster, for `work`. */
async function withAdmin<T>(brokers: string, work: (admin: kafkajs.Admin) => Promise<T>): Promise<T> {
  const admin = new kafkajs.Kafka({
    brokers: brokers.split(","),
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

describe(`sluice check ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  const seed = planVector(loadVector(SEED));
  const topics = ["insight-logs", "insight-event", "insight-gw-skoala"];

  beforeAll(async () => {
    for (const topic of topics) await bed.kafka.createTopic(topic, 2);
  });

  it("says ok for topics that exist and an Elasticsearch that answers, and warns of a group that would skip the backlog", async () => {
    const plan = pointAt(seed, { brokers: bed.kafka.bootstrapServers, node: bed.es.url });
    const checked = await checkPlan(plan);
    const { exitCode } = checked;
    const text = unwrapped(checked.text);
    expect(lines(text, "FAIL"), text).toEqual([]);
    expect(exitCode).toBe(0);
    expect(text).toContain(`  Kafka ${bed.kafka.bootstrapServers}\n    ok    connected: 1 broker`);
    for (const topic of topics) expect(text).toContain(`ok    topic ${topic}: 2 partitions`);
    expect(text).toContain(
      "warn  group consumer-group-insight has no committed offset on 2 of 2 partitions of insight-logs and starts from latest: the records already there are skipped",
    );
    expect(text).toContain(
      "ok    group consumer-group-insight does not exist yet: Sluice creates it by joining",
    );
    expect(text).toMatch(
      /ok {4}Elasticsearch \d+\.\d+\.\d+ answers \(x-elastic-product header present\), credentials accepted/,
    );
    expect(text).toMatch(
      /ok {4}target insight_es_logs: index insight-es-k8s-logs-alias-1418 does not exist: the first write\s+creates it/,
    );
    expect(text).toMatch(
      /ok {4}dead letters: index sluice-dead-letter does not exist: Sluice creates it with its mapping at\s+start/,
    );
    expect(text).not.toContain(PASSWORD);
  });

  it("says ok for a group whose offsets are committed", async () => {
    await withAdmin(bed.kafka.bootstrapServers, (admin) =>
      admin.setOffsets({
        groupId: "check-committed",
        topic: "insight-logs",
        partitions: [
          { partition: 0, offset: "0" },
          { partition: 1, offset: "0" },
        ],
      }),
    );
    const plan = pointAt(seed, { brokers: bed.kafka.bootstrapServers, node: bed.es.url });
    const first = plan.pipelines[0]!;
    const { text } = await checkPlan({
      ...plan,
      pipelines: [{ ...first, source: { ...first.source, groupId: "check-committed" } }],
    });
    expect(unwrapped(text)).toContain(
      "ok    group check-committed has committed offsets on all 2 partitions of insight-logs: reading resumes there",
    );
  });

  it("says whether a data stream target exists, or which index template will make it one (once for targets alike)", async () => {
    await bed.client.indices.putIndexTemplate({
      name: "check-streams",
      index_patterns: ["check-stream-*"],
      data_stream: {},
    });
    // The first document written creates the stream, as the sink's first write would.
    await bed.client.index({
      index: "check-stream-there",
      op_type: "create",
      document: { "@timestamp": new Date().toISOString() },
    });
    const plan = pointAt(seed, { brokers: bed.kafka.bootstrapServers, node: bed.es.url });
    const first = plan.pipelines[0]!;
    const target = first.targets[0]!;
    const stream = (name: string, index: string) => ({
      ...target,
      name,
      sink: { ...target.sink, index, dataStream: true },
    });
    const { text } = await checkPlan({
      ...plan,
      pipelines: [
        {
          ...first,
          targets: [
            stream("new", "check-stream-new"),
            stream("again", "check-stream-new"),
            stream("there", "check-stream-there"),
            stream("plain", "check-no-template"),
          ],
        },
      ],
    });
    expect(lines(text, "ok"), unwrapped(text)).toEqual(
      expect.arrayContaining([
        "    ok    targets new, again: data stream check-stream-new does not exist: the first write creates it from the index template check-streams",
        "    ok    target there: data stream check-stream-there exists",
      ]),
    );
    expect(lines(text, "warn")).toContain(
      "    warn  target plain: check-no-template does not exist and no index template with data_stream matches it: the first write creates a plain index, not a data stream",
    );
  });

  it("fails on a topic that does not exist, and does not create it", async () => {
    const plan = pointAt(seed, {
      brokers: bed.kafka.bootstrapServers,
      node: bed.es.url,
      rename: ["insight-event", "check-missing"],
    });
    const { text, exitCode } = await checkPlan(plan);
    expect(exitCode).toBe(1);
    expect(lines(text, "FAIL")).toEqual([
      "    FAIL  topic check-missing does not exist: create it before Sluice reads it (this broker has auto.create.topics.enable=true: Sluice's consumer, which lets kafkajs ask for topic creation, would create it with the broker's default partition count)",
    ]);
    expect(text).toMatch(/1 FAIL, \d+ warn, \d+ ok: sluice run would not start as it is/);
    const existing = await withAdmin(bed.kafka.bootstrapServers, (admin) => admin.listTopics());
    expect(existing).not.toContain("check-missing");
  });

  it("fails on an Elasticsearch that does not answer, naming its URL and not the password in it", async () => {
    const port = await closedPort();
    const plan = pointAt(seed, {
      brokers: bed.kafka.bootstrapServers,
      node: `http://elastic:url-s3cret@127.0.0.1:${port}`,
    });
    const { text, exitCode } = await checkPlan(plan, { timeoutMs: 2000 });
    expect(exitCode).toBe(1);
    const fails = lines(text, "FAIL");
    expect(fails).toHaveLength(1);
    expect(fails[0]).toContain(`cannot reach Elasticsearch at http://elastic:[redacted]@127.0.0.1:${port}`);
    expect(text).not.toContain("url-s3cret");
    expect(text).not.toContain(PASSWORD);
  });

  describe("offline", () => {
    let server: Server;
    let connections = 0;
    let address: string;
    beforeAll(async () => {
      server = createServer((socket) => {
        connections++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      address = `127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it("prints the plan and contacts nothing", async () => {
      const plan = pointAt(seed, { brokers: address, node: `http://${address}` });
      const { text, exitCode } = await checkPlan(plan, { offline: true });
      expect(exitCode).toBe(0);
      expect(text).toContain("Pipeline insight_logs_kafka");
      expect(text).toContain(
        "Connections not checked (offline): neither Kafka nor Elasticsearch was contacted",
      );
      expect(connections).toBe(0);
      // The same plan checked online does reach that address: the count above would have seen it.
      const online = await checkPlan(plan, { timeoutMs: 1000 });
      expect(online.exitCode).toBe(1);
      expect(connections).toBeGreaterThan(0);
    });
  });
});
