// SLUICE_EXIT_WHEN_IDLE_MS: resolve once this member holds its partitions, the whole group has committed
// to the end of every partition of its topics, nothing is in flight, and no record arrived for idleMs.
import type { Pipeline } from "@sluice/core";
import type { KafkaSource } from "@sluice/source-kafka";

export interface IdleOptions {
  idleMs: number;
  /** How often to look (ms). Default idleMs / 4, between 100 and 1000. */
  pollMs?: number;
  /** Called on each look with the group's uncommitted records, for progress lines. */
  onPoll?: (backlog: number) => void;
}

/**
 * The backlog is the group's, not this member's: while a member killed a moment ago still owns
 * partitions with records left (its session has not expired, the rebalance has not settled), the
 * backlog is not 0 and this is not idleness.
 */
export async function untilIdle(
  pipeline: Pipeline,
  source: KafkaSource,
  options: IdleOptions,
): Promise<void> {
  const pollMs = options.pollMs ?? Math.min(1000, Math.max(100, Math.floor(options.idleMs / 4)));
  const startedAt = Date.now();
  let quietSince: number | undefined;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    if (pipeline.currentState !== "running") return;
    const health = pipeline.health();
    const detail = health.detail as {
      source: { detail: { state: string; assignment: Record<string, number[]> } };
      inFlight: { events: number };
    };
    let backlog = Number.POSITIVE_INFINITY;
    try {
      backlog = (await source.backlog()).total;
    } catch {
      // Kafka unreachable for a moment: not idle.
    }
    options.onPoll?.(backlog);
    const lastRecordAt = source.lastBatchAt ?? startedAt;
    // A member whose join is still pending reads nothing yet: the group's backlog may well be 0 meanwhile.
    const holdsPartitions = Object.values(detail.source.detail.assignment).some((p) => p.length > 0);
    const settled =
      detail.source.detail.state === "running" &&
      holdsPartitions &&
      detail.inFlight.events === 0 &&
      backlog === 0 &&
      Date.now() - lastRecordAt >= options.idleMs;
    if (!settled) {
      quietSince = undefined;
      continue;
    }
    quietSince ??= Date.now();
    // The conditions must hold for a whole idle period, so one lucky look does not end the run.
    if (Date.now() - quietSince >= options.idleMs) return;
  }
}
