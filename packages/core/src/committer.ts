// Commits what settled: on an interval, when a source asks (a rebalance), and one last time at stop.
import type { Source } from "./components.js";
import { describeError, ErrorCode, SluiceError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { PipelineMetrics } from "./metrics.js";
import type { SourcePartitions } from "./partitions.js";

export class Committer {
  private timer: NodeJS.Timeout | undefined;
  /** The last commit asked for: each waits for the one before it. */
  private committing: Promise<void> | undefined;
  /** The interval's commit while it runs, so a slow one is not queued again. */
  private intervalCommit: Promise<void> | undefined;

  constructor(
    private readonly partitions: SourcePartitions,
    private readonly source: Source<unknown>,
    private readonly metrics: PipelineMetrics,
    private readonly logger: Logger,
  ) {}

  /** Commits every `intervalMs` until stop(); a failure is logged and the next turn tries again. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.onInterval(), intervalMs);
    this.timer.unref();
  }

  /** Ends the interval and waits for a commit in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.committing) await this.committing.catch(() => {});
  }

  /**
   * Commits what settled, one commit at a time: the interval and a source's rebalance both commit, and a
   * Kafka client retries a commit inside its own call, so two in flight could reach the broker in either
   * order, an older one last, taking the group's offsets back.
   */
  commit(): Promise<void> {
    const next = (this.committing ?? Promise.resolve()).catch(() => {}).then(() => this.commitSettled());
    this.committing = next;
    void next
      .catch(() => {})
      .finally(() => {
        if (this.committing === next) this.committing = undefined;
      });
    return next;
  }

  /**
   * Commits until the source takes it or the deadline passes (a rebalance refuses commits until the
   * member has rejoined), unless retrying cannot help (OFFSETS_REASSIGNED); the last failure if it never did.
   */
  async final(deadline: Promise<"timeout">): Promise<SluiceError | undefined> {
    for (;;) {
      const error = await this.commit().then(
        () => undefined,
        (e: unknown) =>
          e instanceof SluiceError
            ? e
            : new SluiceError(ErrorCode.SOURCE_FAILED, `final commit: ${describeError(e)}`, { cause: e }),
      );
      if (error === undefined) return undefined;
      this.logger.warn({ err: describeError(error), code: error.code }, "final offset commit failed");
      if (error.code === ErrorCode.OFFSETS_REASSIGNED) return error;
      const pause = new Promise<void>((resolve) => setTimeout(resolve, 250));
      if ((await Promise.race([deadline, pause])) === "timeout") return error;
    }
  }

  private onInterval(): Promise<void> {
    this.intervalCommit ??= this.commit()
      .catch((error: unknown) =>
        this.logger.warn({ err: describeError(error) }, "offset commit failed; will retry"),
      )
      .finally(() => {
        this.intervalCommit = undefined;
      });
    return this.intervalCommit;
  }

  private async commitSettled(): Promise<void> {
    const due = this.partitions.due();
    if (due.offsets.length > 0) {
      await this.source.commit(
        due.offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
      );
      if (this.partitions.committed(due))
        for (const { topic, partition, offset } of due.offsets)
          this.metrics.committedOffset.set({ topic, partition: String(partition) }, Number(offset));
    }
    const reassigned = this.partitions.reassignedError();
    if (reassigned) throw reassigned;
  }
}
