// The Kafka source: a consumer-group member on its own thread whose batches become events, committed
// only when settled.
import {
  type Batch,
  type CommitOffset,
  describeError,
  ErrorCode,
  type HealthReport,
  SluiceError,
  SluiceEvent,
  type Source,
  type SourceBatch,
  type SourceContext,
} from "@sluice/core";
import kafkajs, { type Admin, type Kafka as KafkaClient } from "kafkajs";
import { type Observable, Subject } from "rxjs";
import { connectFailure, connectionSecrets, kafkaClientConfig } from "./connection.js";
import { ConsumerLag, groupLag } from "./consumer-lag.js";
import { type KafkaSourceOptions, type ResolvedKafkaSourceOptions, resolveOptions } from "./options.js";
import { ConsumerThread, ConsumerThreadError, type ConsumerThreadEvents } from "./worker/consumer-thread.js";
import type { ConsumerThreadData, FromConsumer } from "./worker/messages.js";
import { workerEntry } from "./worker/start-thread.js";
import { type WireBatch, WireBatchReader } from "./worker/wire-batch.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { Kafka } = kafkajs;

/** What `KafkaSource.backlog()` resolves with: the records the consumer group has not committed yet. */
export interface Backlog {
  /** The sum over every partition. */
  total: number;
  /** Per partition of the subscribed topics. */
  partitions: Array<{
    /** The topic. */
    topic: string;
    /** The partition. */
    partition: number;
    /** Records not committed: the high watermark minus the committed offset (or the log start). */
    lag: number;
  }>;
}

// "joining" from start() to the first join: the member reads nothing yet, as while rebalancing.
type SourceState = "created" | "connected" | "joining" | "running" | "rebalancing" | "crashed" | "stopped";

/** What the source needs of its consumer thread. */
export type ConsumerThreadPort = Pick<ConsumerThread, "ready" | "send" | "request" | "close" | "decoder">;

/**
 * @internal How connect() reaches Kafka: the start-up probe, the consumer thread and the main thread's
 * admin client. Unit tests give a fake consumer thread here instead of a cluster.
 */
export interface KafkaLinks {
  probe(): Promise<void>;
  thread(data: ConsumerThreadData, events: ConsumerThreadEvents): ConsumerThreadPort;
  admin(): Promise<Admin>;
}

/**
 * The Kafka source: a kafkajs consumer-group member on a worker thread that hands the pipeline each
 * partition's records in offset order and commits what the pipeline settled. Build one with `kafkaSource`.
 */
export class KafkaSource implements Source<Buffer> {
  readonly name = "kafka";
  readonly secrets: readonly string[];
  /** The options as validated, with every default filled in. */
  readonly options: ResolvedKafkaSourceOptions;
  private ctx: SourceContext | undefined;
  /** The main thread's client, for the start-up probe and backlog(); consuming runs on `thread`. */
  private kafka: KafkaClient | undefined;
  private thread: ConsumerThreadPort | undefined;
  /** The consumer thread's module, checked at construction. */
  private readonly workerEntry: URL;
  private readonly links: KafkaLinks;
  private readonly batches = new Subject<SourceBatch<Buffer>>();
  private stopping = false;
  /** The generation last joined: a batch fetched by an older one is not emitted, nor counted as fetched. */
  private generation = 0;
  /** Records and bytes taken off the thread's queue since the thread was last told. */
  private taken = { events: 0, bytes: 0 };
  /** Whether the pipeline last asked to pause fetching (backpressure). */
  private backpressured = false;
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

  /**
   * Validates `options`; connects nothing until the pipeline calls `connect`.
   *
   * @throws SluiceConfigError (`SLUICE_ERR_CONFIG`) when an option is wrong, e.g. neither `topics` nor
   * `topicPattern` is given or a broker is not `host:port`.
   */
  constructor(options: KafkaSourceOptions, links?: Partial<KafkaLinks>) {
    this.options = resolveOptions(options);
    this.workerEntry = workerEntry(options.workerFile);
    this.secrets = connectionSecrets(this.options);
    this.links = {
      probe: () => this.probe(),
      thread: (data, events) => new ConsumerThread(this.workerEntry, data, events),
      admin: () => this.mainAdmin(),
      ...links,
    };
  }

