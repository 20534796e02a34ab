// The consumer thread's entry: a kafkajs consumer-group member whose batches go to the main thread packed.
// Fetching, decompression, record decoding and heartbeats happen here, so neither the stages' work slows
// the fetch loop nor a busy main thread delays a heartbeat. A thread hosts one source and ends with it.
import { parentPort } from "node:worker_threads";
import { ErrorCode, SluiceError } from "@sluice/core";
import kafkajs, { type Consumer, type EachBatchPayload, type LogEntry } from "kafkajs";
import { registerCodecs } from "../codecs/register.js";
import { type StartAt, type StartLogger, StartPosition } from "../start-position.js";
import { subscriptionRoundRobin } from "./assigner.js";
import { CommitGuard, type PartitionOffset } from "./commit-guard.js";
import { handleGroupFaults, LOST_WITHOUT_GROUP_FAULTS } from "./group-faults.js";
import { Hold } from "./hold.js";
import type { ConsumerThreadData, DecoderStatus, FromConsumer, ToConsumer, WireError } from "./messages.js";
import { isBundledKafkajs, useFastRecordBatches } from "./record-batches.js";
import { packBatch, transferables } from "./wire-batch.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka, logLevel, PartitionAssigners } = kafkajs;

const port = parentPort;
if (!port)
  throw new SluiceError(
    ErrorCode.KAFKA_CONSUMER,
    "consumer-worker runs as a worker thread of the Kafka source",
  );
// kafkajs's codec table is per thread: LZ4, Snappy and zstd are registered here too, decompressing on
// this thread, whose job that is (a hop to libuv's pool and back would only lengthen every fetch).
registerCodecs({ syncDecompress: true });

/** Errors that rejoining cannot fix: the pipeline stops and says why. */
const PERMANENT = new Set([
  "SASL_AUTHENTICATION_FAILED",
  "TOPIC_AUTHORIZATION_FAILED",
  "GROUP_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "UNSUPPORTED_VERSION",
]);

function rootCause(error: unknown): unknown {
  let cause = error;
  while (cause instanceof Error && (cause as { cause?: unknown }).cause instanceof Error)
    cause = (cause as { cause: unknown }).cause;
  return cause;
}

function wireError(error: unknown): WireError {
  const cause = rootCause(error);
  const type = (cause as { type?: unknown } | undefined)?.type;
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    name: e.name,
    message: e.message,
    ...(typeof type === "string" ? { type } : {}),
    ...(cause instanceof Error && cause !== e && cause.message === e.message
      ? { causeName: cause.name }
      : {}),
    permanent:
      (typeof type === "string" && PERMANENT.has(type)) ||
      (cause instanceof Error && cause.name === "KafkaJSSASLAuthenticationError"),
  };
}

class ConsumerHost {
  private readonly kafka: kafkajs.Kafka;
  /** Positions new partitions when `startFrom` is a time. */
  private readonly startPosition: StartPosition | undefined;
  private consumer: Consumer | undefined;
  private generation = 0;
  private restarts = 0;
  private stopping = false;
  /** Asked to stop fetching until told to go on (the source's pause()): kept across restarts. */
  private suspended = false;
  /** Batch handlers wait, heartbeating, while the main thread asks for a pause or has not taken enough. */
  private readonly hold: Hold;
  private reachabilityTimer: NodeJS.Timeout | undefined;
  /** Offsets at or below what this source committed are not sent again (see CommitGuard). */
  private readonly commits = new CommitGuard();
  /** Commits the broker accepted (kafkajs's COMMIT_OFFSETS events), to tell one from a silent no-op. */
  private commitsAccepted = 0;

