// Consumer lag as Kafka exporters report it: for each partition this member holds, the high watermark
// minus the group's committed offset, asked of the cluster on an interval, so it moves while the source
// is paused and a partition taken away loses its series.
import type { PipelineMetrics } from "@sluice/core";
import type { Admin } from "kafkajs";
import { Gauge } from "prom-client";

/** kafka_exporter's name and labels, which dashboards and alerts for Kafka consumers already use. */
const LAG = "kafka_consumergroup_lag";

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/**
 * Per partition of `topics`: the high watermark minus the group's committed offset (minus the log start
 * where the group has committed nothing), never below 0.
 */
export async function groupLag(admin: Admin, groupId: string, topics: string[]): Promise<PartitionLag[]> {
  const [committed, ends] = await Promise.all([
    admin.fetchOffsets({ groupId, topics }),
    Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic))),
  ]);
  const lags: PartitionLag[] = [];
  topics.forEach((topic, i) => {
    const done = new Map(
      (committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [
        p.partition,
        Number(p.offset),
      ]),
    );
    for (const { partition, high, low } of ends[i]!) {
      const next = done.get(partition) ?? -1;
      lags.push({ topic, partition, lag: Math.max(0, Number(high) - (next >= 0 ? next : Number(low))) });
    }
  });
  return lags;
}

export class ConsumerLag {
  private readonly gauge: Gauge<"consumergroup" | "topic" | "partition">;
  /** The partitions this member holds, by topic. */
  private held: Record<string, number[]> = {};
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
      (metrics.registry.getSingleMetric(LAG) as Gauge<"consumergroup" | "topic" | "partition"> | undefined) ??
      new Gauge({
        name: LAG,
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
    const kept = new Set(Object.entries(assignment).flatMap(([t, ps]) => ps.map((p) => `${t}/${p}`)));
    for (const [topic, partitions] of Object.entries(this.held))
      for (const partition of partitions)
        if (!kept.has(`${topic}/${partition}`)) this.remove(topic, partition);
    this.held = assignment;
    void this.refresh();
  }

  /** Asks the cluster for the lag of the held partitions; one look at a time. */
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
    const topics = Object.keys(this.held).filter((t) => (this.held[t]?.length ?? 0) > 0);
    if (topics.length === 0) return;
    let lags: PartitionLag[];
    try {
      lags = await groupLag(await this.admin(), this.groupId, topics);
    } catch (error) {
      this.onError(error);
      return;
    }
    // The assignment may have changed during the look: only partitions still held get a value.
    for (const { topic, partition, lag } of lags) {
      if (!this.held[topic]?.includes(partition)) continue;
      this.gauge.set({ consumergroup: this.groupId, topic, partition: String(partition) }, lag);
      this.metrics.consumerLag.set({ topic, partition: String(partition) }, lag);
    }
  }

  private remove(topic: string, partition: number): void {
    this.gauge.remove({ consumergroup: this.groupId, topic, partition: String(partition) });
    this.metrics.consumerLag.remove({ topic, partition: String(partition) });
  }
}
