// A member whose group join is pending: the coordinator holds its JoinGroup until a member that stopped
// heartbeating is out of the group, answering nothing meanwhile. That is neither Kafka unreachable nor
// the example's "caught up and idle".
import { type Batch, createPipeline, namedStage, type Pipeline } from "@sluice/core";
import { elasticsearchDeadLetters, elasticsearchSink } from "@sluice/sink-elasticsearch";
import { kafkaSource, registerCodecs } from "@sluice/source-kafka";
import { type JsonObject, parseJson } from "@sluice/transforms";
import kafkajs from "kafkajs";
import { concatMap, map, timer } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { untilIdle } from "../../examples/insight-logs/idle.js";
import { insightLogsPipeline } from "../../examples/insight-logs/pipeline.js";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, keptLog, useTestbed, waitFor } from "./helpers.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { AssignerProtocol, Kafka, logLevel, PartitionAssigners } = kafkajs;

/** How long the stuck member's session lasts, and so how long another member's join stays pending. */
const STUCK_SESSION_MS = 20_000;
/** How long the slow leader takes to assign partitions once armed. */
const SLOW_ASSIGN_MS = 20_000;
/** How long each batch spends in the stages of the member stopped during the rebalance. */
const PACE_MS = 8000;

describe(`a pending group join ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup().catch(() => {})));
  }, 120_000);

  /**
   * A group `topic` whose offsets are at the end of `topic`, with a member that took a record, committed
   * it and then hangs in its handler: it neither heartbeats nor rejoins until its session expires.
   */
  async function stuckGroup(topic: string): Promise<void> {
    await bed.kafka.createTopic(topic, 1);
    const produce = (count: number, seed: number) =>
      produceWithKcat({
        brokers: bed.kafka.bootstrapServers,
        topic,
        messages: fluentBitRecords(count, { seed }),
      });
    await produce(1, 1);
    // The records are LZ4, as Fluent Bit writes them.
    registerCodecs();
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let committed!: () => void;
    const taken = new Promise<void>((resolve) => {
      committed = resolve;
    });
    const consumer = new Kafka({
      brokers: [...bed.kafka.brokers],
      clientId: "stuck-member",
      logLevel: logLevel.NOTHING,
    }).consumer({
      groupId: topic,
      sessionTimeout: STUCK_SESSION_MS,
      rebalanceTimeout: STUCK_SESSION_MS,
      heartbeatInterval: 2000,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const next = String(Number(batch.lastOffset()) + 1);
        await consumer.commitOffsets([{ topic, partition: batch.partition, offset: next }]);
        committed();
        await released;
      },
    });
    cleanups.push(async () => {
      release();
      await consumer.disconnect();
    });
    await taken;
  }

  function member(topic: string, log: string[]) {
    const { pipeline, source } = insightLogsPipeline({
      brokers: bed.kafka.bootstrapServers,
      groupId: topic,
      targets: { [topic]: `${topic}-docs` },
      elasticsearch: { node: bed.es.url },
      deadLetterIndex: `${topic}-letters`,
      logger: keptLog("info", log).logger,
    });
    cleanups.push(() => pipeline.stop());
    return { pipeline, source };
  }

  const logged = (log: string[], message: string) =>
    log.find((line) => line.includes(`"msg":"${message}"`)) as string | undefined;
  const time = (line: string) => (JSON.parse(line) as { time: number }).time;
  const assignment = (pipeline: Pipeline) =>
    (pipeline.health().detail as { source: { detail: { assignment: Record<string, number[]> } } }).source
      .detail.assignment;

  it("no warning that no broker answers while the join is pending", async () => {
    const topic = "join-pending";
    await stuckGroup(topic);
    const log: string[] = [];
    const { pipeline } = member(topic, log);
    const startedAt = Date.now();
    await pipeline.start();
    const joined = await waitFor(
      "the member's join",
      () => logged(log, "joined consumer group"),
      (line) => line !== undefined,
      STUCK_SESSION_MS + 30_000,
    );
    // The join waited out the stuck member's session: longer than the source waits before it warns.
    expect(time(joined!) - startedAt).toBeGreaterThan(10_000);
    expect(logged(log, "no Kafka broker answers")).toBeUndefined();
    expect(assignment(pipeline)[topic]).toEqual([0]);
  }, 90_000);

  it.each([
    { outcome: "keeps", what: "its partition: the final commit is tried again until it succeeds" },
    { outcome: "loses", what: "its partition to another: the stop says the final commit failed, and why" },
  ] as const)(
    "a stop while the group completes a rebalance in which the member $outcome $what",
    async ({ outcome }) => {
      const topic = `stop-rebalancing-${outcome}`;
      await bed.kafka.createTopic(topic, 2);
      await produceWithKcat({
        brokers: bed.kafka.bootstrapServers,
        topic,
        messages: fluentBitRecords(600, { seed: 7 }),
      });
      registerCodecs();
      const kafka = new Kafka({
        brokers: [...bed.kafka.brokers],
        clientId: "slow-leader",
        logLevel: logLevel.NOTHING,
      });
      // The group's leader, joined first: its assignment takes SLOW_ASSIGN_MS once armed, and the whole group
      // waits in CompletingRebalance meanwhile (a commit is refused with REBALANCE_IN_PROGRESS).
      let armed = false;
      let own: number | undefined;
      let leaderId: string | undefined;
      let assigning!: () => void;
      const slow = new Promise<void>((resolve) => {
        assigning = resolve;
      });
      const leader = kafka.consumer({
        groupId: topic,
        sessionTimeout: 60_000,
        rebalanceTimeout: 60_000,
        heartbeatInterval: 1000,
        partitionAssigners: [
          (config) => {
            const roundRobin = PartitionAssigners.roundRobin(config);
            return {
              ...roundRobin,
              async assign(group) {
                if (!armed) return roundRobin.assign(group);
                assigning();
                await new Promise((resolve) => setTimeout(resolve, SLOW_ASSIGN_MS));
                // The pipeline's partition stays with it, or goes to the third member; the leader keeps the other.
                const sluice = group.members.find((m) => m.memberId.startsWith("sluice-"))!.memberId;
                const others = group.members.map((m) => m.memberId).filter((id) => id !== sluice);
                const third = others.find((id) => id !== leaderId)!;
                const plan = new Map<string, number[]>([
                  [leaderId!, [1 - own!]],
                  [sluice, outcome === "keeps" ? [own!] : []],
                  [third, outcome === "keeps" ? [] : [own!]],
                ]);
                return [...plan].map(([memberId, partitions]) => ({
                  memberId,
                  memberAssignment: AssignerProtocol.MemberAssignment.encode({
                    version: 0,
                    assignment: { [topic]: partitions },
                    userData: Buffer.alloc(0),
                  }),
                }));
              },
            };
          },
        ],
      });
      await leader.connect();
      await leader.subscribe({ topics: [topic], fromBeginning: true });
      leader.on(leader.events.GROUP_JOIN, ({ payload }) => {
        leaderId = payload.memberId;
      });
      await leader.run({ autoCommit: false, eachBatch: async () => {} });
      cleanups.push(() => leader.disconnect());
      const log: string[] = [];
      const pipeline = createPipeline({
        source: kafkaSource({
          brokers: bed.kafka.bootstrapServers,
          topics: [topic],
          groupId: topic,
          sessionTimeoutMs: 6000,
          heartbeatIntervalMs: 1000,
        }),
        stages: [
          parseJson(),
          namedStage(
            "pace",
            concatMap((batch: Batch<JsonObject>) => timer(PACE_MS).pipe(map(() => batch))),
          ),
        ],
        sink: elasticsearchSink({ node: bed.es.url, index: `${topic}-docs` }),
        deadLetters: elasticsearchDeadLetters({ node: bed.es.url, index: `${topic}-letters` }),
        flow: { maxInFlightEvents: 300 },
        commitIntervalMs: 200,
        shutdownTimeoutMs: SLOW_ASSIGN_MS + 20_000,
        logger: keptLog("info", log).logger,
      });
      cleanups.push(() => pipeline.stop());
      await pipeline.start();
      [own] = await waitFor(
        "the pipeline holding one partition",
        () => assignment(pipeline)[topic] ?? [],
        (p) => p.length === 1,
        60_000,
      );
      // Records in flight: they settle during the rebalance, after the commit made when it began.
      await waitFor(
        "records in flight",
        () => pipeline.flow.events,
        (n) => n > 0,
        60_000,
      );
      // A third member joins: the group rebalances, and its leader takes its time to assign.
      armed = true;
      const third = kafka.consumer({ groupId: topic, sessionTimeout: 60_000, heartbeatInterval: 1000 });
      await third.connect();
      await third.subscribe({ topics: [topic], fromBeginning: true });
      // Not awaited: run() resolves once its member joined, after the slow assignment.
      const joining = third.run({ autoCommit: false, eachBatch: async () => {} });
      joining.catch(() => {});
      cleanups.push(() => third.disconnect());
      await slow;
      expect(pipeline.flow.events).toBeGreaterThan(0);
      const report = await pipeline.stop();
      // What the pipeline wrote of its partition, and what its group committed there.
      const written = await countDocs(bed.client, `${topic}-docs`);
      const admin = kafka.admin();
      await admin.connect();
      const [committed] = await admin.fetchOffsets({ groupId: topic, topics: [topic] });
      await admin.disconnect();
      const offset = Number(committed?.partitions.find((p) => p.partition === own)?.offset ?? -1);
      console.log(
        `figures: stop during a rebalance: ${JSON.stringify(report)}; partition ${own}: ${written} records written, committed offset ${offset}; final commit failures logged ${log.filter((l) => l.includes("final offset commit failed")).length}`,
      );
      expect(written).toBeGreaterThan(0);
      if (outcome === "keeps") {
        // Refused while the group completed its rebalance, then committed with the new generation.
        expect(log.some((l) => l.includes("final offset commit failed"))).toBe(true);
        expect(report).toEqual({ drained: true, unsettled: 0 });
        expect(offset).toBe(written);
      } else {
        // Honest: what settled is not committed, and the stop says so and why.
        expect(report).toMatchObject({
          drained: false,
          unsettled: 0,
          error: { code: "SLUICE_ERR_OFFSETS_REASSIGNED" },
        });
        expect(log.some((l) => l.includes("SLUICE_ERR_OFFSETS_REASSIGNED"))).toBe(true);
        expect(offset).toBeLessThan(written);
      }
    },
    120_000,
  );

  it("SLUICE_EXIT_WHEN_IDLE_MS waits for the member's partitions, not only for the group's backlog", async () => {
    const topic = "idle-before-join";
    await stuckGroup(topic);
    const log: string[] = [];
    const { pipeline, source } = member(topic, log);
    await pipeline.start();
    // The group has committed everything and nothing is in flight: only the pending join is left.
    await untilIdle(pipeline, source, { idleMs: 1000 });
    expect(logged(log, "joined consumer group")).toBeDefined();
    expect(assignment(pipeline)[topic]).toEqual([0]);
  }, 90_000);
});
