// What migrate writes beyond the seeds: Logstash conditionals and Vector routes as specs that decide as the
// plan does, conditions kept as text that parses back the same, credentials of every kind left out.
import { type Batch, eventOf, type SluiceEvent, type Stage } from "@sluice/core";
import { lastValueFrom, type Observable, of } from "rxjs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { migratePlan } from "../../src/index.ts";
import { parseConditionText } from "../../src/logstash/plan/condition-text.ts";
import { conditionText } from "../../src/logstash/plan/predicate.ts";
import { planOf } from "../logstash/plan-helpers.ts";
import { plan as vectorPlan } from "../vector/helpers.ts";
import { buildSpec, conditionOf } from "./specs.ts";

async function run(
  stages: readonly Stage[],
  docs: readonly Record<string, unknown>[],
): Promise<SluiceEvent[]> {
  const batch: Batch = docs.map((doc, i) =>
    eventOf(Buffer.from(JSON.stringify(doc)), { origin: { topic: "t", offset: String(i) } }),
  );
  let stream: Observable<Batch> = of(batch);
  for (const stage of stages) stream = stream.pipe(stage);
  return lastValueFrom(stream);
}

const values = (events: readonly SluiceEvent[]) =>
  events.map((event) => {
    if (!event.ok) return "failed";
    const { "@timestamp": _t, ...rest } = event.value as Record<string, unknown>;
    return rest;
  });

const OUT = `output { elasticsearch { hosts => ["http://es:9200"] index => "logs" } }`;

describe("Logstash conditionals", () => {
  const config = `input { kafka { codec => json auto_offset_reset => "earliest" } }
filter {
  if [level] == "debug" { mutate { add_tag => ["debug"] } }
  else if [level] in ["warn", "error"] and [app] =~ /^api/ { mutate { add_field => { "alert" => "yes" } } }
  else { json { source => "payload" add_tag => ["parsed"] } }
}
${OUT}`;

  it("become nested when/then/else blocks with the conditions as written", () => {
    const specs = planOf(config).pipelines[0]!.stageSpecs!;
    expect(specs[1]).toEqual({
      when: { logstash: '[level] == "debug"' },
      // biome-ignore lint/suspicious/noThenProperty: the config's conditional block names its stages `then`.
      then: [{ mutate: { add_tag: ["debug"] } }],
      else: [
        {
          when: { logstash: '([level] in ["warn", "error"] and [app] =~ /^api/)' },
          // biome-ignore lint/suspicious/noThenProperty: the config's conditional block names its stages `then`.
          then: [{ mutate: { add_field: ["alert", "yes"] } }],
          else: [{ logstashJson: { source: "payload", add_tag: ["parsed"] } }],
        },
      ],
    });
  });

  it("built back from the specs, run each event through the clause the plan's stages run it through", async () => {
    const pipeline = planOf(config).pipelines[0]!;
    const docs = [
      { level: "debug" },
      { level: "warn", app: "api-gw" },
      { level: "warn", app: "web" },
      { level: "info", payload: '{"x":1}' },
      { level: "info", payload: "{" },
    ];
    const planned = values(await run(pipeline.stages, docs));
    expect(values(await run(pipeline.stageSpecs!.map(buildSpec), docs))).toEqual(planned);
    const [debug, alert, web, parsed, failed] = planned as Array<Record<string, unknown>>;
    expect([debug!.tags, alert!.alert, web!.alert, web!.tags, parsed!.tags, parsed!.x, failed]).toEqual([
      ["debug"],
      "yes",
      undefined,
      undefined,
      ["parsed"],
      1,
      "failed",
    ]);
  });

  it("are printed in the config as they are planned", () => {
    const text = migratePlan(planOf(config));
    const stages = (parse(text) as { pipelines: Array<{ stages: unknown[] }> }).pipelines[0]!.stages;
    expect(stages).toEqual(planOf(config).pipelines[0]!.stageSpecs);
  });

  it.each([
    '[a] == "x"',
    "[a][b] != 1.5",
    '"x" not in [tags]',
    '[a] in ["x", "y"]',
    "[a] =~ /^x\\.y$/",
    "![a]",
    '!([a] == "x")',
    '([a] and ([b] or [@metadata][kafka][topic] == "t"))',
  ])("keep %s as text that Logstash's grammar reads back the same", (text) => {
    const condition = parseConditionText(text);
    expect(conditionText(parseConditionText(conditionText(condition)))).toBe(conditionText(condition));
  });

  it("guard each output with its clause, earlier clauses negated", () => {
    const plan = planOf(`input { kafka { auto_offset_reset => "earliest" } }
output {
  if [a] == "1" { elasticsearch { hosts => ["http://es:9200"] index => "one" } }
  else { elasticsearch { hosts => ["http://es:9200"] index => "other" } }
}`);
    const [one, other] = plan.pipelines[0]!.targets;
    expect(one!.whenSpec).toEqual({ logstash: '[a] == "1"' });
    expect(other!.whenSpec).toEqual({ logstash: '!([a] == "1")' });
    for (const a of ["1", "2"]) {
      const event = eventOf<unknown>({ a });
      expect(conditionOf(one!.whenSpec!)(event)).toBe(one!.when!(event));
      expect(conditionOf(other!.whenSpec!)(event)).toBe(other!.when!(event));
    }
  });
});