  constructor(
    private readonly data: ConsumerThreadData,
    /** Whether record batches are decoded by Sluice's decoder, said once, at start. */
    private readonly decoder: DecoderStatus,
  ) {
    this.hold = new Hold(data.window);
    this.kafka = new Kafka({ ...data.client, logCreator: () => (entry) => this.forwardLog(entry) });
    /** Sluice's own lines from this thread, in the pipeline's log. */
    const log: StartLogger = {
      info: (extra, message) =>
        this.post({ type: "log", level: "info", namespace: "sluice", message, extra }),
      warn: (extra, message) =>
        this.post({ type: "log", level: "warn", namespace: "sluice", message, extra }),
    };
    // From the earliest, kafkajs's own reset loses nothing; the end and a time are looked up and kept.
    const startAt: StartAt | undefined =
      data.startAt !== undefined ? { timestamp: data.startAt } : data.fromBeginning ? undefined : "latest";
    this.startPosition =
      startAt === undefined
        ? undefined
        : new StartPosition(this.kafka, data.consumer.groupId, startAt, log, (consumer, offsets) =>
            this.commitStarts(consumer, offsets),
          );
  }

  /** Commits the starts StartPosition found, as a main-thread commit is: guarded, and only when sent. */
  private async commitStarts(consumer: Consumer, offsets: PartitionOffset[]): Promise<void> {
    const ahead = this.commits.ahead(offsets);
    if (ahead.length === 0) return;
    const accepted = this.commitsAccepted;
    await consumer.commitOffsets(ahead);
    if (this.commitsAccepted === accepted)
      throw new SluiceError(
        ErrorCode.KAFKA_COMMIT,
        "kafkajs did not send the start commit: its consumer is not running yet",
      );
    this.commits.committed(ahead);
  }

  private post(message: FromConsumer, transfer?: ArrayBuffer[]): void {
    port!.postMessage(message, transfer);
  }

  private forwardLog({ namespace, level, log }: LogEntry): void {
    const { message, timestamp: _timestamp, ...extra } = log;
    const severity = level === logLevel.ERROR ? "error" : level === logLevel.WARN ? "warn" : "debug";
    let fields: object = extra;
    try {
      structuredClone(extra);
    } catch {
      fields = JSON.parse(JSON.stringify(extra, (_k, v) => (typeof v === "bigint" ? String(v) : v)));
    }
    this.post({ type: "log", level: severity, namespace, message, extra: fields });
  }
  private assignment: Record<string, number[]> = {};
  /** When a broker last answered: a fetch, a heartbeat, a commit or a join. */
  private lastContactAt = Date.now();
  private reachable = true;
  /** The client that asks a silent cluster whether it answers at all, and whether it is asking now. */
  private prober: kafkajs.Admin | undefined;
  private probing = false;

  /** This member's id in its group, from its last join. */
  private memberId: string | undefined;
  /** The id of the member that crashed, for its replacement to rejoin as (group-faults.ts). */
  private crashedMemberId: string | undefined;
  /** Consecutive fetches that found a broker unreachable, by node id. */
  private readonly unreachableBrokers = new Map<number, number>();

  async start(): Promise<void> {
    const groupFaults = handleGroupFaults(
      {
        rejoinAs: (groupId) => (groupId === this.data.consumer.groupId ? this.crashedMemberId : undefined),
        unreachable: (nodeId, error) => {
          const failures = (this.unreachableBrokers.get(nodeId) ?? 0) + 1;
          this.unreachableBrokers.set(nodeId, failures);
          if (failures === 1)
            this.post({
              type: "log",
              level: "warn",
              namespace: "sluice",
              message:
                "a Kafka broker does not answer: its partitions wait for it or a new leader, the others go on",
              extra: { nodeId, err: error.message },
            });
          return Math.min(5000, 250 * 2 ** Math.min(failures - 1, 5));
        },
        reached: (nodeId) => {
          if (!this.unreachableBrokers.delete(nodeId)) return;
          this.post({
            type: "log",
            level: "info",
            namespace: "sluice",
            message: "a Kafka broker answers again",
            extra: { nodeId },
          });
        },
      },
      this.decoder.kafkajs,
      this.decoder.bundled,
    );
    this.watchReachability();
    if (this.decoder.bundled)
      this.post({
        type: "log",
        level: "warn",
        namespace: "sluice",
        message:
          "kafkajs is bundled into the Kafka consumer thread's file, where Sluice cannot reach it: " +
          `${[...this.decoder.lost, ...LOST_WITHOUT_GROUP_FAULTS].join("; ")} are off. ` +
          "Keep kafkajs external to the bundle (esbuild --external:kafkajs) and install it beside it",
        extra: { lost: [...this.decoder.lost, ...LOST_WITHOUT_GROUP_FAULTS] },
      });
    else if (!this.decoder.patched)
      this.post({
        type: "log",
        level: "warn",
        namespace: "sluice",
        message:
          `kafkajs ${this.decoder.kafkajs} is not the release Sluice's record batch decoder was written for ` +
          `(${this.decoder.writtenFor}): kafkajs decodes record batches itself, so ${this.decoder.lost.join(", ")} are off`,
        extra: {
          kafkajs: this.decoder.kafkajs,
          writtenFor: this.decoder.writtenFor,
          lost: this.decoder.lost,
        },
      });
    if (!groupFaults && !this.decoder.bundled)
      this.post({
        type: "log",
        level: "warn",
        namespace: "sluice",
        message:
          `kafkajs ${this.decoder.kafkajs} is not the release Sluice's consumer-group fault handling was written for ` +
          `(${this.decoder.writtenFor}): ${LOST_WITHOUT_GROUP_FAULTS.join("; ")} are off`,
        extra: {
          kafkajs: this.decoder.kafkajs,
          writtenFor: this.decoder.writtenFor,
          lost: LOST_WITHOUT_GROUP_FAULTS,
        },
      });
    try {
      this.consumer = await this.subscribedConsumer();
      this.post({ type: "ready", decoder: this.decoder });
    } catch (error) {
      this.post({ type: "ready", error: wireError(error), decoder: this.decoder });
    }
  }

