// A Kafka front for tests: one listener per broker of a cluster, doing what a real broker's listener does
// and librdkafka's mock cannot — TLS, SASL (PLAIN, SCRAM-SHA-256/512) and ListOffsets by timestamp.
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { fileURLToPath } from "node:url";
import kafkajs from "kafkajs";
import type { KafkaCluster } from "../cluster.js";
import { FrontConnection } from "./connection.js";
import { offsetForTimestamp } from "./list-offsets.js";
import { type ObservedRequest, observe } from "./observed.js";
import { type FrontSaslOptions, SaslUsers } from "./sasl.js";

export type { ObservedRequest } from "./observed.js";
export type { FrontSaslOptions, SaslMechanism, SaslUser } from "./sasl.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/tls/${name}`, import.meta.url));

/** The test CA that signed the front's certificate: give it to clients as `ssl.caFile`. */
export const testCaFile = fixture("ca.crt");

export interface KafkaFrontOptions {
  /** Terminate TLS: `true` serves test/fixtures/tls/server.crt (signed by `testCaFile`). */
  tls?: boolean | { cert: string | Buffer; key: string | Buffer };
  /** Terminate SASL for these users. */
  sasl?: FrontSaslOptions;
}

export interface KafkaFront {
  /** The front's listeners, one per broker: what clients use as their brokers. */
  readonly bootstrapServers: string;
  readonly brokers: string[];
  /** Every request clients sent through the front, in order. */
  readonly requests: readonly ObservedRequest[];
  stop(): Promise<void>;
}

/**
 * Starts a front before `cluster`. Metadata and FindCoordinator answers name the front's listeners, so a
 * client that bootstraps here never talks to the cluster directly. Stop it before the cluster.
 */
export async function startKafkaFront(
  cluster: KafkaCluster,
  options: KafkaFrontOptions = {},
): Promise<KafkaFront> {
  const nodes = await describeBrokers(cluster.brokers);
  const listeners = new Map<number, { host: string; port: number }>();
  const sockets = new Set<Socket>();
  const connections = new Set<FrontConnection>();
  const lookups = new Set<ChildProcess>();
  const requests: ObservedRequest[] = [];
  const context = {
    observe: (header: Parameters<typeof observe>[0], body: Buffer) => {
      requests.push(observe(header, body));
    },
    advertised: (nodeId: number) => listeners.get(nodeId),
    sasl: options.sasl ? new SaslUsers(options.sasl) : undefined,
    offsetForTimestamp: (query: Parameters<typeof offsetForTimestamp>[1]) =>
      offsetForTimestamp(cluster.bootstrapServers, query, lookups),
    report: (error: unknown) => process.stderr.write(`kafka front: ${String(error)}\n`),
  };
  const tls =
    options.tls === true
      ? { cert: readFileSync(fixture("server.crt")), key: readFileSync(fixture("server.key")) }
      : options.tls || undefined;

  const servers: Server[] = [];
  for (const node of nodes) {
    const accept = (client: Socket) => {
      const connection = new FrontConnection(client, node, context, () => connections.delete(connection));
      connections.add(connection);
    };
    const server = tls ? createTlsServer(tls, accept) : createTcpServer(accept);
    // Every TCP socket, also those still in a TLS handshake, so stop() can end them all.
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("the front's listener has no port");
    listeners.set(node.nodeId, { host: "127.0.0.1", port: address.port });
  }

  const brokers = nodes.map((n) => `127.0.0.1:${listeners.get(n.nodeId)!.port}`);
  return {
    bootstrapServers: brokers.join(","),
    brokers,
    requests,
    async stop() {
      const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      for (const connection of connections) connection.close();
      for (const socket of sockets) socket.destroy();
      for (const child of lookups) child.kill("SIGKILL");
      await Promise.all(closed);
    },
  };
}

/** The cluster's brokers by id, as its metadata names them. */
async function describeBrokers(
  brokers: string[],
): Promise<Array<{ nodeId: number; host: string; port: number }>> {
  const admin = new Kafka({ brokers, clientId: "kafka-front", logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return (await admin.describeCluster()).brokers;
  } finally {
    await admin.disconnect();
  }
}
