// deploy/observability checked against a running `sluice run`: every metric and label the alerts and the
// dashboard name is one a fan-out pipeline really exports, and both files have the shape their tools read.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { useSluice, waitForGroupAtEnd, waitForLine } from "../cli/helpers.js";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, repoRoot, useTestbed, waitFor } from "../pipeline/helpers.js";
import { type ExportedMetrics, exportedMetrics } from "./exposition.js";
import { metricProblems } from "./metric-check.js";

const RULE_FILE = join(repoRoot, "deploy/observability/prometheus-rule.yaml");
const DASHBOARD_FILE = join(repoRoot, "deploy/observability/grafana-dashboard.json");
const TOPICS = ["deploy-logs", "deploy-events"] as const;
const GROUP = "deploy-metrics";
const PER_TOPIC = 40;

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Panel {
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ expr: string; refId: string }>;
  panels?: Panel[];
}

const ruleDocument = () =>
  parse(readFileSync(RULE_FILE, "utf8")) as { spec: { groups: Array<{ name: string; rules: Rule[] }> } };
const dashboard = () =>
  JSON.parse(readFileSync(DASHBOARD_FILE, "utf8")) as {
    title: string;
    uid: string;
    schemaVersion: number;
    panels: Panel[];
    templating: { list: Array<{ name: string; type: string; query?: unknown }> };
  };

/** Grafana's variables as values PromQL can parse (each is inside a quoted matcher or a range). */
function grafanaExpanded(expr: string): string {
  return expr
    .replaceAll("$__rate_interval", "5m")
    .replaceAll("$__interval", "1m")
    .replace(/\$\{?\w+\}?/g, "x");
}

function panelsOf(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...panelsOf(panel.panels ?? [])]);
}

