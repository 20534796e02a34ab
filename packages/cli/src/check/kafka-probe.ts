// Probes Kafka as `sluice run` would reach it: each broker list connects, each topic exists, each group's state and commits.
import { Writable } from "node:stream";
import { createLogger, describeError, ErrorCode, isTlsError } from "@sluice/core";
import { type KafkaConnectionOptions, kafkaClientConfig } from "@sluice/source-kafka";
import kafkajs from "kafkajs";
import type { PlannedPipeline } from "../plan.js";
import { brokersText } from "./describe.js";
import { type ProbeLine, type ProbeSection, withTimeout } from "./probe.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

type Admin = ReturnType<InstanceType<typeof Kafka>["admin"]>;
type Source = Record<string, unknown>;

/** One probe section per distinct connection (brokers, SASL, TLS) among the pipelines' sources. */
export async function probeKafka(
  pipelines: readonly PlannedPipeline[],
  timeoutMs: number,
): Promise<ProbeSection[]> {
  const byConnection = new Map<string, Source[]>();
  for (const { source } of pipelines) {
    const key = JSON.stringify(connectionOf(source));
    byConnection.set(key, [...(byConnection.get(key) ?? []), source]);
  }
  return Promise.all([...byConnection.values()].map((sources) => probeConnection(sources, timeoutMs)));
}

function connectionOf(source: Source): KafkaConnectionOptions {
  const { brokers, sasl, ssl, connectionTimeoutMs } = source as unknown as KafkaConnectionOptions;
  return { brokers, sasl, ssl, connectionTimeoutMs };
}

async function probeConnection(sources: readonly Source[], timeoutMs: number): Promise<ProbeSection> {
  const first = sources[0]!;
  const section: ProbeSection = { title: `Kafka ${brokersText(first)}`, lines: [] };
  const lines = section.lines;
  const warnings: string[] = [];
  let admin: Admin;
  try {
    const connection = connectionOf(first);
    const config = kafkaClientConfig(
      "kafka",
      { ...connection, clientId: "sluice-check" },
      warningsInto(warnings),
    );
    // Short timeouts and one retry: a check answers in seconds, without a storm of reconnects.
    admin = new Kafka({
      ...config,
      connectionTimeout: Math.min(config.connectionTimeout ?? 3000, timeoutMs),
      requestTimeout: timeoutMs,
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1000 },
      logLevel: logLevel.NOTHING,
    }).admin();
  } catch (error) {
    lines.push({ status: "FAIL", text: describeError(error) });
    return section;
  }
  for (const warning of warnings) lines.push({ status: "warn", text: warning });
  const call = <T>(work: () => Promise<T>, what: string) =>
    withTimeout(work(), timeoutMs, `Kafka at ${brokersText(first)} (${what})`, ErrorCode.KAFKA_UNREACHABLE);
  try {
    await call(() => admin.connect(), "connect");
    const cluster = await call(() => admin.describeCluster(), "metadata");
    const count = cluster.brokers.length;
    lines.push({
      status: "ok",
      text: `connected: ${count} broker${count === 1 ? "" : "s"}, cluster ${cluster.clusterId}`,
    });
  } catch (error) {
    lines.push({ status: "FAIL", text: connectFailure(brokersText(first), error) });
    await admin.disconnect().catch(() => undefined);
    return section;
  }
  try {
    const existing = new Set(await call(() => admin.listTopics(), "list topics"));
    const partitions = new Map<string, number>();
    const autoCreate = await brokerAutoCreates(admin, timeoutMs);
    for (const topic of new Set(sources.flatMap(topicsOf))) {
      if (!existing.has(topic)) {
        lines.push({ status: "FAIL", text: missingTopic(topic, autoCreate) });
        continue;
      }
      const { topics } = await call(() => admin.fetchTopicMetadata({ topics: [topic] }), `topic ${topic}`);
      const count = topics[0]?.partitions.length ?? 0;
      partitions.set(topic, count);
      lines.push({ status: "ok", text: `topic ${topic}: ${count} partition${count === 1 ? "" : "s"}` });
    }
    for (const pattern of new Set(sources.map((s) => s.topicPattern).filter((p) => typeof p === "string"))) {
      const matched = [...existing].filter((t) => new RegExp(pattern).test(t) && !t.startsWith("__"));
      lines.push(
        matched.length === 0
          ? { status: "warn", text: `no topic matches /${pattern}/: that subscription reads nothing` }
          : { status: "ok", text: `/${pattern}/ matches ${matched.join(", ")}` },
      );
    }
    for (const [groupId, members] of groupsOf(sources))
      lines.push(...(await probeGroup(admin, groupId, members, partitions, call)));
  } catch (error) {
    lines.push({ status: "FAIL", text: describeError(error) });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return section;
}

