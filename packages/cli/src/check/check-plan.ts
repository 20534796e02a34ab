// `sluice check`: the plan printed, then Kafka and Elasticsearch probed as `sluice run` would reach them.
import type { Plan } from "../plan.js";
import { probeElasticsearch } from "./elasticsearch-probe.js";
import { formatPlan } from "./format-plan.js";
import { probeKafka } from "./kafka-probe.js";
import { planSecrets } from "./plan-secrets.js";
import type { ProbeSection, ProbeStatus } from "./probe.js";
import { wrap } from "./wrap.js";

/** Options of {@link checkPlan}. */
export interface CheckOptions {
  /** Print the plan only: contact neither Kafka nor Elasticsearch. */
  offline?: boolean;
  /** How long one probe request may take (ms). Default 5000. */
  timeoutMs?: number;
}

/** What `sluice check` prints and exits with. */
export interface CheckResult {
  /** The plan and the probes' lines, with no credential in them. */
  text: string;
  /** 1 when a probe failed (unreachable, credentials refused, a missing topic, ...), else 0. */
  exitCode: 0 | 1;
}

const WIDTH = 110;

/**
 * Prints the plan ({@link formatPlan}) and, unless `offline`, probes each distinct Kafka broker list
 * (connection, topics and their partitions, each group's members and committed offsets) and each
 * distinct Elasticsearch cluster (reachable, Elasticsearch, credentials, each target and the dead-letter
 * index), one `ok` / `warn` / `FAIL` line each. Exits 1 when any line is `FAIL`.
 */
export async function checkPlan(plan: Plan, options: CheckOptions = {}): Promise<CheckResult> {
  const out = [formatPlan(plan).trimEnd(), ""];
  if (options.offline) {
    out.push("Connections not checked (offline): neither Kafka nor Elasticsearch was contacted");
    return { text: `${out.join("\n")}\n`, exitCode: 0 };
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  const [kafka, elasticsearch] = await Promise.all([
    probeKafka(plan.pipelines, timeoutMs),
    probeElasticsearch(plan, timeoutMs),
  ]);
  const sections: ProbeSection[] = [...kafka, ...elasticsearch];
  const counts: Record<ProbeStatus, number> = { ok: 0, warn: 0, FAIL: 0 };
  out.push("Checks");
  for (const section of sections) {
    out.push(`  ${section.title}`);
    for (const line of section.lines) {
      counts[line.status]++;
      out.push(`    ${line.status.padEnd(4)}  ${wrap(line.text, WIDTH - 10, " ".repeat(10))}`);
    }
  }
  out.push(
    "",
    counts.FAIL > 0
      ? `${counts.FAIL} FAIL, ${counts.warn} warn, ${counts.ok} ok: sluice run would not start as it is`
      : `${counts.warn} warn, ${counts.ok} ok: sluice run can start${counts.warn > 0 ? "; read the warnings" : ""}`,
  );
  return { text: `${planSecrets(plan).scrub(out.join("\n"))}\n`, exitCode: counts.FAIL > 0 ? 1 : 0 };
}
