// Test helpers: a pipeline from config text, and a planned pipeline's stages run on events.
import { type Batch, eventOf, type SluiceEvent, type Stage } from "@sluice/core";
import { lastValueFrom, type Observable, of } from "rxjs";
import { type LogstashConfig, type Plan, parseLogstashConfig, planLogstash } from "../../src/index.ts";
import { expectSpecs } from "../migrate/specs.ts";

/** The config text as Logstash's one pipeline `main`, in file `t.conf`. */
export function configOf(text: string, settings: Record<string, unknown> = {}): LogstashConfig {
  const parsed = parseLogstashConfig(text, { file: "t.conf" });
  const of = (kind: string) => parsed.sections.filter((s) => s.kind === kind).flatMap((s) => s.body);
  return {
    form: "files",
    pipelines: [
      {
        id: "main",
        texts: [parsed],
        inputs: of("input"),
        filters: of("filter"),
        outputs: of("output"),
        settings,
        notices: [],
      },
    ],
  };
}

/** Plans the config text; every plan keeps one spec per stage, for `sluice migrate`. */
export function planOf(text: string, settings?: Record<string, unknown>): Plan {
  return expectSpecs(planLogstash(configOf(text, settings)));
}

/** Runs the stages on events of the records' bytes (topic `topic`), as the pipeline would. */
export async function runStages(
  stages: readonly Stage[],
  records: ReadonlyArray<string | Record<string, unknown>>,
  topic = "test",
): Promise<SluiceEvent[]> {
  const batch: Batch = records.map((record, i) =>
    eventOf(Buffer.from(typeof record === "string" ? record : JSON.stringify(record)), {
      origin: { topic, offset: String(i) },
    }),
  );
  let stream: Observable<Batch> = of(batch);
  for (const stage of stages) stream = stream.pipe(stage);
  return lastValueFrom(stream);
}

/** A document without the fields that hold the time it was read. */
export function withoutReadTime(value: unknown): Record<string, unknown> {
  const { "@timestamp": _t, ...rest } = value as Record<string, unknown>;
  return rest;
}
