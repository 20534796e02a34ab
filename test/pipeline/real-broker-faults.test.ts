// Real Kafka nodes killed, stopped and restarted under a running pipeline, and a pipeline member killed:
// every record still lands in Elasticsearch exactly once and every offset is committed.
import { Client } from "@elastic/elasticsearch";
import type { Pipeline } from "@sluice/core";
import { epochToIso, parseJson } from "@sluice/transforms";
import kafkajs from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slicePipeline } from "../fixtures/slice-pipeline.js";
import { elasticsearchBackend, elasticsearchNames, kafkaNames } from "../harness/backends.js";
import { type ElasticsearchHandle, startElasticsearch } from "../harness/elasticsearch/index.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { RealKafkaCluster } from "../harness/kafka/real-cluster.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import {
  type ChildPipeline,
  committedTotal,
  countDocs,
  keptLog,
  pace,
  type ReceivedBatch,
  spawnSlicePipeline,
  tapBatches,
  waitFor,
} from "./helpers.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel } = kafkajs;

const NODES = [1, 2, 3];
const PARTITIONS = 3;
// Unpaced, this machine moves 40 000 records in a few seconds, less than a fault takes to happen: paced,
// the pipeline is still reading, writing and committing while a node dies, the quorum is gone or the
// cluster is down. So many records because a source batch is a partition's whole fetch (up to 1 MB of
// lz4, ~3 750 of these records), handed on whole whatever maxInFlightEvents says.
const RECORDS = 40_000;
const RECORDS_PER_SECOND = 2000;
const IN_FLIGHT = 1000;
/**
 * The member-kill scenario's session timeout, and how much longer than it a takeover may take: the victim's
 * session expires at most a session timeout after its last heartbeat; the survivor hears of the rebalance
 * at its next heartbeat (a sixth of the session, 1 s), rejoins and syncs alone, fetches the committed
 * offsets, then records (one fetch wait, 500 ms), writes them and commits (every 200 ms). The margin is
 * those 1.7 s plus 4.3 s for the round trips and the first bulk write on a 2-core machine running three
 * Kafka JVMs and Elasticsearch (measured: 0.6-3 s beyond the session timeout).
 */
const SESSION_TIMEOUT_MS = 6000;
const REJOIN_MARGIN_MS = 6000;

let cluster: RealKafkaCluster;
let es: ElasticsearchHandle;
let client: Client;
const pipelines: Pipeline[] = [];
const children: ChildPipeline[] = [];

const withAdmin = <T>(work: (admin: kafkajs.Admin) => Promise<T>, brokers = cluster.brokers) =>
  cluster.withAdmin(work, brokers);

/** Every node running and registered: each scenario starts on a whole cluster, whatever the last one left. */
async function wholeCluster(): Promise<void> {
  for (const id of NODES) await cluster.startNode(id);
  await cluster.waitForBrokers(NODES.length);
}

