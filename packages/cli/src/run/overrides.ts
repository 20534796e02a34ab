// --kafka-brokers / --es-url: one config moved between environments by naming the clusters, not editing it.
import type { Plan, PlannedPipeline, PlannedTarget } from "../plan.js";

/** The addresses that replace every one a plan names. */
export interface Overrides {
  /** Bootstrap brokers for every Kafka source (comma-separated). */
  readonly kafkaBrokers?: string;
  /** The Elasticsearch node for every target and the dead letters. */
  readonly esUrl?: string;
}

/**
 * The plan with every Kafka address and every Elasticsearch node replaced by the ones given; credentials
 * and TLS settings stay as the config has them.
 */
export function applyOverrides(plan: Plan, overrides: Overrides): Plan {
  const brokers = overrides.kafkaBrokers
    ?.split(",")
    .map((broker) => broker.trim())
    .filter((broker) => broker !== "");
  const node = overrides.esUrl?.trim() || undefined;
  if ((brokers === undefined || brokers.length === 0) && node === undefined) return plan;
  const pipelines = plan.pipelines.map(
    (pipeline): PlannedPipeline => ({
      ...pipeline,
      source: brokers?.length ? { ...pipeline.source, brokers } : pipeline.source,
      targets: pipeline.targets.map(
        (target): PlannedTarget => (node ? { ...target, sink: { ...target.sink, node } } : target),
      ),
    }),
  );
  return {
    ...plan,
    pipelines,
    ...(plan.deadLetters && node ? { deadLetters: { sink: { ...plan.deadLetters.sink, node } } } : {}),
  };
}