  async handle(message: ToConsumer): Promise<void> {
    switch (message.type) {
      case "run":
        if (this.consumer) this.run(this.consumer);
        return;
      case "pause":
        this.hold.pause();
        return;
      case "resume":
        this.hold.resume();
        return;
      case "taken":
        this.hold.taken(message.events, message.bytes);
        return;
      case "commit":
        return this.reply(message.id, async () => {
          if (!this.consumer)
            throw new SluiceError(ErrorCode.KAFKA_COMMIT, "no consumer to commit with (rejoining the group)");
          const ahead = this.commits.ahead(message.offsets);
          if (ahead.length === 0) return;
          // kafkajs's commitOffsets resolves without committing while its runner is not running (a
          // restart after a lost broker, a rejoin): only its COMMIT_OFFSETS event says the broker took it.
          const accepted = this.commitsAccepted;
          await this.consumer.commitOffsets(ahead);
          if (this.commitsAccepted === accepted)
            throw new SluiceError(
              ErrorCode.KAFKA_COMMIT,
              "kafkajs did not send the commit: its consumer is restarting or rejoining",
            );
          this.commits.committed(ahead);
        });
      case "suspend":
        return this.reply(message.id, async () => {
          this.suspended = true;
          this.pauseFetching();
        });
      case "unsuspend":
        return this.reply(message.id, async () => {
          this.suspended = false;
          if (!this.stopping) this.resumeFetching();
        });
      case "stop":
        return this.reply(message.id, async () => {
          this.stopping = true;
          this.pauseFetching();
          this.hold.wake();
        });
      case "close":
        return this.reply(message.id, async () => {
          this.stopping = true;
          this.hold.wake();
          clearInterval(this.reachabilityTimer);
          await this.prober?.disconnect().catch(() => {});
          await this.startPosition?.close();
          await this.consumer?.disconnect();
        });
    }
  }