function topicsOf(source: Source): string[] {
  return Array.isArray(source.topics) ? (source.topics as string[]) : [];
}

/** Each group with the topics its sources read and where each starts without a commit. */
function groupsOf(sources: readonly Source[]): Map<string, Map<string, unknown>> {
  const groups = new Map<string, Map<string, unknown>>();
  for (const source of sources) {
    const group = String(source.groupId);
    const topics = groups.get(group) ?? new Map<string, unknown>();
    for (const topic of topicsOf(source)) topics.set(topic, source.startFrom ?? "earliest");
    groups.set(group, topics);
  }
  return groups;
}

async function probeGroup(
  admin: Admin,
  groupId: string,
  startFrom: Map<string, unknown>,
  partitions: Map<string, number>,
  call: <T>(work: () => Promise<T>, what: string) => Promise<T>,
): Promise<ProbeLine[]> {
  const lines: ProbeLine[] = [];
  const { groups } = await call(() => admin.describeGroups([groupId]), `group ${groupId}`);
  const group = groups[0];
  const members = group?.members.length ?? 0;
  lines.push(
    members > 0
      ? {
          status: "warn",
          text: `group ${groupId} has ${members} member${members === 1 ? "" : "s"} now (${group!.state}, protocol ${group!.protocol || "none"}): stop the consumers Sluice replaces first, or they share the partitions`,
        }
      : {
          status: "ok",
          text:
            group === undefined || group.state === "Dead"
              ? `group ${groupId} does not exist yet: Sluice creates it by joining`
              : `group ${groupId}: no member now (${group.state})`,
        },
  );
  const topics = [...startFrom.keys()].filter((t) => partitions.has(t));
  if (topics.length === 0) return lines;
  const offsets = await call(() => admin.fetchOffsets({ groupId, topics }), `offsets of ${groupId}`);
  for (const { topic, partitions: committed } of offsets) {
    const total = partitions.get(topic) ?? committed.length;
    const done = committed.filter((p) => Number(p.offset) >= 0).length;
    const start = startFrom.get(topic);
    if (done === total)
      lines.push({
        status: "ok",
        text: `group ${groupId} has committed offsets on all ${total} partitions of ${topic}: reading resumes there`,
      });
    else if (start === "latest")
      lines.push({
        status: "warn",
        text: `group ${groupId} has no committed offset on ${total - done} of ${total} partitions of ${topic} and starts from latest: the records already there are skipped (startFrom earliest reads them)`,
      });
    else
      lines.push({
        status: "ok",
        text: `group ${groupId} has no committed offset on ${total - done} of ${total} partitions of ${topic}: those start from ${start === "earliest" ? "the earliest record" : "the given time"}`,
      });
  }
  return lines;
}

/** Whether a broker creates a topic a client asks metadata for (auto.create.topics.enable); undefined if unknown. */
async function brokerAutoCreates(admin: Admin, timeoutMs: number): Promise<boolean | undefined> {
  try {
    const { brokers } = await admin.describeCluster();
    const broker = String(brokers[0]?.nodeId ?? 0);
    const answer = await withTimeout(
      admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 4, name: broker, configNames: ["auto.create.topics.enable"] }],
      }),
      timeoutMs,
      "broker config",
      ErrorCode.KAFKA_UNREACHABLE,
    );
    const value = answer.resources[0]?.configEntries.find(
      (e) => e.configName === "auto.create.topics.enable",
    );
    return value === undefined ? undefined : value.configValue === "true";
  } catch {
    return undefined;
  }
}

function missingTopic(topic: string, autoCreate: boolean | undefined): string {
  const base = `topic ${topic} does not exist: create it before Sluice reads it`;
  if (autoCreate === true)
    return `${base} (this broker has auto.create.topics.enable=true: Sluice's consumer, which lets kafkajs ask for topic creation, would create it with the broker's default partition count)`;
  return base;
}

/** Why the connection failed, naming the brokers (never a password: kafkajs's messages carry none, and the caller scrubs). */
function connectFailure(where: string, error: unknown): string {
  const why = describeError(error);
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if (e.name === "KafkaJSSASLAuthenticationError")
      return `Kafka at ${where} refused the SASL credentials: ${why} (check sasl.mechanism, username and password)`;
  if (isTlsError(error)) return `the TLS handshake with Kafka at ${where} failed: ${why}`;
  return `cannot reach Kafka at ${where}: ${why}`;
}

/** A logger that keeps the warnings kafkaClientConfig logs (TLS verification off, SASL in clear) as lines. */
function warningsInto(into: string[]) {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n"))
        if (line.trim()) into.push(String((JSON.parse(line) as { msg?: unknown }).msg));
      done();
    },
  });
  return createLogger({ level: "warn", destination });
}