  async connect(ctx: SourceContext): Promise<void> {
    this.ctx = ctx;
    const logger = ctx.logger.child({ component: "kafka-source" });
    const { logCreator, ...client } = kafkaClientConfig("kafkaSource", this.options, logger);
    // kafkajs adds functions to the configuration it is given: the thread's copy is taken apart.
    this.kafka = new Kafka({ ...client, ...(client.sasl ? { sasl: { ...client.sasl } } : {}), logCreator });
    await this.links.probe();
    const o = this.options;
    const thread = this.links.thread(
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
      // A thread that died before answering is no news about Kafka: its error says what failed.
      throw error instanceof SluiceError && !(error instanceof ConsumerThreadError)
        ? error
        : this.unreachable(error);
    }
    const decoder = thread.decoder;
    if (decoder) ctx.metrics.kafkaDecoderPatched.set({ kafkajs: decoder.kafkajs }, decoder.patched ? 1 : 0);
    if (this.suspended) await thread.request({ type: "suspend" });
    this.lag = new ConsumerLag(
      () => this.links.admin(),
      o.groupId,
      ctx.metrics,
      o.lagIntervalMs,
      (error) => logger.debug({ err: describeError(error) }, "consumer lag not refreshed"),
    );
    this.lag.start();
    this.state = "connected";
  }

  start(): Observable<SourceBatch<Buffer>> {
    this.requireThread().send({ type: "run" });
    this.state = "joining";
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

  /** Backpressure from the pipeline: the thread stops fetching, and what it fetched still arrives. */
  pauseFetching(paused: boolean): void {
    if (!this.thread) return;
    this.backpressured = paused;
    this.thread.send({ type: paused ? "pause" : "resume" });
  }

  async stopFetching(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // Batches still on their way from the thread are not emitted: never committed, they are read again
    // by whoever consumes the partition next.
    await this.thread?.request({ type: "stop" }).catch(() => {});
    this.batches.complete();
  }

  /** Commits these offsets for the group; the pipeline sends one commit at a time. */
  async commit(offsets: readonly CommitOffset[]): Promise<void> {
    const thread = this.thread;
    if (!thread || this.state === "created") return;
    try {
      await thread.request({ type: "commit", offsets: [...offsets] });
    } catch (error) {
      throw new SluiceError(ErrorCode.KAFKA_COMMIT, `offset commit failed: ${describeError(error)}`, {
        cause: error,
      });
    }
    for (const { topic, partition, offset } of offsets) this.lag?.committed(topic, partition, Number(offset));
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
      this.state === "rebalancing" ||
      this.state === "joining" ||
      this.state === "created" ||
      this.unreachableSince !== undefined;
    return {
      status: this.state === "crashed" ? "down" : unwell ? "degraded" : "ok",
      detail: {
        state: this.state,
        paused: this.backpressured,
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
        this.generation = message.generation;
        ctx?.assigned(message.generation, message.assignment);
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
        void ctx?.commitNow().catch(() => {});
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
          this.generation = message.generation;
          ctx?.assigned(message.generation, {});
          this.assignment = {};
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

  private onBatch(batch: WireBatch): void {
    this.took(batch);
    // One that arrived after stopFetching, or of an ended generation, is not emitted: never committed,
    // it is read again.
    if (this.stopping || batch.generation !== this.generation) return;
    const events = this.toEvents(batch);
    this.lastBatchAt = Date.now();
    const next = Number(events[events.length - 1]!.origin.offset) + 1;
    this.lag?.fetched(batch.topic, batch.partition, next, Number(batch.highWatermark));
    this.batches.next({ events, generation: batch.generation });
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

  private toEvents(batch: WireBatch): Batch<Buffer> {
    const reader = new WireBatchReader(batch);
    const n = batch.count;
    const events: Batch<Buffer> = new Array(n);
    for (let i = 0; i < n; i++) {
      const raw = reader.value(i);
      events[i] = new SluiceEvent<Buffer>(raw, raw, reader.origin(i));
    }
    return events;
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

  private requireThread(): ConsumerThreadPort {
    if (!this.thread) throw new SluiceError(ErrorCode.CONFIG, "kafkaSource: start() before connect()");
    return this.thread;
  }
}

/** A Kafka source for a pipeline: a consumer group over `topics`, LZ4 included. */
export function kafkaSource(options: KafkaSourceOptions): KafkaSource {
  return new KafkaSource(options);
}
