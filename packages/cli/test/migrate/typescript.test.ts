// The TypeScript programs `sluice migrate --ts` prints for both seeds type-check against the packages, with the repository's settings.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { loadLogstash, loadVector, migratePlan, planLogstash, planVector } from "../../src/index.ts";
import { planOf } from "../logstash/plan-helpers.ts";
import { plan as vectorPlan } from "../vector/helpers.ts";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const out = fileURLToPath(new URL("./.out/", import.meta.url));
const seed = (name: string) => `${root}test/fixtures/seed/${name}`;

/** The diagnostics of type-checking `files` with the repository's tsconfig.json options. */
function typeCheck(files: readonly string[]): string[] {
  const config = ts.readConfigFile(`${root}tsconfig.json`, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

describe("sluice migrate --ts", () => {
  // Generated programs are not the repository's code: biome and the type check of the tree must not meet them.
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("prints programs for both seeds that type-check", () => {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const programs = {
      "logstash.ts": migratePlan(planLogstash(loadLogstash([seed("logstash-values.yaml")])), { ts: true }),
      "vector.ts": migratePlan(planVector(loadVector(seed("vector-configmap.yaml"))), { ts: true }),
    };
    for (const [name, text] of Object.entries(programs)) writeFileSync(`${out}${name}`, text);
    expect(typeCheck(Object.keys(programs).map((name) => `${out}${name}`))).toEqual([]);
  }, 120_000);

  it("prints programs with conditional blocks, filters, routes and CLI stages that type-check", () => {
    mkdirSync(out, { recursive: true });
    const programs = {
      "blocks.ts": migratePlan(
        planOf(`input { kafka { codec => json decorate_events => extended auto_offset_reset => "earliest" } }
filter {
  if [level] == "debug" { mutate { add_tag => ["debug"] } }
  else if [app] =~ /^api/ { date { match => ["ts", "ISO8601"] } }
  else { json { source => "payload" add_tag => ["parsed"] } }
}
output {
  if [level] == "error" { elasticsearch { hosts => ["https://es:9200"] api_key => "id:key" data_stream => "true" } }
  else { elasticsearch { hosts => ["http://es:9200"] index => "rest" } }
}`),
        { ts: true },
      ),
      "routes.ts": migratePlan(
        vectorPlan(`sources:
  in: { type: kafka, bootstrap_servers: "kafka:9092", group_id: g, topics: [logs] }
transforms:
  keep: { type: filter, inputs: [in], condition: '.level != "debug"' }
  split: { type: route, inputs: [keep], route: { errors: '.level == "error"' } }
sinks:
  errors: { type: elasticsearch, inputs: [split.errors], endpoints: ["http://es:9200"], bulk: { index: errors } }
  rest: { type: elasticsearch, inputs: [split._unmatched], endpoints: ["http://es:9200"], bulk: { index: rest } }
`),
        { ts: true },
      ),
    };
    for (const [name, text] of Object.entries(programs)) writeFileSync(`${out}${name}`, text);
    expect(programs["blocks.ts"]).toContain("conditionalStage(");
    expect(programs["routes.ts"]).toContain("filter<unknown>(");
    expect(typeCheck(Object.keys(programs).map((name) => `${out}${name}`))).toEqual([]);
  }, 120_000);

  it("prints a program that does not type-check when it is wrong (the check can fail)", () => {
    mkdirSync(out, { recursive: true });
    const broken = migratePlan(planVector(loadVector(seed("vector-configmap.yaml"))), { ts: true }).replace(
      "createPipeline({",
      "createPipeline({ nonsense: 1,",
    );
    writeFileSync(`${out}broken.ts`, broken);
    expect(typeCheck([`${out}broken.ts`]).join("\n")).toContain("nonsense");
  }, 120_000);
});