  private async reply(id: number, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      this.post({ type: "reply", id });
    } catch (error) {
      this.post({ type: "reply", id, error: wireError(error) });
    }
  }

  private async subscribedConsumer(): Promise<Consumer> {
    const consumer = this.kafka.consumer({
      ...this.data.consumer,
      // A crashed consumer always restarts: losing the group is recoverable, and nothing is committed
      // that was not settled, so a restart re-reads rather than skips.
      retry: { restartOnFailure: async () => !this.stopping },
      // Preferred: deals each topic to its subscribers only. kafkajs's round robin stays offered so a group
      // shared with plain kafkajs members still agrees on a protocol (and then deals as kafkajs does).
      partitionAssigners: [subscriptionRoundRobin, PartitionAssigners.roundRobin],
    });
    this.watch(consumer);
    await consumer.connect();
    await consumer.subscribe({
      topics: [...this.data.topics, ...(this.data.topicPattern ? [new RegExp(this.data.topicPattern)] : [])],
      fromBeginning: this.data.fromBeginning,
    });
    return consumer;
  }

  private run(consumer: Consumer): void {
    consumer
      .run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.data.partitionsConsumedConcurrently,
        eachBatch: async (payload) => this.onBatch(payload),
      })
      .catch((error: unknown) => this.post({ type: "crashed", error: wireError(error), restart: "none" }));
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, isRunning, isStale } = payload;
    if (this.stopping || !isRunning() || isStale()) return;
    const start = this.startPosition;
    // The partition's start is still being looked up: nothing is handed on, kafkajs's position stays.
    if (start && !start.isPositioned(batch.topic, batch.partition)) return start.whenPositioned();
    const messages = start ? start.admit(batch.topic, batch.partition, batch.messages) : batch.messages;
    if (messages.length === 0) return;
    // Wait before handing on, not after: kafkajs gives a fetch's batches to several handlers at once, and
    // a real broker's batch is up to maxBytesPerPartition, so handing on first let one fetch overshoot
    // the pipeline's limits by thousands of events. A batch that went stale meanwhile is left unread.
    if (this.hold.holding) {
      await this.untilReleased(payload);
      if (this.stopping || !isRunning() || isStale()) return;
    }
    const wire = packBatch(this.generation, batch.topic, batch.partition, batch.highWatermark, messages);
    this.post(wire, transferables(wire));
    this.hold.posted(wire.count, wire.bytes);
    // Moves kafkajs's fetch position only: with autoCommit off, commits come from the main thread alone.
    resolveOffset(messages[messages.length - 1]!.offset);
  }

  /**
   * Backpressure: while the main thread has too much in flight (or has not yet taken what was posted),
   * this batch's handler does not return, so kafkajs fetches nothing more from its broker; going on is
   * immediate. (kafkajs's own pause() would sleep a whole fetch wait before looking again.) The member
   * heartbeats meanwhile, and a rebalance ends the wait: heartbeat() throws, kafkajs rejoins.
   */
  private async untilReleased({ heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const interval = Math.max(100, Math.floor(this.data.consumer.heartbeatInterval / 2));
    while (this.hold.holding && !this.stopping && isRunning() && !isStale()) {
      await this.hold.changedOr(interval);
      await heartbeat();
    }
  }

  /**
   * kafkajs gives up on errors it deems non-retriable, also where the group coordinator merely answered
   * an unexpected code mid-rebalance. Unless the error is one that no retry can fix (authentication,
   * authorization), a new consumer joins the group again, with growing pauses. The old member's
   * partitions are re-read from the committed offsets: nothing is skipped.
   */
  private restartAfterCrash(crashed: Consumer, error: unknown): void {
    if (this.stopping || crashed !== this.consumer) return;
    const wire = wireError(error);
    if (wire.permanent) {
      this.post({ type: "crashed", error: wire, restart: "none" });
      return;
    }
    this.generation++;
    this.assignment = {};
    const delayMs = Math.min(30_000, 500 * 2 ** Math.min(this.restarts++, 6));
    this.post({ type: "crashed", error: wire, restart: "rebuild", delayMs, generation: this.generation });
    setTimeout(() => {
      if (this.stopping) return;
      this.subscribedConsumer().then(
        (consumer) => {
          if (this.stopping) {
            void consumer.disconnect().catch(() => {});
            return;
          }
          this.consumer = consumer;
          this.run(consumer);
        },
        (retryError: unknown) => this.restartAfterCrash(crashed, retryError),
      );
    }, delayMs);
  }

  /**
   * kafkajs retries quietly for a long time before it gives up on an unreachable cluster. The main
   * thread hears when no broker has answered for longer than a heartbeat and a fetch wait take (a
   * paused member still heartbeats), and when one answers again.
   */
  private watchReachability(): void {
    const limit = Math.max(
      5000,
      2 * this.data.consumer.heartbeatInterval + this.data.consumer.maxWaitTimeInMs,
    );
    this.reachabilityTimer = setInterval(() => {
      if (!this.reachable || this.probing || Date.now() - this.lastContactAt < limit) return;
      // Silence is not proof: a JoinGroup waits at the coordinator, answering nothing, until every member
      // rejoined or left. Only a broker that does not answer a request of its own is unreachable.
      this.probing = true;
      void this.probe()
        .then(
          () => this.contact(),
          () => {
            if (this.stopping || Date.now() - this.lastContactAt < limit) return;
            this.reachable = false;
            this.post({ type: "reachability", reachable: false, lastContactAt: this.lastContactAt });
          },
        )
        .finally(() => {
          this.probing = false;
        });
    }, 1000);
    this.reachabilityTimer.unref();
  }

  /** Asks the cluster for its brokers, on a client of its own (the consumer's may be waiting on a join). */
  private async probe(): Promise<void> {
    if (!this.prober) {
      this.prober = this.kafka.admin({ retry: { retries: 0 } });
      await this.prober.connect();
    }
    await this.prober.describeCluster();
  }

  private contact(): void {
    this.lastContactAt = Date.now();
    if (!this.reachable) {
      this.reachable = true;
      this.post({ type: "reachability", reachable: true, lastContactAt: this.lastContactAt });
    }
  }

  private watch(consumer: Consumer): void {
    const { events } = consumer;
    // REQUEST: a broker's answer arrived, whether or not it then decodes (a corrupt record fails the
    // fetch after it); the others are answers too.
    // Not FETCH: a fetcher whose broker is unreachable, or that has nothing to ask, ends a fetch too.
    for (const event of [events.REQUEST, events.HEARTBEAT, events.COMMIT_OFFSETS])
      consumer.on(event, () => this.contact());
    consumer.on(events.COMMIT_OFFSETS, () => {
      this.commitsAccepted++;
    });
    consumer.on(events.GROUP_JOIN, ({ payload }) => {
      this.contact();
      this.generation++;
      this.restarts = 0;
      this.memberId = payload.memberId;
      this.crashedMemberId = undefined;
      this.assignment = payload.memberAssignment;
      this.startPosition?.assigned(consumer, payload.memberAssignment);
      this.post({ type: "joined", generation: this.generation, assignment: payload.memberAssignment });
      // A consumer restarted (by kafkajs or by this thread) knows no pause: every join pauses again.
      if (this.stopping || this.suspended) this.pauseFetching();
    });
    consumer.on(events.REBALANCING, () => {
      this.post({ type: "rebalancing" });
    });
    consumer.on(events.CRASH, ({ payload }) => {
      // Its LeaveGroup may not have reached the coordinator: the next consumer rejoins as this member.
      this.crashedMemberId = this.memberId;
      if (payload.restart) {
        this.post({ type: "crashed", error: wireError(payload.error), restart: "kafkajs" });
        return;
      }
      this.restartAfterCrash(consumer, payload.error);
    });
  }

  private pauseFetching(): void {
    try {
      this.consumer?.pause(this.fetchedTopics());
    } catch {
      // Not running (yet, or any more): there is no fetching to pause.
    }
  }

  private resumeFetching(): void {
    try {
      this.consumer?.resume(this.fetchedTopics());
    } catch {
      // Not running: the next join finds it unsuspended.
    }
  }

  /** The topics to pause and resume: those named, and those a pattern matched (known from the assignment). */
  private fetchedTopics(): Array<{ topic: string }> {
    const topics = new Set([...this.data.topics, ...Object.keys(this.assignment)]);
    return [...topics].map((topic) => ({ topic }));
  }
}

let host: ConsumerHost | undefined;
// Handled as they come: a pause must not wait behind a commit that kafkajs is still retrying.
port.on("message", (message: ToConsumer) => {
  if (message.type === "init") {
    // Before kafkajs first requires its decoder (at the first fetch): a cheaper one, the same records.
    host = new ConsumerHost(
      message.data,
      useFastRecordBatches(message.data.kafkajsVersion, isBundledKafkajs(kafkajs)),
    );
    void host.start();
  } else void host?.handle(message);
});
