// Wraps a stage to count events in, out, failed and dropped, and time its batches.
import { type Observable, tap } from "rxjs";
import type { Batch } from "./event.js";
import type { PipelineMetrics } from "./metrics.js";
import type { Stage } from "./stage.js";

interface Entry {
  at: number;
  failed: number;
  dropped: number;
}

function count(batch: Batch<unknown>): { ok: number; failed: number; dropped: number } {
  let ok = 0;
  let failed = 0;
  let dropped = 0;
  for (const event of batch) {
    if (event.failure) failed++;
    else if (event.dropped) dropped++;
    else ok++;
  }
  return { ok, failed, dropped };
}

export function meterStage(name: string, stage: Stage<unknown, unknown>, metrics: PipelineMetrics): Stage {
  const labels = { stage: name };
  const eventsIn = metrics.eventsIn.labels(labels);
  const eventsOut = metrics.eventsOut.labels(labels);
  const eventsFailed = metrics.eventsFailed.labels(labels);
  const eventsDropped = metrics.eventsDropped.labels(labels);
  const latency = metrics.batchLatency.labels(labels);
  // Stages are synchronous in the common case: the batch that went in is the one that comes out, so
  // its entry counts tell what this stage failed or dropped.
  const entries = new WeakMap<object, Entry>();
  return (source: Observable<Batch<unknown>>) =>
    stage(
      source.pipe(
        tap((batch) => {
          const c = count(batch);
          eventsIn.inc(c.ok);
          entries.set(batch, { at: performance.now(), failed: c.failed, dropped: c.dropped });
        }),
      ),
    ).pipe(
      tap((batch) => {
        const c = count(batch);
        eventsOut.inc(c.ok);
        const entry = entries.get(batch);
        if (entry) {
          if (c.failed > entry.failed) eventsFailed.inc(c.failed - entry.failed);
          if (c.dropped > entry.dropped) eventsDropped.inc(c.dropped - entry.dropped);
          latency.observe((performance.now() - entry.at) / 1000);
        }
      }),
    );
}