describe(`deploy/observability against sluice run's /metrics ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  const sluice = useSluice();
  const dir = mkdtempSync(join(tmpdir(), "sluice-deploy-metrics-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let scrape: string;
  let exported: ExportedMetrics;

  beforeAll(async () => {
    for (const topic of TOPICS) await bed.kafka.createTopic(topic, 2);
    const file = join(dir, "sluice.yaml");
    // Two targets make a fan-out, whose targets label the sink metrics; dead letters get their own index.
    writeFileSync(
      file,
      `kafka:
  brokers: ${bed.kafka.bootstrapServers}
elasticsearch:
  node: ${bed.es.url}
pipelines:
  - name: observed
    source: { topics: [${TOPICS.join(", ")}], groupId: ${GROUP}, startFrom: earliest }
    stages:
      - parseJson: {}
      - filter: { condition: '.log != "drop me"' }
    targets:
      - name: logs
        elasticsearch: { index: deploy-logs }
      - name: archive
        elasticsearch: { index: deploy-archive }
deadLetters: { index: deploy-letters }
`,
    );
    const run = await sluice.start(["run", file]);
    await waitForLine(run, "sluice: ready");
    // A reload first (a reload starts the pipelines' counters afresh), so the reload counter has a sample.
    run.child.kill("SIGHUP");
    await waitForLine(run, "sluice: reloaded");
    for (const [i, topic] of TOPICS.entries())
      await produceWithKcat({
        brokers: bed.kafka.bootstrapServers,
        topic,
        messages: fluentBitRecords(PER_TOPIC, { seed: i + 1 }),
      });
    // A record that is not JSON fails a stage and goes to dead letters, one the filter drops: so the
    // counters of both have samples.
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic: TOPICS[0],
      messages: ["not json {", '{"@timestamp":1700000000.5,"log":"drop me"}'],
    });
    await waitForGroupAtEnd(run, bed.kafka.brokers, GROUP, TOPICS);
    await waitFor(
      "a dead letter",
      () => countDocs(bed.client, "deploy-letters"),
      (n) => n === 1,
      60_000,
    );
    scrape = await (await fetch(`${run.url}/metrics`)).text();
    exported = exportedMetrics(scrape);
  }, 240_000);

  it("the run exports what the alerts and the dashboard are about", () => {
    expect(exported.get("sluice_events_dead_lettered_total")).toBeDefined();
    expect(exported.get("sluice_sink_requests_total")).toEqual(new Set(["pipeline", "target", "status"]));
    // Each target's sink is named after it, so the dashboard's per-target panels tell them apart.
    for (const target of ["logs", "archive"])
      expect(scrape).toMatch(new RegExp(`^sluice_sink_requests_total\\{target="${target}",status="ok"`, "m"));
    expect(exported.get("sluice_consumer_lag")).toEqual(new Set(["pipeline", "topic", "partition"]));
    expect(exported.get("sluice_events_dropped_total")).toEqual(new Set(["pipeline", "stage"]));
    expect(exported.get("process_resident_memory_bytes")).toBeDefined();
  });

  it("every PromQL expression of the PrometheusRule names only exported metrics and their labels", () => {
    const rules = ruleDocument().spec.groups.flatMap((group) => group.rules);
    expect(rules.length).toBeGreaterThanOrEqual(5);
    const problems = rules.flatMap((rule) => metricProblems(`alert ${rule.alert}`, rule.expr, exported));
    expect(problems).toEqual([]);
  });

  it("every PromQL expression of the Grafana dashboard names only exported metrics and their labels", () => {
    const { panels, templating } = dashboard();
    const queries = panelsOf(panels).flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr })),
    );
    expect(queries.length).toBeGreaterThanOrEqual(10);
    const problems = queries.flatMap(({ where, expr }) =>
      metricProblems(where, grafanaExpanded(expr), exported),
    );
    // A variable's label_values(metric, label) is Grafana's, not PromQL: checked as a selector and a label.
    for (const variable of templating.list.filter((v) => v.type === "query")) {
      const query =
        typeof variable.query === "string" ? variable.query : (variable.query as { query: string }).query;
      const [, selector, label] = /^label_values\((.+),\s*(\w+)\)$/.exec(query) ?? [];
      expect(selector, `variable ${variable.name}: ${query}`).toBeDefined();
      const expr = grafanaExpanded(`sum by (${label}) (${selector})`);
      problems.push(...metricProblems(`variable ${variable.name}`, expr, exported));
    }
    expect(problems).toEqual([]);
  });

  it("the check reports a metric Sluice does not export and a label a metric does not carry", () => {
    expect(metricProblems("q", 'rate(sluice_records_in_total{topic="a"}[5m])', exported)).toEqual([
      "q: metric sluice_records_in_total is not exported by sluice run",
    ]);
    expect(metricProblems("q", 'sum by (topic) (sluice_events_in_total{reason="x"})', exported)).toEqual([
      'q: sluice_events_in_total has no label "reason" (it has: pipeline, stage)',
      'q: grouping on "topic", which none of sluice_events_in_total carries',
    ]);
    expect(() => metricProblems("q", "sum(rate(sluice_events_in_total[5m])", exported)).toThrow(
      /syntax error/,
    );
  });
});

describe("deploy/observability files", () => {
  it("the PrometheusRule validates against the Prometheus Operator's CRD schema", () => {
    const document = ruleDocument();
    expect(() => new PrometheusRule(document as never).validate()).not.toThrow();
    // Each alert says how bad it is and what to do.
    for (const rule of document.spec.groups.flatMap((group) => group.rules)) {
      expect(rule.alert, rule.expr).toMatch(/^Sluice[A-Z]\w+$/);
      expect(["critical", "warning", "info"]).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
    }
  });

  it("the PrometheusRule's schema check refuses a rule without an expression", () => {
    const document = ruleDocument() as unknown as {
      spec: { groups: Array<{ rules: Array<Partial<Rule>> }> };
    };
    delete document.spec.groups[0]!.rules[0]!.expr;
    expect(() => new PrometheusRule(document as never).validate()).toThrow(/expr/);
  });

  it("the dashboard has the shape Grafana imports", () => {
    const { title, uid, schemaVersion, panels, templating } = dashboard();
    expect(title).toBeTruthy();
    expect(uid).toMatch(/^[\w-]{1,40}$/);
    expect(schemaVersion).toBeGreaterThanOrEqual(36);
    expect(templating.list.map((v) => v.name)).toContain("datasource");
    const all = panelsOf(panels);
    expect(new Set(all.map((panel) => panel.title)).size).toBe(all.length);
    for (const panel of all) {
      expect(["row", "timeseries", "stat", "table", "state-timeline", "bargauge"]).toContain(panel.type);
      expect(panel.gridPos.w).toBeGreaterThan(0);
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      if (panel.type !== "row") expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
  });
});
