// The Kafka source: a kafkajs consumer group whose batches become events, committed only when settled.
import {
  type Batch,
  describeError,
  ErrorCode,
  type HealthReport,
  PartitionProgress,
  SluiceError,
  SluiceEvent,
  type Source,
  type SourceContext,
} from "@sluice/core";
import kafkajs, {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type Batch as KafkaBatch,
  type Kafka as KafkaClient,
  type KafkaMessage,
} from "kafkajs";
import { type Observable, Subject } from "rxjs";
import { registerCodecs } from "./codecs/register.js";
import { connectFailure, kafkaClientConfig } from "./connection.js";
import { type KafkaSourceOptions, type ResolvedKafkaSourceOptions, resolveOptions } from "./options.js";
import { StartPosition } from "./start-position.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka } = kafkajs;

const EMPTY = Buffer.alloc(0);

export interface Backlog {
  total: number;
  partitions: Array<{ topic: string; partition: number; lag: number }>;
}

type SourceState = "created" | "connected" | "running" | "rebalancing" | "crashed" | "stopped";

export class KafkaSource implements Source<Buffer> {
  readonly name = "kafka";
  readonly options: ResolvedKafkaSourceOptions;
  private ctx: SourceContext | undefined;
  private kafka: KafkaClient | undefined;
  private consumer: Consumer | undefined;
  private readonly batches = new Subject<Batch<Buffer>>();
  /** Progress per "topic/partition" for the current group generation only. */
  private progress = new Map<string, PartitionProgress>();
  private generation = 0;
  /** Consumer rebuilds after non-retriable crashes, for the backoff. */
  private restarts = 0;
  private stopping = false;
  private state: SourceState = "created";
  private lastError: string | undefined;
  private assignment: Record<string, number[]> = {};
  private admin: Admin | undefined;
  /** Positions new partitions when `startFrom` is a timestamp. */
  private startPosition: StartPosition | undefined;
  /** Batches fetched and registered, not yet handed to the stages. */
  private pending: Batch<Buffer>[] = [];
  private readonly emitPending = (): void => {
    const batches = this.pending;
    this.pending = [];
    for (const batch of batches) this.batches.next(batch);
  };
  /** When the last non-empty batch arrived (ms since the epoch); undefined before the first. */
  lastBatchAt: number | undefined;

  constructor(options: KafkaSourceOptions) {
    this.options = resolveOptions(options);
    registerCodecs();
  }

  async connect(ctx: SourceContext): Promise<void> {
    this.ctx = ctx;
    const logger = ctx.logger.child({ component: "kafka-source" });
    this.kafka = new Kafka(kafkaClientConfig("kafkaSource", this.options, logger));
    const { startFrom } = this.options;
    if (typeof startFrom === "object")
      this.startPosition = new StartPosition(this.kafka, this.options.groupId, startFrom.timestamp, logger);
    await this.probe();
    try {
      this.consumer = await this.subscribedConsumer();
    } catch (error) {
      throw this.unreachable(error);
    }
    ctx.flow.on("pause", () => this.pauseFetching());
    ctx.flow.on("resume", () => this.resumeFetching());
    this.state = "connected";
  }

  start(): Observable<Batch<Buffer>> {
    this.run(this.requireConsumer());
    return this.batches.asObservable();
  }

