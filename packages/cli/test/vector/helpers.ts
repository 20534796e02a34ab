// Shared by the Vector plan tests: plan a config text and run a planned pipeline's stages on records.
import { eventOf, type SluiceEvent, type Stage } from "@sluice/core";
import { lastValueFrom, type Observable, of } from "rxjs";
import type { Plan, PlannedPipeline } from "../../src/plan.js";
import { VectorConfigError } from "../../src/vector/errors.js";
import { parseVector } from "../../src/vector/load.js";
import { planVector } from "../../src/vector/plan.js";
import { expectSpecs } from "../migrate/specs.ts";

/** The plan of `text`, read as the file `file` (its extension picks TOML); it keeps one spec per stage, for `sluice migrate`. */
export function plan(text: string, file = "vector.yaml"): Plan {
  return expectSpecs(planVector(parseVector(text, file)));
}

/** The error planning `text` fails with. */
export function refusal(text: string, file = "vector.yaml"): VectorConfigError {
  try {
    plan(text, file);
  } catch (error) {
    if (error instanceof VectorConfigError) return error;
    throw error;
  }
  throw new Error("the config was planned, not refused");
}

/** Runs `pipeline`'s stages on Kafka records holding `payloads`, read from `topic`. */
export async function run(
  pipeline: PlannedPipeline,
  topic: string,
  ...payloads: string[]
): Promise<SluiceEvent[]> {
  const batch = payloads.map((payload, i) =>
    eventOf<unknown>(Buffer.from(payload), { origin: { topic, offset: String(i) } }),
  );
  let stream: Observable<SluiceEvent[]> = of(batch);
  for (const stage of pipeline.stages) stream = stream.pipe(stage as Stage<unknown, unknown>);
  return lastValueFrom(stream);
}

/** A minimal config: one kafka source into one elasticsearch sink, with `sink` and `source` lines added. */
export function config(extra: { source?: string; sink?: string; transforms?: string } = {}): string {
  return `sources:
  in:
    type: kafka
    bootstrap_servers: "kafka:9092"
    group_id: g
    topics: [logs]
${extra.source ?? ""}${extra.transforms === undefined ? "" : `transforms:\n${extra.transforms}`}sinks:
  es:
    type: elasticsearch
    inputs: [${extra.transforms === undefined ? "in" : "last"}]
    endpoints: ["http://es:9200"]
${extra.sink ?? "    bulk:\n      index: logs\n"}`;
}
