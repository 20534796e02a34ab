// The round trip: a migrated config, read back by loadSluiceConfig, plans what the original planned — the
// same sources, targets and routing, and stages that make the same documents from the same records.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadLogstash, loadVector, type Plan, planLogstash, planVector } from "../../src/index.ts";
import { migratePlan } from "../../src/migrate/migrate.ts";
import { loadSluiceConfig } from "../../src/sluice/load.ts";
import { run } from "../vector/helpers.ts";

const seed = (name: string) =>
  fileURLToPath(new URL(`../../../../test/fixtures/seed/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "sluice-migrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = [
  JSON.stringify({ "@timestamp": 1732492800.001, log: "saw @timestamp here", kubernetes: { pod_name: "p" } }),
  JSON.stringify({ "@timestamp": "not a time", log: "x" }),
  "not json",
];

async function documents(plan: Plan, index: number, topic: string): Promise<unknown[]> {
  const events = await run(plan.pipelines[index]!, topic, ...records);
  const targets = plan.pipelines[index]!.targets;
  return events.map((event) => {
    if (!event.ok) return { failed: event.failure?.type };
    // @timestamp is the time of the run where the config takes the read or processing time.
    const { "@timestamp": _time, ...rest } = event.value as Record<string, unknown>;
    return {
      value: rest,
      metadata: event.metadata,
      to: targets.filter((t) => t.when === undefined || t.when(event)).map((t) => t.name),
    };
  });
}

async function roundTrip(original: Plan, password: string, name: string): Promise<Plan> {
  const file = join(dir, name);
  writeFileSync(file, migratePlan(original));
  return loadSluiceConfig(file, { env: { ES_PASSWORD: password } });
}

describe.each([
  {
    form: "Logstash Helm values",
    plan: () => planLogstash(loadLogstash([seed("logstash-values.yaml")])),
    password: "0OWj4D54GTH3xK06f9Gg01Zk",
  },
  {
    form: "Vector ConfigMap",
    plan: () => planVector(loadVector(seed("vector-configmap.yaml"))),
    password: "8QZJ656ax3TXZqQh205l3Ee0",
  },
])("sluice migrate, then sluice run, on the seed's $form", ({ plan, password, form }) => {
  it("reads back the same sources, targets and sinks", async () => {
    const original = plan();
    const back = await roundTrip(original, password, `${form}.yaml`);
    expect(back.pipelines.map((p) => p.name)).toEqual(original.pipelines.map((p) => p.name));
    for (const [i, pipeline] of original.pipelines.entries()) {
      const read = back.pipelines[i]!;
      expect(read.source).toMatchObject(pipeline.source);
      expect(read.targets.map((t) => t.name)).toEqual(pipeline.targets.map((t) => t.name));
      for (const [j, target] of pipeline.targets.entries())
        expect(read.targets[j]!.sink).toMatchObject(target.sink);
      expect(read.unrouted).toBe(pipeline.unrouted);
      expect(read.stages).toHaveLength(pipeline.stages.length);
    }
  });

  it("builds stages that make the same documents, routed to the same targets", async () => {
    const original = plan();
    const back = await roundTrip(original, password, `${form}-docs.yaml`);
    for (const [i, pipeline] of original.pipelines.entries()) {
      const topic = String((pipeline.source.topics as string[])[0]);
      expect(await documents(back, i, topic), pipeline.name).toEqual(await documents(original, i, topic));
    }
  });
});