  private async subscribedConsumer(): Promise<Consumer> {
    const consumer = this.kafka!.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: this.options.heartbeatIntervalMs,
      maxBytesPerPartition: this.options.maxBytesPerPartition,
      maxBytes: this.options.maxBytes,
      // A crashed consumer always restarts: losing the group is recoverable, and nothing is committed
      // that was not settled, so a restart re-reads rather than skips.
      retry: { restartOnFailure: async () => !this.stopping },
    });
    this.watchConsumer(consumer);
    await consumer.connect();
    await consumer.subscribe({
      topics: [...this.options.topics, ...(this.options.topicPattern ? [this.options.topicPattern] : [])],
      // A timestamp start is a seek (start-position.ts); from the earliest, kafkajs's first fetch
      // answers at once and the seek applies right after, instead of behind a long poll at the end.
      fromBeginning: this.options.startFrom !== "latest",
    });
    return consumer;
  }

  private run(consumer: Consumer): void {
    this.state = "running";
    consumer
      .run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
        eachBatch: async (payload) => this.onBatch(payload),
      })
      .catch((error: unknown) => this.batches.error(error));
  }

  /**
   * kafkajs gives up on errors it deems non-retriable, also where the group coordinator merely answered
   * an unexpected code mid-rebalance. Unless the error is one that no retry can fix (authentication,
   * authorization), the source builds a new consumer and joins the group again, with growing pauses.
   * The old member's partitions are re-read from the committed offsets: nothing is skipped.
   */
  private restartAfterCrash(crashed: Consumer, error: Error): void {
    if (this.stopping || crashed !== this.consumer) return;
    if (isPermanent(error)) {
      this.state = "crashed";
      this.batches.error(error);
      return;
    }
    this.retiredGeneration();
    const delay = Math.min(30_000, 500 * 2 ** Math.min(this.restarts++, 6));
    this.ctx?.logger.warn({ err: describeError(error), delayMs: delay }, "rejoining the consumer group");
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
        (retryError: unknown) =>
          this.restartAfterCrash(
            crashed,
            retryError instanceof Error ? retryError : new Error(String(retryError)),
          ),
      );
    }, delay).unref();
  }

  /** The events of the generation that ended settle, but can no longer move its commits. */
  private retiredGeneration(): void {
    this.generation++;
    this.progress = new Map();
    this.assignment = {};
  }

  async stopFetching(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.pauseFetching();
    // Batches already fetched and registered go to the stages first, so every one of them settles.
    this.emitPending();
    this.batches.complete();
  }

  async commit(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer || this.state === "created") return;
    const generation = this.generation;
    const offsets: Array<{ topic: string; partition: number; offset: string; progress: PartitionProgress }> =
      [];
    for (const [key, progress] of this.progress) {
      const offset = progress.takeCommit();
      if (offset === undefined) continue;
      const [topic, partition] = splitKey(key);
      offsets.push({ topic, partition, offset: String(offset), progress });
    }
    if (offsets.length === 0) return;
    await consumer.commitOffsets(
      offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
    );
    if (generation !== this.generation) return;
    for (const { topic, partition, offset, progress } of offsets) {
      progress.markCommitted(Number(offset));
      this.ctx?.metrics.committedOffset.set({ topic, partition: String(partition) }, Number(offset));
    }
  }

  async close(): Promise<void> {
    this.stopping = true;
    this.state = "stopped";
    await this.admin?.disconnect().catch(() => {});
    await this.startPosition?.close();
    await this.consumer?.disconnect();
  }

  /**
   * What the consumer group has not committed yet, per partition of the subscribed topics (all of them,
   * not only this member's): the high watermark minus the committed offset (minus the log start when
   * the group has committed nothing there). A total of 0 means the group has finished everything written.
   */
  async backlog(): Promise<Backlog> {
    if (!this.kafka) throw new SluiceError(ErrorCode.CONFIG, "kafkaSource: backlog() before connect()");
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    const admin = this.admin;
    let topics = [...this.options.topics];
    if (this.options.topicPattern) {
      const pattern = this.options.topicPattern;
      topics.push(...(await admin.listTopics()).filter((t) => pattern.test(t)));
      topics = [...new Set(topics)];
    }
    const committed = await admin.fetchOffsets({ groupId: this.options.groupId, topics });
    const partitions: Backlog["partitions"] = [];
    for (const topic of topics) {
      const done = new Map(
        (committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [
          p.partition,
          Number(p.offset),
        ]),
      );
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        const next = done.get(partition) ?? -1;
        const lag = Number(high) - (next >= 0 ? next : Number(low));
        partitions.push({ topic, partition, lag: Math.max(0, lag) });
      }
    }
    return { total: partitions.reduce((sum, p) => sum + p.lag, 0), partitions };
  }

  health(): HealthReport {
    const status = this.state === "crashed" ? "down" : this.state === "rebalancing" ? "degraded" : "ok";
    return {
      status: this.state === "created" ? "degraded" : status,
      detail: {
        state: this.state,
        paused: this.ctx?.flow.paused ?? false,
        assignment: this.assignment,
        ...(this.lastError ? { lastError: this.lastError } : {}),
      },
    };
  }

  private onBatch({ batch, resolveOffset, isRunning, isStale }: EachBatchPayload): Promise<void> | undefined {
    if (this.stopping || !isRunning() || isStale()) return;
    const start = this.startPosition;
    // The partition's start is still being looked up: nothing is handed on, kafkajs's position stays.
    if (start && !start.isPositioned(batch.topic, batch.partition)) return start.whenPositioned();
    const messages = start ? start.admit(batch.topic, batch.partition, batch.messages) : batch.messages;
    if (messages.length === 0) return;
    const progress = this.progressFor(batch.topic, batch.partition);
    const events = this.toEvents(batch, messages, progress);
    this.lastBatchAt = Date.now();
    // Handed on in a later turn of the event loop: eachBatch returns at once, so kafkajs sends the next
    // fetch while this batch goes through the stages, instead of after. (Its offsets are registered
    // above, so flow control and commits already account for it.)
    this.pending.push(events);
    if (this.pending.length === 1) setImmediate(this.emitPending);
    // Moves kafkajs's fetch position only: with autoCommit off, commits come from commit() alone.
    resolveOffset(messages[messages.length - 1]!.offset);
    this.recordLag(batch, messages[messages.length - 1]!.offset);
    if (this.ctx?.flow.paused) this.pauseFetching();
  }

  private toEvents(batch: KafkaBatch, messages: KafkaMessage[], progress: PartitionProgress): Batch<Buffer> {
    let bytes = 0;
    for (const m of messages) bytes += m.value?.length ?? 0;
    const first = Number(messages[0]!.offset);
    const last = Number(messages[messages.length - 1]!.offset);
    const ticket = progress.open(first, last, messages.length, bytes);
    const { topic, partition } = batch;
    const events: Batch<Buffer> = new Array(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const raw = m.value ?? EMPTY;
      events[i] = new SluiceEvent<Buffer>(
        raw,
        raw,
        {
          topic,
          partition,
          offset: m.offset,
          key: m.key ?? null,
          headers: m.headers ?? {},
          timestamp: m.timestamp,
        },
        ticket,
      );
    }
    return events;
  }

  private progressFor(topic: string, partition: number): PartitionProgress {
    const key = `${topic}/${partition}`;
    let progress = this.progress.get(key);
    if (!progress) {
      progress = new PartitionProgress(this.ctx?.flow);
      this.progress.set(key, progress);
    }
    return progress;
  }

  private recordLag(batch: KafkaBatch, lastOffset: string): void {
    const lag = Math.max(0, Number(batch.highWatermark) - Number(lastOffset) - 1);
    this.ctx?.metrics.consumerLag.set({ topic: batch.topic, partition: String(batch.partition) }, lag);
  }

  private pauseFetching(): void {
    if (!this.consumer) return;
    try {
      this.consumer.pause(this.fetchedTopics());
    } catch {
      // Not running (yet, or any more): there is no fetching to pause.
      return;
    }
    this.ctx?.logger.debug({ inFlight: this.ctx.flow.events }, "source paused (backpressure)");
  }

  private resumeFetching(): void {
    if (!this.consumer || this.stopping) return;
    try {
      this.consumer.resume(this.fetchedTopics());
    } catch {
      return;
    }
    this.ctx?.logger.debug({ inFlight: this.ctx.flow.events }, "source resumed");
  }

  /** The topics to pause and resume: those named, and those a pattern matched (known from the assignment). */
  private fetchedTopics(): Array<{ topic: string }> {
    const topics = new Set([...this.options.topics, ...Object.keys(this.assignment)]);
    return [...topics].map((topic) => ({ topic }));
  }

  private watchConsumer(consumer: Consumer): void {
    const { events } = consumer;
    consumer.on(events.GROUP_JOIN, ({ payload }) => {
      // A new generation re-reads from the committed offsets: progress of the old one no longer
      // decides commits. Its in-flight events still settle (Elasticsearch sees them as duplicates by _id).
      this.retiredGeneration();
      this.restarts = 0;
      this.assignment = payload.memberAssignment;
      this.startPosition?.assigned(consumer, payload.memberAssignment);
      this.state = this.stopping ? "stopped" : "running";
      this.ctx?.metrics.rebalances.inc();
      this.ctx?.metrics.sourceUp.set(1);
      this.ctx?.logger.info({ assignment: payload.memberAssignment }, "joined consumer group");
      if (this.ctx?.flow.paused || this.stopping) this.pauseFetching();
    });
    consumer.on(events.REBALANCING, () => {
      if (this.stopping) return;
      this.state = "rebalancing";
      this.ctx?.metrics.sourceUp.set(0);
      // Partitions may be taken away: commit what is finished while this generation still may.
      void this.commit().catch(() => {});
    });
    consumer.on(events.CRASH, ({ payload }) => {
      this.lastError = describeError(payload.error);
      // Restarting, by kafkajs or by restartAfterCrash, unless the error is permanent.
      this.state = payload.restart || !isPermanent(payload.error) ? "rebalancing" : "crashed";
      this.ctx?.metrics.sourceUp.set(0);
      this.ctx?.logger.error({ err: this.lastError, restart: payload.restart }, "kafka consumer crashed");
      if (!payload.restart) this.restartAfterCrash(consumer, payload.error);
    });
  }

  /** Fails fast, with the reason, when no broker answers. */
  private async probe(): Promise<void> {
    const admin = this.kafka!.admin({
      retry: { retries: this.options.connectRetries, initialRetryTime: 250 },
    });
    try {
      await admin.connect();
      await admin.describeCluster();
    } catch (error) {
      throw this.unreachable(error);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  private unreachable(error: unknown): SluiceError {
    return connectFailure("", this.options.brokers, error);
  }

  private requireConsumer(): Consumer {
    if (!this.consumer) throw new SluiceError(ErrorCode.CONFIG, "kafkaSource: start() before connect()");
    return this.consumer;
  }
}

/** Errors that rejoining cannot fix: the pipeline stops and says why. */
const PERMANENT = new Set([
  "SASL_AUTHENTICATION_FAILED",
  "TOPIC_AUTHORIZATION_FAILED",
  "GROUP_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "UNSUPPORTED_VERSION",
]);

function isPermanent(error: Error): boolean {
  let cause: unknown = error;
  while (cause instanceof Error && (cause as { cause?: unknown }).cause instanceof Error)
    cause = (cause as { cause: unknown }).cause;
  const type = (cause as { type?: unknown }).type;
  return (
    (typeof type === "string" && PERMANENT.has(type)) ||
    (cause instanceof Error && cause.name === "KafkaJSSASLAuthenticationError")
  );
}

function splitKey(key: string): [string, number] {
  const slash = key.lastIndexOf("/");
  return [key.slice(0, slash), Number(key.slice(slash + 1))];
}

/** A Kafka source for a pipeline: a consumer group over `topics`, LZ4 included. */
export function kafkaSource(options: KafkaSourceOptions): KafkaSource {
  return new KafkaSource(options);
}
