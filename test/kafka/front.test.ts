// The Kafka front (test/harness/kafka/front/): what a broker's listener does that the mock cannot, seen
// by kafkajs clients and a raw socket.

import { once } from "node:events";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import kafkajs, { type KafkaConfig, type SASLOptions } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KafkaCluster, startKafkaCluster } from "../harness/kafka/cluster.js";
import { type KafkaFront, startKafkaFront, testCaFile } from "../harness/kafka/front/index.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

describe("Kafka front [librdkafka's mock cluster]", () => {
  let cluster: KafkaCluster;
  let plain: KafkaFront;
  let secured: KafkaFront;
  const user = { username: "front-user", password: "pa55word" };

  beforeAll(async () => {
    cluster = await startKafkaCluster({ backend: "mock", brokers: 2 });
    [plain, secured] = await Promise.all([
      startKafkaFront(cluster),
      startKafkaFront(cluster, { tls: true, sasl: { users: [user] } }),
    ]);
  });
  afterAll(async () => {
    await plain?.stop();
    await secured?.stop();
    await cluster?.stop();
  });

  const client = (config: Partial<KafkaConfig> & { brokers: string[] }) =>
    new Kafka({ clientId: "front-test", logLevel: logLevel.NOTHING, ...config });

  it("names its own listeners, one per broker, in metadata and as group coordinator", async () => {
    const admin = client({ brokers: [plain.brokers[0]!] }).admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      expect(brokers.map((b) => `${b.host}:${b.port}`).sort()).toEqual([...plain.brokers].sort());
      expect(brokers.some((b) => cluster.brokers.includes(`${b.host}:${b.port}`))).toBe(false);
      // OffsetFetch goes to the coordinator that FindCoordinator named.
      await cluster.createTopic("front-metadata", 1);
      const [offsets] = await admin.fetchOffsets({ groupId: "nobody", topics: ["front-metadata"] });
      expect(offsets?.partitions.map((p) => p.offset)).toEqual(["-1"]);
    } finally {
      await admin.disconnect();
    }
  });

  it("answers ListOffsets by timestamp as Kafka does: the first offset whose timestamp is at or after it", async () => {
    await cluster.createTopic("front-times", 1);
    const kafka = client({ brokers: plain.brokers });
    const producer = kafka.producer();
    await producer.connect();
    // Out of order on purpose: the answer is the first in offset order, not the nearest in time.
    const times = [1000, 3000, 2000, 5000, 4000];
    await producer.send({
      topic: "front-times",
      messages: times.map((t, i) => ({ value: `m${i}`, timestamp: String(1_700_000_000_000 + t) })),
    });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const at = async (t: number) =>
        (await admin.fetchTopicOffsetsByTimestamp("front-times", 1_700_000_000_000 + t))[0]!.offset;
      expect(await at(0)).toBe("0");
      expect(await at(1000)).toBe("0");
      expect(await at(1001)).toBe("1");
      expect(await at(2500)).toBe("1");
      expect(await at(3001)).toBe("3");
      expect(await at(4500)).toBe("3");
      // None that recent: Kafka answers -1, which kafkajs turns into the high watermark.
      expect(await at(5001)).toBe("5");
      const [offsets] = await admin.fetchTopicOffsets("front-times");
      expect([offsets?.low, offsets?.high]).toEqual(["0", "5"]);
    } finally {
      await admin.disconnect();
    }
  });

  it("takes only ApiVersions and SaslHandshake before authentication, and closes on anything else", async () => {
    const [host, port] = secured.brokers[0]!.split(":") as [string, string];
    // Metadata v1 for all topics: size, api key 3, version 1, correlation id 7, no client id, topics -1.
    const metadata = Buffer.from([0, 0, 0, 14, 0, 3, 0, 1, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const answer = (socket: Socket) =>
      new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        socket.on("data", (c: Buffer) => chunks.push(c));
        socket.on("error", () => {});
        socket.on("close", () => resolve(Buffer.concat(chunks)));
        socket.write(metadata);
      });
    const overTls = tlsConnect({ host, port: Number(port), ca: readFileSync(testCaFile) });
    await once(overTls, "secureConnect");
    expect((await answer(overTls)).length).toBe(0);
    // A plaintext client on the TLS listener gets nothing either.
    expect((await answer(connect({ host, port: Number(port) }))).length).toBe(0);

    const tls = { ca: [readFileSync(testCaFile, "utf8")] };
    const kafka = client({ brokers: secured.brokers, ssl: tls, sasl: { mechanism: "plain", ...user } });
    const admin = kafka.admin();
    await admin.connect();
    expect((await admin.describeCluster()).brokers.map((b) => `${b.host}:${b.port}`).sort()).toEqual(
      [...secured.brokers].sort(),
    );
    await admin.disconnect();
  });

  it("refuses a wrong password with SASL_AUTHENTICATION_FAILED and Kafka's message, for each mechanism", async () => {
    const tls = { ca: [readFileSync(testCaFile, "utf8")] };
    const expected = {
      plain: "Authentication failed: Invalid username or password",
      "scram-sha-256":
        "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256",
      "scram-sha-512":
        "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512",
    } as const;
    for (const mechanism of ["plain", "scram-sha-256", "scram-sha-512"] as const) {
      for (const sasl of [
        { mechanism, username: user.username, password: "wrong" } as SASLOptions,
        { mechanism, username: "nobody", password: user.password } as SASLOptions,
      ]) {
        const admin = client({ brokers: secured.brokers, ssl: tls, sasl, retry: { retries: 0 } }).admin();
        const error = await admin.connect().then(
          () => undefined,
          (e: Error) => e,
        );
        await admin.disconnect();
        expect(error?.name, mechanism).toBe("KafkaJSSASLAuthenticationError");
        expect(error?.message).toContain(expected[mechanism]);
      }
    }
  });
});
