// --exit-when-idle-ms: a batch run that ends once the group has caught up, for jobs and tests.
import type { BuiltPipeline } from "./components.js";

/** The options of `untilIdle`. */
export interface IdleOptions {
  /** How long every condition must hold before the run counts as idle (ms). */
  readonly idleMs: number;
  /** How often to look (ms). Default idleMs / 4, between 100 and 1000. */
  readonly pollMs?: number;
  /** Resolves the wait early (the run stopped for another reason). */
  readonly signal?: AbortSignal;
}

interface SourceDetail {
  source?: { detail?: { state?: string; assignment?: Record<string, number[]> } };
  inFlight?: { events?: number };
}

/**
 * Resolves once every pipeline `current()` returns holds partitions, has nothing in flight, its group has
 * committed to the end of every partition of its topics, and no record arrived, all for a whole `idleMs`.
 * The backlog is the group's, not this member's: while a member killed a moment ago still owns partitions
 * with records left, the backlog is not 0 and this is not idleness. `current()` is read on every look, so
 * a reload's new pipelines are the ones judged.
 */
export async function untilIdle(
  current: () => readonly BuiltPipeline[],
  options: IdleOptions,
): Promise<void> {
  const pollMs = options.pollMs ?? Math.min(1000, Math.max(100, Math.floor(options.idleMs / 4)));
  const startedAt = Date.now();
  let quietSince: number | undefined;
  while (!options.signal?.aborted) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      options.signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const members = current();
    const quietNow = await Promise.all(members.map((member) => quiet(member, startedAt, options.idleMs)));
    if (members.length === 0 || !quietNow.every(Boolean)) {
      quietSince = undefined;
      continue;
    }
    quietSince ??= Date.now();
    // The conditions must hold for a whole idle period, so one lucky look does not end the run.
    if (Date.now() - quietSince >= options.idleMs) return;
  }
}

async function quiet(member: BuiltPipeline, startedAt: number, idleMs: number): Promise<boolean> {
  if (member.pipeline.currentState !== "running") return false;
  const detail = (member.pipeline.health().detail ?? {}) as SourceDetail;
  const source = detail.source?.detail;
  // A member whose join is still pending reads nothing yet: the group's backlog may well be 0 meanwhile.
  const holdsPartitions = Object.values(source?.assignment ?? {}).some((partitions) => partitions.length > 0);
  if (source?.state !== "running" || !holdsPartitions || (detail.inFlight?.events ?? 1) !== 0) return false;
  if (Date.now() - (member.source.lastBatchAt ?? startedAt) < idleMs) return false;
  try {
    return (await member.source.backlog()).total === 0;
  } catch {
    // Kafka unreachable for a moment: not idle.
    return false;
  }
}