/** The high watermark of each partition of `topic`: what every in-sync replica holds. */
async function highWatermarks(topic: string): Promise<Map<number, number>> {
  const offsets = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
  return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

/**
 * kcat produces with the seed's acks=1 (produceWithKcat has no acks option), so a leader killed before
 * its followers fetched could lose acknowledged records. Records are produced only while every node is
 * up, and this waits until the partitions' high watermarks cover `total` records with all three replicas
 * in sync: a fault after this can lose them only through the pipeline.
 */
async function replicated(topic: string, total: number): Promise<void> {
  await waitFor(
    `${total} records of ${topic} on every replica`,
    async () => {
      const [high, metadata] = await Promise.all([
        highWatermarks(topic),
        withAdmin((admin) => admin.fetchTopicMetadata({ topics: [topic] })),
      ]);
      const partitions = metadata.topics[0]?.partitions ?? [];
      return {
        records: sum(high.values()),
        underReplicated: partitions.filter((p) => p.isr.length < NODES.length).length,
      };
    },
    (r) => r.records === total && r.underReplicated === 0,
    60_000,
    200,
  );
}

const produce = (topic: string, messages: string[], partition?: number) =>
  produceWithKcat({
    brokers: cluster.bootstrapServers,
    topic,
    messages,
    ...(partition === undefined ? {} : { partition }),
  });

/** Committed offsets of `group` on `topic`, per partition. */
async function committedOffsets(group: string, topic: string): Promise<Map<number, number>> {
  const [entry] = await withAdmin((admin) => admin.fetchOffsets({ groupId: group, topics: [topic] }));
  return new Map((entry?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

/** Every document of `index`: its _id and the record's `time`, which no two records of a stream share. */
async function documents(index: string): Promise<Array<{ id: string; time: unknown }>> {
  await client.indices.refresh({ index });
  const found: Array<{ id: string; time: unknown }> = [];
  let page = await client.search<{ time?: string }>({
    index,
    scroll: "1m",
    size: 5000,
    _source: ["time"],
    sort: ["_doc"],
  });
  while (page.hits.hits.length > 0) {
    for (const hit of page.hits.hits) found.push({ id: hit._id ?? "", time: hit._source?.time });
    page = await client.scroll({ scroll_id: page._scroll_id!, scroll: "1m" });
  }
  if (page._scroll_id) await client.clearScroll({ scroll_id: page._scroll_id });
  return found;
}

interface Figures {
  /** Records given to kcat. */
  produced: number;
  /** Records Kafka holds (sum of high watermarks): equal to produced, or the producer lost or doubled some. */
  inKafka: number;
  documents: number;
  /** Produced records no document holds. */
  missing: number;
  /** Documents beyond the first for a record. */
  duplicates: number;
  /** Offsets in Kafka without a document of their `<topic>+<partition>+<offset>` _id. */
  offsetsWithoutDocument: number;
  /** Documents whose _id or content is no record of the topic. */
  strays: number;
  committed: number;
}

/** What the pipeline delivered, record by record and offset by offset. */
async function ledger(topic: string, index: string, group: string, records: string[]): Promise<Figures> {
  const high = await highWatermarks(topic);
  const copies = new Map<string, number>(records.map((r) => [(JSON.parse(r) as { time: string }).time, 0]));
  const docs = await documents(index);
  const offsets = new Set<string>();
  let strays = 0;
  for (const { id, time } of docs) {
    const match = /^(.+)\+(\d+)\+(\d+)$/.exec(id);
    const [, idTopic, partition, offset] = match ?? [];
    const n = copies.get(String(time));
    if (idTopic !== topic || Number(offset) >= (high.get(Number(partition)) ?? 0) || n === undefined) {
      strays++;
      continue;
    }
    offsets.add(`${partition}+${offset}`);
    copies.set(String(time), n + 1);
  }
  const counts = [...copies.values()];
  return {
    produced: records.length,
    inKafka: sum(high.values()),
    documents: await countDocs(client, index),
    missing: counts.filter((c) => c === 0).length,
    duplicates: sum(counts.map((c) => Math.max(0, c - 1))),
    offsetsWithoutDocument: sum(high.values()) - offsets.size,
    strays,
    committed: await committedTotal(cluster.brokers, group, topic),
  };
}

function exact(records: number): Figures {
  return {
    produced: records,
    inKafka: records,
    documents: records,
    missing: 0,
    duplicates: 0,
    offsetsWithoutDocument: 0,
    strays: 0,
    committed: records,
  };
}

function report(name: string, f: Figures, extra: string): void {
  console.log(
    `figures: ${name}: produced=${f.produced} documents=${f.documents} missing=${f.missing} duplicates=${f.duplicates} committed=${f.committed} (in Kafka ${f.inKafka}, offsets without a document ${f.offsetsWithoutDocument}, strays ${f.strays}); ${extra}`,
  );
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

interface FaultContext {
  topic: string;
  pipeline: Pipeline;
  /** Documents in Elasticsearch now. */
  documents(): Promise<number>;
  /** Events the pipeline's stages received from the source after `since` (ms), of `partitions` or all. */
  receivedAfter(since: number, partitions?: number[]): number;
  /** The lowest offset of each partition received after `since` (ms). */
  resumedAt(since: number): Map<number, number>;
  /** The pipeline's log lines. */
  log: string[];
}

/**
 * A paced in-process pipeline on a fresh topic (replication factor 3, min.insync.replicas Kafka's default
 * of 1) holding RECORDS records; `fault` runs once the pipeline has committed offsets, and says what it did.
 */
async function underFault(
  name: string,
  topic: string,
  seed: number,
  fault: (ctx: FaultContext) => Promise<string>,
): Promise<void> {
  await wholeCluster();
  await cluster.createTopic(topic, PARTITIONS, NODES.length);
  const records = fluentBitRecords(RECORDS, { seed });
  await produce(topic, records);
  await replicated(topic, records.length);
  const { logger, lines } = keptLog();
  const received: ReceivedBatch[] = [];
  const pipeline = slicePipeline({
    brokers: cluster.bootstrapServers,
    esUrl: es.url,
    topics: [topic],
    groupId: topic,
    index: topic,
    deadLetterIndex: `${topic}-letters`,
    logger,
    httpPort: 0,
    sessionTimeoutMs: 10_000,
    maxInFlightEvents: IN_FLIGHT,
    stages: [tapBatches(received), parseJson(), epochToIso(), pace(RECORDS_PER_SECOND)],
  });
  pipelines.push(pipeline);
  const docs = () => countDocs(client, topic);
  try {
    await pipeline.start();
    // Mid-stream: consuming, writing, and committing (a partition's first commit comes once the first
    // batch, a whole fetch of it, is written).
    await waitFor(
      "the first commit",
      () => committedTotal(cluster.brokers, topic, topic),
      (n) => n > 0,
      60_000,
      100,
    );
    const receivedAfter = (since: number, partitions?: number[]) =>
      sum(
        received
          .filter((r) => r.at > since && (partitions === undefined || partitions.includes(r.partition)))
          .map((r) => r.events),
      );
    const resumedAt = (since: number) => {
      const lowest = new Map<number, number>();
      for (const r of received)
        if (r.at > since) lowest.set(r.partition, Math.min(r.first, lowest.get(r.partition) ?? r.first));
      return lowest;
    };
    const detail = await fault({ topic, pipeline, documents: docs, receivedAfter, resumedAt, log: lines });
    await waitFor("every record", docs, (n) => n >= RECORDS, 120_000, 250);
    await waitFor(
      "offsets committed to the end",
      () => committedTotal(cluster.brokers, topic, topic),
      (n) => n === RECORDS,
      60_000,
      250,
    );
    const figures = await ledger(topic, topic, topic, records);
    report(name, figures, detail);
    expect(figures).toEqual(exact(RECORDS));
  } catch (error) {
    console.error(`--- ${name}: the pipeline's log (last 40 lines) ---\n${lines.slice(-40).join("\n")}`);
    const where = await Promise.all([committedOffsets(topic, topic), highWatermarks(topic)]).catch(() => []);
    console.error(
      `--- ${name}: committed and high watermarks by partition ---\n${JSON.stringify(where.map((m) => [...m]))}`,
    );
    console.error(
      `--- ${name}: batches received (partition, first offset, events, ms after start) ---\n${JSON.stringify(received.map((r) => [r.partition, r.first, r.events, r.at - received[0]!.at]))}`,
    );
    throw error;
  } finally {
    await pipeline.stop();
  }
}

/** Whether the cluster can change its metadata: not without a KRaft quorum (CreateTopics finds no controller). */
async function createsTopics(brokers: string[], topic: string): Promise<boolean> {
  const admin = new Kafka({
    brokers,
    clientId: "real-broker-faults-quorum",
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    requestTimeout: 5000,
    connectionTimeout: 3000,
  }).admin();
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], timeout: 4000 });
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * When the committed offsets of group `topic` first satisfy `done`, polled every 100 ms by one admin
 * client (a client per poll would add its connection to every measurement).
 */
async function watchCommits(
  what: string,
  topic: string,
  done: (committed: Map<number, number>) => boolean,
): Promise<number> {
  return withAdmin(async (admin) => {
    await waitFor(
      what,
      async () => {
        const [entry] = await admin.fetchOffsets({ groupId: topic, topics: [topic] });
        // An object, not a Map, so that a timeout's message shows the offsets.
        return Object.fromEntries((entry?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      },
      (offsets) => done(new Map(Object.entries(offsets).map(([p, offset]) => [Number(p), offset]))),
      60_000,
      100,
    );
    return Date.now();
  });
}

/** The leader of each partition of `topic`, by partition, as the metadata of `brokers` says. */
async function leaders(topic: string, brokers = cluster.brokers): Promise<number[]> {
  const metadata = await withAdmin((admin) => admin.fetchTopicMetadata({ topics: [topic] }), brokers);
  const found = [...(metadata.topics[0]?.partitions ?? [])].sort((a, b) => a.partitionId - b.partitionId);
  return found.map((p) => p.leader);
}

/** When an in-process pipeline logged its first "joined consumer group" after `since`. */
function joinedAfter(log: string[], since: number): number | undefined {
  for (const line of log) {
    if (!line.includes('"msg":"joined consumer group"')) continue;
    const { time } = JSON.parse(line) as { time: number };
    if (time > since) return time;
  }
  return undefined;
}

/** A child pipeline's assignment of `topic` as of its last "joined consumer group" line, and when it joined. */
function lastJoin(run: ChildPipeline, topic: string): { time: number; partitions: number[] } | undefined {
  const line = run
    .output()
    .split("\n")
    .filter((l) => l.includes('"msg":"joined consumer group"'))
    .at(-1);
  if (line === undefined) return undefined;
  const { time, assignment } = JSON.parse(line) as { time: number; assignment: Record<string, number[]> };
  return { time, partitions: [...(assignment[topic] ?? [])].sort((a, b) => a - b) };
}

/** The node addresses of `ids` (node n listens at brokers[n - 1]). */
const addresses = (ids: number[]) => ids.map((id) => cluster.brokers[id - 1]!);

describe(`real broker faults [${kafkaNames.real}, ${NODES.length} nodes; ${elasticsearchNames[elasticsearchBackend()]}]`, () => {
  beforeAll(async () => {
    const [kafka, elastic] = await Promise.allSettled([
      RealKafkaCluster.start({ nodes: NODES.length }),
      startElasticsearch(),
    ]);
    if (kafka.status === "fulfilled") cluster = kafka.value;
    if (elastic.status === "fulfilled") es = elastic.value;
    if (kafka.status === "rejected") throw kafka.reason;
    if (elastic.status === "rejected") throw elastic.reason;
    client = new Client({ node: es.url });
  }, 180_000);

  afterAll(async () => {
    for (const { child } of children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await Promise.all(pipelines.map((p) => p.stop().catch(() => {})));
    await client?.close();
    await es?.stop();
    await cluster?.stop();
  }, 60_000);

  it("kill -9 of a partition's leader mid-stream, then its restart: every record once", async () => {
    await underFault(
      "leader kill -9",
      "leader-kill",
      41,
      async ({ topic, pipeline, documents, receivedAfter }) => {
        // The leader of the partition least read so far: one read to its end before the kill would leave
        // nothing to fetch from its new leader.
        const byLeader = await leaders(topic);
        const leastRead = [...byLeader.keys()].sort(
          (a, b) => receivedAfter(0, [a]) - receivedAfter(0, [b]),
        )[0]!;
        const victim = byLeader[leastRead]!;
        const led = byLeader.flatMap((leader, partition) => (leader === victim ? [partition] : []));
        const inFlight = pipeline.flow.events;
        const atKill = await documents();
        const killedAt = Date.now();
        await cluster.killNode(victim);
        // The controller fences a node that stopped heartbeating after broker.session.timeout.ms (9 s), then
        // elects new leaders among the in-sync replicas.
        await waitFor(
          `a new leader of partition ${leastRead}`,
          () => leaders(topic, addresses(NODES.filter((id) => id !== victim))).catch(() => []),
          (now) => now[leastRead] !== undefined && now[leastRead]! > 0 && now[leastRead] !== victim,
          60_000,
          250,
        );
        const failoverAt = Date.now();
        await cluster.startNode(victim);
        await cluster.waitForBrokers(NODES.length);
        // Mid-stream: records were left to read and to write.
        expect(atKill + inFlight).toBeLessThan(RECORDS);
        await waitFor(
          "records of the partitions the killed node led, after the failover",
          () => receivedAfter(failoverAt, led),
          (n) => n > 0,
          60_000,
          100,
        );
        return `node ${victim} (leader of partitions ${led.join(",")}) killed at ${atKill} documents, ${inFlight} events in flight; new leader of partition ${leastRead} after ${seconds(failoverAt - killedAt)} s; node restarted ${seconds(Date.now() - killedAt)} s after the kill; ${receivedAfter(failoverAt, led)} records of those partitions received after the failover`;
      },
    );
  }, 150_000);

  it("two of three nodes stopped mid-stream (the KRaft quorum lost), then back: every record once", async () => {
    await underFault(
      "two nodes stopped",
      "two-stopped",
      43,
      async ({ topic, pipeline, documents, receivedAfter }) => {
        const leader = await cluster.leaderOf(topic, 0);
        const stopped = [leader, (leader % NODES.length) + 1];
        const remaining = NODES.filter((id) => !stopped.includes(id));
        const inFlight = pipeline.flow.events;
        const atStop = await documents();
        const stoppingAt = Date.now();
        await Promise.all(stopped.map((id) => cluster.stopNode(id)));
        const lostAt = Date.now();
        const atQuorumLoss = await documents();
        // One voter of three left: nothing can change the cluster's metadata (the probe also sets how long).
        const quorumLost = !(await createsTopics(addresses(remaining), `${topic}-quorum-probe`));
        const beforeRestart = await documents();
        const receivedWithoutQuorum = receivedAfter(lostAt);
        const restartingAt = Date.now();
        await Promise.all(stopped.map((id) => cluster.startNode(id)));
        await cluster.waitForBrokers(NODES.length);
        expect(atStop + inFlight).toBeLessThan(RECORDS);
        expect(quorumLost).toBe(true);
        return `nodes ${stopped.join(" and ")} stopped (controlled shutdown, ${seconds(lostAt - stoppingAt)} s) at ${atStop} documents, ${inFlight} events in flight; quorum lost: ${quorumLost}; without it (node ${remaining[0]} alone, ${seconds(restartingAt - lostAt)} s) documents ${atQuorumLoss} -> ${beforeRestart} and ${receivedWithoutQuorum} records received; both back ${seconds(Date.now() - restartingAt)} s after their restart`;
      },
    );
  }, 150_000);

  it("the whole cluster killed and restarted mid-stream: every record once", async () => {
    await underFault("whole cluster restart", "cluster-restart", 47, async (ctx) => {
      const { topic, pipeline, documents, receivedAfter, resumedAt, log } = ctx;
      const committedAtKill = await committedOffsets(topic, topic);
      const atKill = await documents();
      // kill -9, all three at once: a crash of the whole cluster. (A controlled shutdown of all three keeps
      // serving fetches for a few seconds, long enough for the pipeline to read on through the "outage".)
      await Promise.all(NODES.map((id) => cluster.killNode(id)));
      const downAt = Date.now();
      // The pipeline notices that no broker answers, and writes what it had read.
      await waitFor(
        "an unwell source in /health",
        async () =>
          (
            (await (await fetch(`${pipeline.httpUrl}/health`)).json()) as {
              detail: { source: { status: string } };
            }
          ).detail.source.status,
        (status) => status !== "ok",
        30_000,
        250,
      );
      await waitFor(
        "what was read, written",
        () => pipeline.flow.events,
        (n) => n === 0,
        60_000,
        100,
      );
      const writtenInOutage = await documents();
      expect(writtenInOutage).toBeLessThan(RECORDS);
      const restartingAt = Date.now();
      await wholeCluster();
      const backAt = Date.now();
      // Back when it reads again: having rejoined, or kept in the group its coordinator reloaded.
      const backInGroupAt = await waitFor(
        "the pipeline reading again",
        () => joinedAfter(log, restartingAt) ?? (receivedAfter(restartingAt) > 0 ? Date.now() : undefined),
        (t) => t !== undefined,
        60_000,
        100,
      );
      const rejoined = joinedAfter(log, restartingAt) !== undefined;
      await waitFor("every record", documents, (n) => n >= RECORDS, 120_000, 250);
      // Read after the restart from the offsets committed before the crash, or later ones: nothing
      // committed is read again.
      const readAfter = receivedAfter(restartingAt);
      expect(readAfter).toBeGreaterThan(0);
      const resumed = resumedAt(restartingAt);
      for (const [partition, offset] of committedAtKill)
        expect(resumed.get(partition) ?? Number.POSITIVE_INFINITY).toBeGreaterThanOrEqual(offset);
      return `all nodes killed at ${atKill} documents, ${sum(committedAtKill.values())} committed; ${writtenInOutage} written by the restart; down ${seconds(restartingAt - downAt)} s; all nodes registered ${seconds(backAt - restartingAt)} s after starting; pipeline reading again ${seconds(backInGroupAt! - backAt)} s after that (${rejoined ? "rejoined" : "kept its membership"}) and read ${readAfter} records since`;
    });
  }, 180_000);

  it("a pipeline member killed with kill -9: the survivor, then a restarted member, take its partitions; every record once", async () => {
    await wholeCluster();
    const topic = "member-kill";
    const partitions = 4;
    await cluster.createTopic(topic, partitions, NODES.length);
    const records = fluentBitRecords(16_000, { seed: 53 });
    // Before the members start; while they run; on the victim's partitions after its death; after the restart.
    const parts = [
      records.slice(0, 6000),
      records.slice(6000, 12_000),
      records.slice(12_000, 14_000),
      records.slice(14_000),
    ] as const;
    await produce(topic, parts[0]);
    await replicated(topic, parts[0].length);
    const env = {
      KAFKA_BROKERS: cluster.bootstrapServers,
      ES_URL: es.url,
      SLICE_TOPICS: topic,
      SLICE_GROUP: topic,
      SLICE_INDEX: topic,
      SLICE_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      // For the "joined consumer group" lines: each member's assignment, stamped with the time it joined.
      SLUICE_LOG_LEVEL: "info",
    };
    const member = () => {
      const run = spawnSlicePipeline(env);
      children.push(run);
      return run;
    };
    const docs = () => countDocs(client, topic);
    const [victim, survivor] = [member(), member()];
    let restarted: ChildPipeline | undefined;
    try {
      await Promise.all([victim.started, survivor.started]);
      await waitFor(
        "a balanced group",
        () => [lastJoin(victim, topic), lastJoin(survivor, topic)],
        ([v, s]) => v?.partitions.length === 2 && s?.partitions.length === 2,
        60_000,
      );
      const victims = lastJoin(victim, topic)!.partitions;

      // Killed mid-stream: the second part arrives a few hundred records at a time, consumed as it comes.
      const chunks = Array.from({ length: 16 }, (_, i) => parts[1].slice(i * 375, (i + 1) * 375));
      let chunksProduced = 0;
      const second = (async () => {
        for (const chunk of chunks) {
          await produce(topic, chunk);
          chunksProduced++;
        }
      })();
      second.catch(() => {}); // awaited below
      await waitFor("the second part flowing", docs, (n) => n > parts[0].length + 500, 60_000, 100);
      const atKill = await docs();
      const chunksAtKill = chunksProduced;
      const producedAtKill =
        parts[0].length + chunks.slice(0, chunksAtKill).reduce((n, c) => n + c.length, 0);
      const killedAt = Date.now();
      victim.child.kill("SIGKILL");
      await victim.exited;
      const committedAtKill = await committedOffsets(topic, topic);
      // The survivor's commits on the victim's partitions beyond what the victim committed: it consumes them.
      const takenOver = watchCommits("the survivor committing on the victim's partitions", topic, (c) =>
        victims.every((p) => (c.get(p) ?? -1) > (committedAtKill.get(p) ?? -1)),
      );
      takenOver.catch(() => {}); // awaited below; a timeout must not surface as an unhandled rejection first
      // New records on each of the victim's partitions, so there is something to consume there.
      await second;
      await Promise.all(victims.map((p, i) => produce(topic, parts[2].slice(i * 1000, (i + 1) * 1000), p)));
      await replicated(topic, parts[0].length + parts[1].length + parts[2].length);
      const takeoverMs = (await takenOver) - killedAt;
      const rejoin = await waitFor(
        "the survivor holding every partition",
        () => lastJoin(survivor, topic),
        (j) => j?.partitions.length === partitions,
        60_000,
      );
      const rebalanceMs = rejoin!.time - killedAt;

      // The victim restarted: it joins, the survivor gives up part of the topic, and it consumes its share.
      const restartedAt = Date.now();
      restarted = member();
      await restarted.started;
      const startedAt = Date.now();
      const [back, kept] = await waitFor(
        "the restarted member in the group",
        () => [lastJoin(restarted!, topic), lastJoin(survivor, topic)] as const,
        ([r, s]) =>
          r !== undefined &&
          s !== undefined &&
          s.time >= restartedAt &&
          r.partitions.length > 0 &&
          new Set([...r.partitions, ...s.partitions]).size === partitions &&
          r.partitions.length + s.partitions.length === partitions,
        60_000,
        100,
      );
      const joinedAt = Math.max(back!.time, kept!.time);
      const ownCommitted = await committedOffsets(topic, topic);
      const producedAt = Date.now();
      await produce(topic, parts[3]);
      const total = records.length;
      await replicated(topic, total);
      const high = await highWatermarks(topic);
      const consumedMs =
        (await watchCommits("the restarted member committing its partitions to the end", topic, (c) =>
          back!.partitions.every((p) => c.get(p) === high.get(p) && c.get(p)! > ownCommitted.get(p)!),
        )) - producedAt;
      await waitFor("every record", docs, (n) => n >= total, 120_000, 250);
      await waitFor(
        "offsets committed to the end",
        () => committedTotal(cluster.brokers, topic, topic),
        (n) => n === total,
        60_000,
        250,
      );
      // Nobody else took the restarted member's partitions meanwhile: its commits were its own.
      expect(lastJoin(restarted, topic)).toEqual(back);
      const figures = await ledger(topic, topic, topic, records);
      report(
        "member kill -9",
        figures,
        `session timeout ${seconds(SESSION_TIMEOUT_MS)} s; victim (partitions ${victims.join(",")}) killed at ${atKill} documents of ${producedAtKill} records produced (${chunksAtKill} of ${chunks.length} chunks of the second part); survivor rejoined alone ${seconds(rebalanceMs)} s and committed on the victim's partitions ${seconds(takeoverMs)} s after the kill; restarted member started in ${seconds(startedAt - restartedAt)} s, group rebalanced ${seconds(joinedAt - startedAt)} s after that (partitions ${back!.partitions.join(",")}), its partitions consumed and committed ${seconds(consumedMs)} s after new records`,
      );
      expect(figures).toEqual(exact(total));
      // Mid-stream: records were still coming, or produced ones not yet written.
      expect(chunksAtKill < chunks.length || atKill < producedAtKill).toBe(true);
      expect(takeoverMs).toBeLessThanOrEqual(SESSION_TIMEOUT_MS + REJOIN_MARGIN_MS);
      // A joining member waits only for the survivor's next heartbeat and the join and sync round trips.
      expect(joinedAt - startedAt).toBeLessThanOrEqual(SESSION_TIMEOUT_MS + REJOIN_MARGIN_MS);
      for (const run of [survivor, restarted]) run.child.kill("SIGTERM");
      for (const run of [survivor, restarted]) expect(await run.exited).toBe(0);
    } catch (error) {
      for (const [name, run] of [
        ["victim", victim],
        ["survivor", survivor],
        ["restarted", restarted],
      ] as const)
        if (run) console.error(`--- ${name} (last 4000 chars) ---\n${run.output().slice(-4000)}`);
      throw error;
    } finally {
      for (const run of [victim, survivor, restarted])
        if (run && run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL");
    }
  }, 150_000);
});
