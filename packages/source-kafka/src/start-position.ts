// Where each assigned partition without a committed offset starts — at the end (`startFrom: "latest"`) or
// at its first record at or after a time (Kafka's offsetsForTimes) — through kafkajs's seek, and that
// start committed at once, so the group keeps it.
import { describeError, ErrorCode, retry, SluiceError } from "@sluice/core";
import type { Admin, Consumer, Kafka, KafkaMessage } from "kafkajs";
import type { PartitionOffset } from "./worker/commit-guard.js";

/** Where it says which offset each partition starts at (the consumer thread forwards these lines). */
export interface StartLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Where a partition without a committed offset starts: the end, or a time (ms since the epoch). */
export type StartAt = "latest" | { timestamp: number };

/** Commits the starts just sought, through the consumer's own commit path; rejects when not committed. */
export type CommitStarts = (consumer: Consumer, offsets: PartitionOffset[]) => Promise<void>;

/**
 * kafkajs resolves a new group's position itself (earliest or latest) and starts fetching right after
 * the join; the lookups here take a round trip or two more. So on every join each assigned partition is
 * held — its batches are not handed on — until its start is known and kafkajs was told with seek();
 * kafkajs drops what it fetched before the seek, and admit() drops anything below the start, so no
 * record before it can reach the stages or be committed.
 *
 * Partitions with a committed offset are sought to it too: kafkajs keeps seek requests across
 * generations, and one left from an earlier assignment of the same partition must not win.
 *
 * A start found without a committed offset is committed right away: otherwise a partition that gets no
 * record before the next join (a rebalance, a restart, a reload) would be looked up again at a later
 * "end", and the records written in between would be skipped — what a consumer's auto-commit of its
 * position prevents.
 */
export class StartPosition {
  /** "topic/partition" → the first offset to hand on, for the current assignment; absent while held. */
  private starts = new Map<string, number>();
  private lookup: { done: Promise<void>; abort: AbortController } | undefined;
  private admin: Promise<Admin> | undefined;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly startAt: StartAt,
    private readonly logger: StartLogger,
    private readonly commitStarts: CommitStarts,
  ) {}

  /** On every group join, synchronously: holds the assigned partitions and looks their starts up. */
  assigned(consumer: Consumer, assignment: Record<string, number[]>): void {
    this.lookup?.abort.abort();
    const starts = new Map<string, number>();
    this.starts = starts;
    const abort = new AbortController();
    const found: PartitionOffset[] = [];
    const done = retry(() => this.position(consumer, assignment, starts, found, abort.signal), {
      initialDelayMs: 250,
      maxDelayMs: 5000,
      signal: abort.signal,
      onError: (error, attempt) =>
        this.logger.warn(
          { err: describeError(error), attempt },
          "finding or committing where the group's new partitions start failed; retrying (those not positioned wait)",
        ),
    }).catch(() => {
      // Aborted: a newer assignment, or closing.
    });
    this.lookup = { done, abort };
  }

  /** Whether the partition's batches may be handed on. */
  isPositioned(topic: string, partition: number): boolean {
    return this.starts.has(`${topic}/${partition}`);
  }

  /**
   * Resolves when the current lookups are done, or after `maxWaitMs`: a held batch waits here instead
   * of being fetched again at once, and kafkajs gets back control often enough to heartbeat.
   */
  whenPositioned(maxWaitMs = 1000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxWaitMs);
    });
    return Promise.race([this.lookup?.done ?? Promise.resolve(), waited]).finally(() => clearTimeout(timer));
  }

  /** The messages at or after the partition's start (kafkajs's seek already keeps older ones away). */
  admit(topic: string, partition: number, messages: KafkaMessage[]): KafkaMessage[] {
    const start = this.starts.get(`${topic}/${partition}`);
    if (start === undefined) return [];
    if (messages.length === 0 || Number(messages[0]!.offset) >= start) return messages;
    return messages.filter((m) => Number(m.offset) >= start);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.lookup?.abort.abort();
    const admin = await this.admin?.catch(() => undefined);
    await admin?.disconnect().catch(() => {});
  }

  private async position(
    consumer: Consumer,
    assignment: Record<string, number[]>,
    starts: Map<string, number>,
    found: PartitionOffset[],
    signal: AbortSignal,
  ): Promise<void> {
    if (this.closed) return;
    const admin = await this.connectedAdmin();
    const topics = Object.keys(assignment);
    const committed = await admin.fetchOffsets({ groupId: this.groupId, topics });
    for (const topic of topics) {
      const commits = new Map(
        (committed.find((c) => c.topic === topic)?.partitions ?? [])
          .filter((p) => Number(p.offset) >= 0)
          .map((p) => [p.partition, Number(p.offset)]),
      );
      // A retry after a failure part way leaves alone the partitions already under way.
      const partitions = assignment[topic]!.filter((p) => !starts.has(`${topic}/${p}`));
      // kafkajs answers the high watermark where no record is that recent: the group starts at the end.
      const lookedUp = partitions.some((p) => !commits.has(p))
        ? this.startAt === "latest"
          ? await admin.fetchTopicOffsets(topic)
          : await admin.fetchTopicOffsetsByTimestamp(topic, this.startAt.timestamp)
        : [];
      if (signal.aborted || this.closed) return;
      for (const partition of partitions) {
        const committedOffset = commits.get(partition);
        const offset = committedOffset ?? Number(lookedUp.find((b) => b.partition === partition)?.offset);
        if (!Number.isInteger(offset) || offset < 0)
          throw new SluiceError(
            ErrorCode.KAFKA_CONSUMER,
            `no offset for ${topic}/${partition} at ${this.startAt === "latest" ? "its end" : new Date(this.startAt.timestamp).toISOString()}`,
          );
        // Seek first, then admit: no batch can come between the two.
        consumer.seek({ topic, partition, offset: String(offset) });
        starts.set(`${topic}/${partition}`, offset);
        this.logger.info(
          {
            topic,
            partition,
            offset,
            from:
              committedOffset === undefined
                ? this.startAt === "latest"
                  ? "end"
                  : "timestamp"
                : "committed offset",
          },
          "partition start",
        );
        if (committedOffset === undefined) found.push({ topic, partition, offset: String(offset) });
      }
    }
    // A failed commit retries from here: every partition is positioned, only the commit is repeated.
    if (found.length > 0 && !signal.aborted && !this.closed) {
      await this.commitStarts(consumer, found);
      found.length = 0;
    }
  }

  /** One admin client for every lookup, connected on first use. */
  private connectedAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        this.admin = undefined;
        throw error;
      }
      return admin;
    })();
    return this.admin;
  }
}
