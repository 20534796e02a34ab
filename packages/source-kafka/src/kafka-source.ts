// The Kafka source: a consumer-group member on its own thread whose batches become events, committed
// only when settled.
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
import kafkajs, { type Admin, type Kafka as KafkaClient } from "kafkajs";
import { type Observable, Subject } from "rxjs";
import { connectFailure, connectionSecrets, kafkaClientConfig } from "./connection.js";
import { ConsumerLag, groupLag } from "./consumer-lag.js";
import { type KafkaSourceOptions, type ResolvedKafkaSourceOptions, resolveOptions } from "./options.js";
import { ConsumerThread, ConsumerThreadError } from "./worker/consumer-thread.js";
import type { FromConsumer } from "./worker/messages.js";
import { type WireBatch, WireBatchReader } from "./worker/wire-batch.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka } = kafkajs;

export interface Backlog {
  total: number;
  partitions: Array<{ topic: string; partition: number; lag: number }>;
}

type SourceState = "created" | "connected" | "running" | "rebalancing" | "crashed" | "stopped";

export class KafkaSource implements Source<Buffer> {
  readonly name = "kafka";
  readonly secrets: readonly string[];
  readonly options: ResolvedKafkaSourceOptions;
  private ctx: SourceContext | undefined;
  /** The main thread's client, for the start-up probe and backlog(); consuming runs on `thread`. */
  private kafka: KafkaClient | undefined;
  private thread: ConsumerThread | undefined;
  private readonly batches = new Subject<Batch<Buffer>>();
  /** Progress per "topic/partition" for the current group generation only. */
  private progress = new Map<string, PartitionProgress>();
  /** The consumer thread's generation whose batches may still commit. */
  private generation = 0;
  /** Partitions ("topic/partition") taken away while stopping with records finished and not committed. */
  private readonly reassigned = new Set<string>();
  /** The commit in flight, which the next one waits for. */
  private committing: Promise<void> | undefined;
  private stopping = false;
  /** Records and bytes taken off the thread's queue since the thread was last told. */
  private taken = { events: 0, bytes: 0 };
  /** Whether the consumer thread was last told to pause (backpressure). */
  private pauseSent = false;
  /** Paused by pause() until resume(). */
  private suspended = false;
  private state: SourceState = "created";
  private lastError: string | undefined;
  private assignment: Record<string, number[]> = {};
  private admin: Admin | undefined;
  private adminConnected: Promise<void> | undefined;
  private lag: ConsumerLag | undefined;
  /** Since when no broker has answered the consumer thread; undefined while they do. */
  private unreachableSince: number | undefined;
  /** When the last non-empty batch arrived (ms since the epoch); undefined before the first. */
  lastBatchAt: number | undefined;

  constructor(options: KafkaSourceOptions) {
    this.options = resolveOptions(options);
    this.secrets = connectionSecrets(this.options);
  }

  async connect(ctx: SourceContext): Promise<void> {
    this.ctx = ctx;
    const logger = ctx.logger.child({ component: "kafka-source" });
    const { logCreator, ...client } = kafkaClientConfig("kafkaSource", this.options, logger);
    // kafkajs adds functions to the configuration it is given: the thread's copy is taken apart.
    this.kafka = new Kafka({ ...client, ...(client.sasl ? { sasl: { ...client.sasl } } : {}), logCreator });
    await this.probe();
    const o = this.options;
    const thread = new ConsumerThread(
      {
        client,
        consumer: {
          groupId: o.groupId,
          sessionTimeout: o.sessionTimeoutMs,
          heartbeatInterval: o.heartbeatIntervalMs,
          maxBytesPerPartition: o.maxBytesPerPartition,
          maxBytes: o.maxBytes,
          maxWaitTimeInMs: o.maxWaitTimeMs,
        },
        topics: o.topics,
        topicPattern: o.topicPattern?.source,
        // A timestamp start is a seek (start-position.ts); from the earliest, kafkajs's first fetch
        // answers at once and the seek applies right after, instead of behind a long poll at the end.
        fromBeginning: o.startFrom !== "latest",
        startAt: typeof o.startFrom === "object" ? o.startFrom.timestamp : undefined,
        partitionsConsumedConcurrently: o.partitionsConsumedConcurrently,
        // A fetch or two ahead of the stages: enough to keep them busy, little beyond the flow limits.
        window: { events: 5000, bytes: 4 * 1024 * 1024 },
      },
      {
        message: (message) => this.onThreadMessage(message),
        failed: (error) => this.onThreadFailed(error),
      },
    );
    this.thread = thread;
    try {
      await thread.ready();
    } catch (error) {
      await thread.close().catch(() => {});
      this.thread = undefined;
      throw this.unreachable(error);
    }
    const decoder = thread.decoder;
    if (decoder) ctx.metrics.kafkaDecoderPatched.set({ kafkajs: decoder.kafkajs }, decoder.patched ? 1 : 0);
    if (this.suspended) await thread.request({ type: "suspend" });
    this.lag = new ConsumerLag(
      () => this.mainAdmin(),
      o.groupId,
      ctx.metrics,
      o.lagIntervalMs,
      (error) => logger.debug({ err: describeError(error) }, "consumer lag not refreshed"),
    );
    this.lag.start();
    ctx.flow.on("pause", () => this.pauseFetching());
    ctx.flow.on("resume", () => this.resumeFetching());
    this.state = "connected";
  }

