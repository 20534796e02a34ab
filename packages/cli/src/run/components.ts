// A planned pipeline made real: kafkaSource, its stages, one sink or a fanOut, and dead letters.
import {
  createPipeline,
  dynamicStages,
  fanOut,
  type Logger,
  type Pipeline,
  type Sink,
  type Stage,
} from "@sluice/core";
import {
  type ElasticsearchDeadLettersOptions,
  type ElasticsearchSinkOptions,
  elasticsearchDeadLetters,
  elasticsearchSink,
} from "@sluice/sink-elasticsearch";
import { type KafkaSource, type KafkaSourceOptions, kafkaSource } from "@sluice/source-kafka";
import type { Plan, PlannedPipeline } from "../plan.js";

/** The options a dead-letter writer shares with a sink: how to reach the cluster. */
const CONNECTION_KEYS = ["node", "auth", "tls", "requestTimeoutMs", "compression"] as const;

/** A built pipeline and the source whose backlog says when it is idle. */
export interface BuiltPipeline {
  readonly pipeline: Pipeline;
  readonly source: KafkaSource;
}

/** Builds every pipeline of the plan without connecting anything (options are checked here). */
export function buildPipelines(plan: Plan, logger: Logger): BuiltPipeline[] {
  return plan.pipelines.map((planned) => buildPipeline(plan, planned, logger));
}

function buildPipeline(plan: Plan, planned: PlannedPipeline, logger: Logger): BuiltPipeline {
  const source = kafkaSource(planned.source as unknown as KafkaSourceOptions);
  const only = planned.targets.length === 1 ? planned.targets[0] : undefined;
  const sink: Sink<object> =
    only !== undefined && only.when === undefined && planned.unrouted === "drop"
      ? elasticsearchSink(only.sink as unknown as ElasticsearchSinkOptions)
      : fanOut<object>({
          name: "targets",
          unrouted: planned.unrouted,
          targets: planned.targets.map((target) => ({
            name: target.name,
            // Named after the target, so its requests, latency and concurrency are labelled with it.
            sink: elasticsearchSink({
              ...target.sink,
              name: target.name,
            } as unknown as ElasticsearchSinkOptions),
            ...(target.when ? { when: target.when } : {}),
          })),
        });
  const pipeline = createPipeline({
    name: planned.name,
    source,
    stages: dynamicStages(planned.stages as Stage[]),
    sink,
    deadLetters: elasticsearchDeadLetters(deadLetterOptions(plan)),
    ...(plan.flow ? { flow: plan.flow } : {}),
    logger,
  }) as unknown as Pipeline;
  return { pipeline, source };
}

/** The plan's dead letters, or the index `sluice-dead-letter` on the first target's cluster. */
function deadLetterOptions(plan: Plan): ElasticsearchDeadLettersOptions {
  if (plan.deadLetters) return plan.deadLetters.sink as unknown as ElasticsearchDeadLettersOptions;
  const first = plan.pipelines[0]?.targets[0]?.sink ?? {};
  const connection: Record<string, unknown> = {};
  for (const key of CONNECTION_KEYS) if (first[key] !== undefined) connection[key] = first[key];
  return { ...connection, index: "sluice-dead-letter" } as unknown as ElasticsearchDeadLettersOptions;
}
