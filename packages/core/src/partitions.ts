// The pipeline's side of acknowledgement: per source partition, what is in flight and what may commit.
import type { CommitOffset, SourceBatch } from "./components.js";
import { ErrorCode, SluiceError } from "./errors.js";
import type { FlowController } from "./flow.js";
import { PartitionProgress } from "./progress.js";

interface Due extends CommitOffset {
  readonly progress: PartitionProgress;
}

/** The offsets due for commit, with the generation they were taken in. */
export interface DueCommits {
  readonly generation: number;
  readonly offsets: readonly Due[];
}

/**
 * Opens a ticket per source batch, counts it in the flow, and tells which offsets may commit. Only the
 * current generation's progress moves commits: a rebalance makes every partition start over from what
 * the group committed.
 */
export class SourcePartitions {
  private progress = new Map<string, PartitionProgress>();
  private generation = 0;
  /** Partitions ("topic/partition") taken away while stopping with records settled and not committed. */
  private readonly reassigned = new Set<string>();
  /** Set once the pipeline stops fetching: what arrives later is never tracked, so never committed. */
  stopping = false;

  constructor(private readonly flow: FlowController) {}

  /** Gives every event of `batch` its ticket and returns the batch's raw bytes; -1 when it is ignored. */
  open(batch: SourceBatch<unknown>): number {
    const events = batch.events;
    const n = events.length;
    if (this.stopping || n === 0 || (batch.generation ?? 0) !== this.generation) return -1;
    const first = events[0]!.origin;
    const progress = this.progressFor(first.topic, first.partition);
    const ticket = progress.open(Number(first.offset), Number(events[n - 1]!.origin.offset), n);
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const event = events[i]!;
      event.ticket = ticket;
      bytes += event.raw.length;
    }
    this.flow.add(n, bytes);
    return bytes;
  }

  /**
   * A new generation: the old one's events settle but can no longer move commits. While stopping,
   * nothing is read again: a partition still held keeps its progress, so what settled commits with the
   * new generation, and one taken away with records settled and not committed is reported rather than
   * forgotten.
   */
  assigned(generation: number, assignment: Readonly<Record<string, readonly number[]>>): void {
    const old = this.progress;
    this.generation = generation;
    this.progress = new Map();
    if (!this.stopping) return;
    for (const [key, progress] of old) {
      const slash = key.lastIndexOf("/");
      const topic = key.slice(0, slash);
      if (assignment[topic]?.includes(Number(key.slice(slash + 1)))) this.progress.set(key, progress);
      else if (progress.takeCommit() !== undefined || progress.pendingEvents > 0) this.reassigned.add(key);
    }
  }

  /** Per partition, the offset to commit where it moved since the last commit. */
  due(): DueCommits {
    const offsets: Due[] = [];
    for (const progress of this.progress.values()) {
      const offset = progress.takeCommit();
      if (offset !== undefined)
        offsets.push({
          topic: progress.topic,
          partition: progress.partition,
          offset: String(offset),
          progress,
        });
    }
    return { generation: this.generation, offsets };
  }

  /** Records a commit the source took; false when a rebalance came in between, so it no longer counts. */
  committed(due: DueCommits): boolean {
    if (due.generation !== this.generation) return false;
    for (const { progress, offset } of due.offsets) progress.markCommitted(Number(offset));
    return true;
  }

  /** SLUICE_ERR_OFFSETS_REASSIGNED when a partition was taken away while stopping with settled records. */
  reassignedError(): SluiceError | undefined {
    if (this.reassigned.size === 0) return undefined;
    return new SluiceError(
      ErrorCode.OFFSETS_REASSIGNED,
      `finished records of ${[...this.reassigned].join(", ")} were not committed: a rebalance gave these partitions to another member, which reads them again from the last commit`,
    );
  }

  private progressFor(topic: string, partition: number): PartitionProgress {
    const key = `${topic}/${partition}`;
    let progress = this.progress.get(key);
    if (!progress) {
      progress = new PartitionProgress(topic, partition, this.flow);
      this.progress.set(key, progress);
    }
    return progress;
  }
}