  start(): Observable<Batch<Buffer>> {
    this.requireThread().send({ type: "run" });
    this.state = "running";
    return this.batches.asObservable();
  }

  /**
   * Stops fetching until resume(), as Kafka Connect pauses a connector: the member stays in its group
   * (heartbeats, rebalances and commits go on), and what was fetched before still flows and commits.
   * Resolves once the consumer thread has paused its partitions; called before the pipeline starts, the
   * source starts paused. Backpressure pauses apart: a source paused here stays paused when the sink
   * catches up.
   */
  async pause(): Promise<void> {
    this.suspended = true;
    // Before connect(), the thread is told as soon as it is there, before it runs.
    if (this.thread) await this.thread.request({ type: "suspend" });
  }

  /** Fetches again after pause(). */
  async resume(): Promise<void> {
    this.suspended = false;
    if (this.thread) await this.thread.request({ type: "unsuspend" });
  }

  async stopFetching(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // Batches still on their way from the thread are neither registered nor emitted: never committed,
    // they are read again by whoever consumes the partition next.
    await this.thread?.request({ type: "stop" }).catch(() => {});
    this.batches.complete();
  }

  /**
   * Commits what is finished, one commit at a time: the pipeline commits on its interval and the source
   * when a rebalance begins, and kafkajs retries a commit inside its own call, so two in flight could reach
   * the broker in either order, an older one last, taking the group's offsets back.
   */
  commit(): Promise<void> {
    const next = (this.committing ?? Promise.resolve()).catch(() => {}).then(() => this.commitFinished());
    this.committing = next;
    void next
      .catch(() => {})
      .finally(() => {
        if (this.committing === next) this.committing = undefined;
      });
    return next;
  }

  private async commitFinished(): Promise<void> {
    const thread = this.thread;
    if (!thread || this.state === "created") return;
    const generation = this.generation;
    const offsets: Array<{ topic: string; partition: number; offset: string; progress: PartitionProgress }> =
      [];
    for (const [key, progress] of this.progress) {
      const offset = progress.takeCommit();
      if (offset === undefined) continue;
      const [topic, partition] = splitKey(key);
      offsets.push({ topic, partition, offset: String(offset), progress });
    }
    if (offsets.length > 0) {
      try {
        await thread.request({
          type: "commit",
          offsets: offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
        });
      } catch (error) {
        throw new SluiceError(ErrorCode.KAFKA_COMMIT, `offset commit failed: ${describeError(error)}`, {
          cause: error,
        });
      }
      if (generation === this.generation)
        for (const { topic, partition, offset, progress } of offsets) {
          progress.markCommitted(Number(offset));
          this.ctx?.metrics.committedOffset.set({ topic, partition: String(partition) }, Number(offset));
          this.lag?.committed(topic, partition, Number(offset));
        }
    }
    if (this.reassigned.size > 0)
      throw new SluiceError(
        ErrorCode.OFFSETS_REASSIGNED,
        `finished records of ${[...this.reassigned].join(", ")} were not committed: a rebalance gave these partitions to another member, which reads them again from the last commit`,
      );
  }

