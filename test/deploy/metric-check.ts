// The cross-check of alerts and dashboards against a scrape: every metric and label they name must exist.
import type { ExportedMetrics } from "./exposition.js";
import { promqlReferences } from "./promql.js";

/**
 * Labels Prometheus adds to every scraped series (`job`, `instance`) and those the Prometheus Operator's
 * ServiceMonitor/PodMonitor add from the pod, which a rule may group or match on.
 */
export const TARGET_LABELS = ["job", "instance", "namespace", "pod", "container", "service", "endpoint"];

/** Series Prometheus itself writes for every scrape target. */
const SCRAPE_SERIES = new Set(["up", "scrape_duration_seconds", "scrape_samples_scraped"]);

/**
 * What is wrong with `expr` against `exported`: one line per metric Sluice does not export and per label a
 * matcher or grouping names that the metric does not carry. Empty when it is right.
 */
export function metricProblems(where: string, expr: string, exported: ExportedMetrics): string[] {
  const problems: string[] = [];
  const labelsOf = (metric: string): ReadonlySet<string> | undefined =>
    SCRAPE_SERIES.has(metric) ? new Set(TARGET_LABELS) : exported.get(metric);
  const { selectors, groupings } = promqlReferences(expr);
  for (const { metric, labels } of selectors) {
    const has = labelsOf(metric);
    if (has === undefined) {
      problems.push(`${where}: metric ${metric} is not exported by sluice run`);
      continue;
    }
    for (const label of labels)
      if (!has.has(label) && !TARGET_LABELS.includes(label))
        problems.push(`${where}: ${metric} has no label "${label}" (it has: ${[...has].sort().join(", ")})`);
  }
  for (const { labels, metrics } of groupings)
    for (const label of labels)
      if (!TARGET_LABELS.includes(label) && !metrics.some((metric) => labelsOf(metric)?.has(label)))
        problems.push(`${where}: grouping on "${label}", which none of ${metrics.join(", ")} carries`);
  return problems;
}