describe("Vector routes and filters", () => {
  const config = `sources:
  in:
    type: kafka
    bootstrap_servers: "kafka:9092"
    group_id: g
    topics: [logs]
    decoding: { codec: json }
transforms:
  keep:
    type: filter
    inputs: [in]
    condition: '.level != "debug"'
  split:
    type: route
    inputs: [keep]
    route:
      errors: '.level == "error"'
      fallible: 'upcase!(.code) == "HIGH"'
sinks:
  errors:
    type: elasticsearch
    inputs: [split.errors]
    endpoints: ["http://es:9200"]
    bulk: { index: errors }
  rest:
    type: elasticsearch
    inputs: [split._unmatched]
    endpoints: ["http://es:9200"]
    bulk: { index: rest }
`;

  it("write the shared filter as a filter stage and each route as its target's condition", () => {
    const pipeline = vectorPlan(config).pipelines[0]!;
    expect(pipeline.stageSpecs!.map((spec) => Object.keys(spec)[0])).toEqual([
      "vectorKafkaEvent",
      "remap",
      "filter",
    ]);
    expect(pipeline.stageSpecs![2]).toEqual({ filter: { condition: '.level != "debug"' } });
    expect(pipeline.targets.map((t) => t.whenSpec)).toEqual([
      '.level == "error"',
      expect.stringMatching(/^!\(.*\|\|.*\)$/s),
    ]);
  });

  it("decide, from the condition texts alone, as the plan's targets and filter do", async () => {
    const pipeline = vectorPlan(config).pipelines[0]!;
    const docs = [
      { level: "error" },
      { level: "info", code: "high" },
      { level: "info", code: 5 },
      { level: "info" },
      { level: "debug" },
    ];
    const planned = await run(pipeline.stages, docs);
    const rebuilt = await run(pipeline.stageSpecs!.map(buildSpec), docs);
    expect(rebuilt.map((e) => e.dropped)).toEqual(planned.map((e) => e.dropped));
    for (const target of pipeline.targets) {
      const when = conditionOf(target.whenSpec!);
      const decisions = planned.map((event) => target.when!(event));
      expect(
        planned.map((event) => when(event)),
        target.name,
      ).toEqual(decisions);
    }
    const rest = pipeline.targets[1]!;
    expect(planned.map((event) => rest.when!(event))).toEqual([false, false, true, true, true]);
    expect(planned.map((event) => event.dropped)).toEqual([false, false, false, false, true]);
  });
});

describe("credentials", () => {
  it("become one variable per distinct value: passwords, API keys and passwords in URLs", () => {
    const plan = vectorPlan(`sources:
  in: { type: kafka, bootstrap_servers: "kafka:9092", group_id: g, topics: [logs] }
sinks:
  a:
    type: elasticsearch
    inputs: [in]
    endpoints: ["https://es:9200"]
    auth: { strategy: basic, user: u, password: "first-secret" }
    bulk: { index: a }
  b:
    type: elasticsearch
    inputs: [in]
    endpoints: ["https://es:9200"]
    auth: { strategy: basic, user: u, password: "first-secret" }
    bulk: { index: b }
  c:
    type: elasticsearch
    inputs: [in]
    endpoints: ["https://user:url-secret@es2:9200"]
    request: { headers: { Authorization: "ApiKey key-secret" } }
    bulk: { index: c }
`);
    for (const ts of [false, true]) {
      const text = migratePlan(plan, { ts });
      for (const secret of ["first-secret", "url-secret", "key-secret"]) expect(text).not.toContain(secret);
      expect(text).toMatch(
        /ES_PASSWORD: pipelines\[0\]\.targets\[0\]\.elasticsearch\.auth\.password, pipelines\[0\]\.targets\[1\]/,
      );
      expect(text).toContain("ES_URL_PASSWORD: pipelines[0].targets[2].elasticsearch.node");
      expect(text).toContain("ES_API_KEY: pipelines[0].targets[2].elasticsearch.auth.apiKey");
    }
    const config = parse(migratePlan(plan)) as {
      pipelines: Array<{ targets: Array<{ elasticsearch: Record<string, unknown> }> }>;
    };
    const sinks = config.pipelines[0]!.targets.map((t) => t.elasticsearch);
    expect(sinks[2]!.node).toBe(`https://user:\${ES_URL_PASSWORD}@es2:9200`);
    expect(sinks[2]!.auth).toEqual({ apiKey: `\${ES_API_KEY}` });
  });

  it("leave a `${` the config holds as a literal `$${`, so the loader does not read it as a variable", () => {
    const plan = planOf(`input { kafka { auto_offset_reset => "earliest" } }
filter { mutate { add_field => { "note" => "costs \${PRICE}" } } }
${OUT}`);
    const text = migratePlan(plan);
    expect(text).toContain(`costs $\${PRICE}`);
  });
});

describe("what a config cannot say as the plan does", () => {
  it("a data stream named per event without field sync becomes the template, with a comment saying how it differs", () => {
    const plan = planOf(`input { kafka { auto_offset_reset => "earliest" } }
output { elasticsearch { hosts => ["http://es:9200"] data_stream => "true" data_stream_sync_fields => false } }`);
    expect(typeof plan.pipelines[0]!.targets[0]!.sink.index).toBe("function");
    const text = migratePlan(plan);
    const config = parse(text) as {
      pipelines: Array<{ targets: Array<{ elasticsearch: { index: string } }> }>;
    };
    expect(config.pipelines[0]!.targets[0]!.elasticsearch.index).toBe(
      "%{[data_stream][type]}-%{[data_stream][dataset]}-%{[data_stream][namespace]}",
    );
    expect(text).toMatch(/# sluice migrate: the plan names this data stream per event/);
  });

  it("a plan whose stages were built without specs is refused with SLUICE_ERR_CONFIG", () => {
    const plan = planOf(`input { kafka { auto_offset_reset => "earliest" } } ${OUT}`);
    const { stageSpecs: _specs, ...bare } = plan.pipelines[0]!;
    expect(() => migratePlan({ ...plan, pipelines: [bare] })).toThrow(
      expect.objectContaining({ code: "SLUICE_ERR_CONFIG" }),
    );
  });
});