  async close(): Promise<void> {
    this.stopping = true;
    this.state = "stopped";
    this.lag?.stop();
    await this.admin?.disconnect().catch(() => {});
    await this.thread?.close();
  }

  /**
   * What the consumer group has not committed yet, per partition of the subscribed topics (all of them,
   * not only this member's): the high watermark minus the committed offset (minus the log start when
   * the group has committed nothing there). A total of 0 means the group has finished everything written.
   */
  async backlog(): Promise<Backlog> {
    const admin = await this.mainAdmin();
    let topics = [...this.options.topics];
    if (this.options.topicPattern) {
      const pattern = this.options.topicPattern;
      topics.push(...(await admin.listTopics()).filter((t) => pattern.test(t)));
      topics = [...new Set(topics)];
    }
    const partitions = await groupLag(admin, this.options.groupId, topics);
    return { total: partitions.reduce((sum, p) => sum + p.lag, 0), partitions };
  }

  /** The main thread's admin client, connected on first use. */
  private async mainAdmin(): Promise<Admin> {
    if (!this.kafka) throw new SluiceError(ErrorCode.CONFIG, "kafkaSource: backlog() before connect()");
    if (!this.admin) {
      const admin = this.kafka.admin();
      this.admin = admin;
      this.adminConnected = admin.connect().catch((error: unknown) => {
        if (this.admin === admin) this.admin = undefined;
        throw error;
      });
    }
    const admin = this.admin;
    await this.adminConnected;
    return admin;
  }

  health(): HealthReport {
    const unwell =
      this.state === "rebalancing" || this.state === "created" || this.unreachableSince !== undefined;
    return {
      status: this.state === "crashed" ? "down" : unwell ? "degraded" : "ok",
      detail: {
        state: this.state,
        paused: this.ctx?.flow.paused ?? false,
        ...(this.suspended ? { pausedOnRequest: true } : {}),
        assignment: this.assignment,
        ...(this.unreachableSince !== undefined
          ? { unreachableForMs: Date.now() - this.unreachableSince }
          : {}),
        ...(this.lastError ? { lastError: this.lastError } : {}),
        ...(this.thread?.decoder ? { recordBatchDecoder: this.thread.decoder } : {}),
      },
    };
  }

  private onThreadMessage(message: Exclude<FromConsumer, { type: "reply" | "ready" }>): void {
    const ctx = this.ctx;
    switch (message.type) {
      case "batch":
        this.onBatch(message);
        return;
      case "joined":
        // A new generation re-reads from the committed offsets: progress of the old one no longer
        // decides commits. Its in-flight events still settle (Elasticsearch sees them as duplicates by _id).
        this.retireGeneration(message.generation, message.assignment);
        this.assignment = message.assignment;
        this.lag?.assign(message.assignment);
        this.state = this.stopping ? "stopped" : "running";
        this.unreachableSince = undefined;
        ctx?.metrics.rebalances.inc();
        ctx?.metrics.sourceUp.set(1);
        ctx?.logger.info({ assignment: message.assignment }, "joined consumer group");
        return;
      case "rebalancing":
        // Partitions may be taken away: commit what is finished while this generation still may.
        void this.commit().catch(() => {});
        if (this.stopping) return;
        this.state = "rebalancing";
        ctx?.metrics.sourceUp.set(0);
        return;
      case "crashed": {
        const { error, restart } = message;
        this.lastError = `${error.name}: ${error.causeName ? `${error.causeName}: ` : ""}${error.message}`;
        ctx?.metrics.sourceUp.set(0);
        // `restart`: whether kafkajs restarts the consumer itself (else the thread rebuilds it, or not).
        ctx?.logger.error({ err: this.lastError, restart: restart === "kafkajs" }, "kafka consumer crashed");
        if (restart === "none") {
          this.state = "crashed";
          this.batches.error(new ConsumerThreadError(error));
          return;
        }
        this.state = "rebalancing";
        if (restart === "rebuild") {
          this.retireGeneration(message.generation);
          this.lag?.assign({});
          ctx?.logger.warn({ err: this.lastError, delayMs: message.delayMs }, "rejoining the consumer group");
        }
        return;
      }
      case "reachability":
        this.unreachableSince = message.reachable ? undefined : message.lastContactAt;
        ctx?.metrics.sourceUp.set(message.reachable && this.state === "running" ? 1 : 0);
        if (!message.reachable)
          ctx?.logger.warn(
            { lastContactAt: new Date(message.lastContactAt).toISOString() },
            "no Kafka broker answers",
          );
        else ctx?.logger.info("Kafka answers again");
        return;
      case "log": {
        const fields = { component: "kafka-source", kafka: message.namespace, ...message.extra };
        ctx?.logger[message.level](fields, message.message);
        return;
      }
    }
  }

