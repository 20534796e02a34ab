// Consumer lag for the partitions this member holds, in two measures: the group's, as Kafka exporters
// report it (the high watermark minus the committed offset), and the fetch lag, as Java's consumer
// reports it (the high watermark minus the next offset to read). The cluster is asked on an interval,
// so both move while the source is paused; batches and commits update them between looks; a partition
// taken away loses its series.
import type { PipelineMetrics } from "@sluice/core";
import type { Admin } from "kafkajs";
import { Gauge } from "prom-client";

/** kafka_exporter's name and labels, which dashboards and alerts for Kafka consumers already use. */
const GROUP_LAG = "kafka_consumergroup_lag";

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

interface Offsets {
  /** The committed offset and the partition's log start (both answer "where the group resumes"). */
  committed?: number;
  logStart?: number;
  high?: number;
  /** The next offset to read: after the last record handed on. */
  next?: number;
}

/** The group's lag of one partition: from the log start where it has committed nothing. */
const groupLagOf = (high: number, committed: number, logStart: number) =>
  Math.max(0, high - (committed >= 0 ? committed : logStart));

/** Per partition of `topics`: the high watermark, the group's committed offset (-1: none) and the log start. */
async function partitionOffsets(admin: Admin, groupId: string, topics: string[]) {
  const [committed, ends] = await Promise.all([
    admin.fetchOffsets({ groupId, topics }),
    Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic))),
  ]);
  return topics.flatMap((topic, i) => {
    const done = new Map(
      (committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [
        p.partition,
        Number(p.offset),
      ]),
    );
    return ends[i]!.map(({ partition, high, low }) => ({
      topic,
      partition,
      high: Number(high),
      low: Number(low),
      committed: done.get(partition) ?? -1,
    }));
  });
}

/** The group's lag per partition of `topics`, never below 0. */
export async function groupLag(admin: Admin, groupId: string, topics: string[]): Promise<PartitionLag[]> {
  return (await partitionOffsets(admin, groupId, topics)).map(
    ({ topic, partition, high, low, committed }) => ({
      topic,
      partition,
      lag: groupLagOf(high, committed, low),
    }),
  );
}

export class ConsumerLag {
  private readonly gauge: Gauge<"consumergroup" | "topic" | "partition">;
  /** The partitions this member holds ("topic/partition"), with what is known of their offsets. */
  private held = new Map<string, Offsets>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly admin: () => Promise<Admin>,
    private readonly groupId: string,
    private readonly metrics: PipelineMetrics,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.gauge =
      (metrics.registry.getSingleMetric(GROUP_LAG) as
        | Gauge<"consumergroup" | "topic" | "partition">
        | undefined) ??
      new Gauge({
        name: GROUP_LAG,
        help: "Records of a partition this member holds that its group has not committed: the high watermark minus the committed offset",
        labelNames: ["consumergroup", "topic", "partition"],
        registers: [metrics.registry],
      });
  }

  start(): void {
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
    this.timer.unref();
  }

  /** A new assignment: the series of partitions no longer held go at once, the new ones come at the next look. */
  assign(assignment: Record<string, number[]>): void {
    const next = new Map<string, Offsets>();
    for (const [topic, partitions] of Object.entries(assignment))
      for (const partition of partitions) {
        const key = `${topic}/${partition}`;
        // A partition kept keeps its offsets, except the next to read: a new generation reads from the commit.
        const known = this.held.get(key);
        next.set(key, known ? { ...known, next: undefined } : {});
      }
    for (const key of this.held.keys()) if (!next.has(key)) this.remove(key);
    this.held = next;
    void this.refresh();
  }

  /** Records up to `next` (exclusive) were handed on; the partition's high watermark was `high`. */
  fetched(topic: string, partition: number, next: number, high: number): void {
    const offsets = this.held.get(`${topic}/${partition}`);
    if (!offsets) return;
    offsets.next = next;
    offsets.high = Math.max(high, offsets.high ?? high);
    this.publish(topic, partition, offsets);
  }

  /** The group's offset of a partition is now `offset`. */
  committed(topic: string, partition: number, offset: number): void {
    const offsets = this.held.get(`${topic}/${partition}`);
    if (!offsets) return;
    offsets.committed = Math.max(offset, offsets.committed ?? offset);
    this.publish(topic, partition, offsets);
  }

  /** Asks the cluster for the offsets of the held partitions; one look at a time. */
  refresh(): Promise<void> {
    this.refreshing ??= this.look().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  stop(): void {
    clearInterval(this.timer);
    this.assign({});
  }

  private async look(): Promise<void> {
    const topics = [...new Set([...this.held.keys()].map((key) => key.slice(0, key.lastIndexOf("/"))))];
    if (topics.length === 0) return;
    let found: Awaited<ReturnType<typeof partitionOffsets>>;
    try {
      found = await partitionOffsets(await this.admin(), this.groupId, topics);
    } catch (error) {
      this.onError(error);
      return;
    }
    // The assignment may have changed during the look: only partitions still held get a value.
    for (const { topic, partition, high, low, committed } of found) {
      const offsets = this.held.get(`${topic}/${partition}`);
      if (!offsets) continue;
      offsets.high = Math.max(high, offsets.high ?? high);
      offsets.logStart = low;
      offsets.committed = Math.max(committed, offsets.committed ?? committed);
      this.publish(topic, partition, offsets);
    }
  }

  private publish(topic: string, partition: number, offsets: Offsets): void {
    const { high, committed, logStart, next } = offsets;
    if (high === undefined) return;
    const labels = { topic, partition: String(partition) };
    if (committed !== undefined && (committed >= 0 || logStart !== undefined))
      this.gauge.set({ consumergroup: this.groupId, ...labels }, groupLagOf(high, committed, logStart ?? 0));
    // Before its first batch a partition is read from where the group resumes.
    const from = next ?? (committed !== undefined && committed >= 0 ? committed : logStart);
    if (from !== undefined) this.metrics.consumerLag.set(labels, Math.max(0, high - from));
  }

  private remove(key: string): void {
    const slash = key.lastIndexOf("/");
    const labels = { topic: key.slice(0, slash), partition: key.slice(slash + 1) };
    this.gauge.remove({ consumergroup: this.groupId, ...labels });
    this.metrics.consumerLag.remove(labels);
  }
}
