// Keeps a source's commits from taking the group's offsets back: what it committed, per partition.
//
// A commit computed before a rejoin can reach the broker after it: kafkajs sends it with the new
// generation, so it is accepted, possibly after the new generation read its start offsets. That generation
// then re-reads from below the commit, and its own commits would move the group's offset back.

export interface PartitionOffset {
  topic: string;
  partition: number;
  /** Kafka's committed offset: the next one to read. */
  offset: string;
}

export class CommitGuard {
  private readonly highest = new Map<string, number>();

  /** The offsets beyond what this source committed already on their partition. */
  ahead<T extends PartitionOffset>(offsets: readonly T[]): T[] {
    return offsets.filter((o) => Number(o.offset) > (this.highest.get(key(o)) ?? -1));
  }

  /** Notes offsets the broker accepted. */
  committed(offsets: readonly PartitionOffset[]): void {
    for (const o of offsets)
      this.highest.set(key(o), Math.max(Number(o.offset), this.highest.get(key(o)) ?? -1));
  }
}

const key = (o: PartitionOffset) => `${o.topic}/${o.partition}`;