  private onThreadFailed(error: Error): void {
    if (this.stopping) return;
    this.state = "crashed";
    this.lastError = describeError(error);
    this.ctx?.metrics.sourceUp.set(0);
    this.batches.error(error);
  }

  /**
   * The events of the generation that ended settle, but can no longer move its commits. While stopping,
   * nothing is fetched again: a partition this member still holds keeps its progress, so what settled
   * commits with the new generation, and one taken away with records finished and not committed is
   * reported (commit() fails with OFFSETS_REASSIGNED) rather than forgotten.
   */
  private retireGeneration(generation: number, assignment: Record<string, number[]> = {}): void {
    const old = this.progress;
    this.generation = generation;
    this.progress = new Map();
    this.assignment = {};
    if (!this.stopping) return;
    for (const [key, progress] of old) {
      const [topic, partition] = splitKey(key);
      if (assignment[topic]?.includes(partition)) this.progress.set(key, progress);
      else if (progress.takeCommit() !== undefined || progress.pendingEvents > 0) this.reassigned.add(key);
    }
  }

  private onBatch(batch: WireBatch): void {
    this.took(batch);
    // A batch of an ended generation, or one that arrived after stopFetching, is not registered: never
    // committed, it is read again.
    if (this.stopping || batch.generation !== this.generation) return;
    const progress = this.progressFor(batch.topic, batch.partition);
    const events = this.toEvents(batch, progress);
    this.lastBatchAt = Date.now();
    const next = Number(events[events.length - 1]!.origin.offset) + 1;
    this.lag?.fetched(batch.topic, batch.partition, next, Number(batch.highWatermark));
    this.batches.next(events);
    if (this.ctx?.flow.paused) this.pauseFetching();
  }

  /** Tells the thread, once per turn of the event loop, what was taken off the queue since the last time. */
  private took(batch: WireBatch): void {
    if (this.taken.events === 0)
      setImmediate(() => {
        const { events, bytes } = this.taken;
        this.taken = { events: 0, bytes: 0 };
        this.thread?.send({ type: "taken", events, bytes });
      });
    this.taken.events += batch.count;
    this.taken.bytes += batch.bytes;
  }

  private toEvents(batch: WireBatch, progress: PartitionProgress): Batch<Buffer> {
    const reader = new WireBatchReader(batch);
    const n = batch.count;
    const first = Number(reader.offset(0));
    const last = Number(reader.offset(n - 1));
    const ticket = progress.open(first, last, n, batch.bytes);
    const events: Batch<Buffer> = new Array(n);
    for (let i = 0; i < n; i++) {
      const raw = reader.value(i);
      events[i] = new SluiceEvent<Buffer>(raw, raw, reader.origin(i), ticket);
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

  private pauseFetching(): void {
    if (this.pauseSent || !this.thread) return;
    this.pauseSent = true;
    this.thread.send({ type: "pause" });
    this.ctx?.logger.debug({ inFlight: this.ctx.flow.events }, "source paused (backpressure)");
  }

  private resumeFetching(): void {
    if (!this.pauseSent || !this.thread || this.stopping) return;
    this.pauseSent = false;
    this.thread.send({ type: "resume" });
    this.ctx?.logger.debug({ inFlight: this.ctx.flow.events }, "source resumed");
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

  private requireThread(): ConsumerThread {
    if (!this.thread) throw new SluiceError(ErrorCode.CONFIG, "kafkaSource: start() before connect()");
    return this.thread;
  }
}

function splitKey(key: string): [string, number] {
  const slash = key.lastIndexOf("/");
  return [key.slice(0, slash), Number(key.slice(slash + 1))];
}

/** A Kafka source for a pipeline: a consumer group over `topics`, LZ4 included. */
export function kafkaSource(options: KafkaSourceOptions): KafkaSource {
  return new KafkaSource(options);
}
