// Type tests of a pipeline's `stages`, checked by `pnpm typecheck` and never run: each
// `@ts-expect-error` marks a chain the compiler must refuse (tsc fails if it accepts one), and each
// `Same` asserts the type a stage written in place is given.
import {
  type AnyStage,
  createPipeline,
  type DeadLetterSink,
  dynamicStages,
  mapValues,
  type Sink,
  type Stage,
} from "@sluice/core";
import type { ElasticsearchSink } from "@sluice/sink-elasticsearch";
import type { KafkaSource } from "@sluice/source-kafka";
import {
  epochToIso,
  filter,
  fluentBitToElasticsearch,
  type JsonObject,
  parseJson,
  route,
} from "@sluice/transforms";

/** `true` only when X and Y are the same type (not merely assignable either way). */
type Same<X, Y> = (<G>() => G extends X ? 1 : 2) extends <G>() => G extends Y ? 1 : 2 ? true : false;

declare const source: KafkaSource;
declare const sink: ElasticsearchSink;
declare const anySink: Sink<unknown>;
declare const deadLetters: DeadLetterSink;
declare const byLevel: Stage<JsonObject, JsonObject>;
declare const toText: Stage<JsonObject, string>;
declare const fromText: Stage<string, JsonObject>;
declare const loaded: AnyStage[];

export function checkedInOrder(): void {
  const base = { source, sink, deadLetters };
  createPipeline({ ...base, stages: [fluentBitToElasticsearch()] });
  createPipeline({ ...base, stages: [parseJson(), epochToIso(), byLevel] });
  createPipeline({
    ...base,
    stages: [fluentBitToElasticsearch(), parseJson(), { name: "level", stage: byLevel }],
  });
  createPipeline({ ...base, stages: [] });
  createPipeline({ ...base });
  // An object-expecting stage before the Fluent Bit preset, which takes the record's bytes.
  // @ts-expect-error
  createPipeline({ ...base, stages: [byLevel, fluentBitToElasticsearch()] });
  // The same in the named form.
  // @ts-expect-error
  createPipeline({ ...base, stages: [{ name: "level", stage: byLevel }, fluentBitToElasticsearch()] });
  // An object stage straight after the source, which emits bytes.
  // @ts-expect-error
  createPipeline({ ...base, stages: [epochToIso()] });
  // A stage in the middle that does not take what the one before gives.
  // @ts-expect-error
  createPipeline({ ...base, stages: [parseJson(), toText, epochToIso()] });
  // Strings into the Elasticsearch sink, which takes documents (objects or their JSON bytes).
  // @ts-expect-error
  createPipeline({ ...base, stages: [parseJson(), toText] });
  // A sink that takes anything takes strings.
  createPipeline({ source, sink: anySink, deadLetters, stages: [parseJson(), toText] });
  createPipeline({ source, sink: anySink, deadLetters, stages: [parseJson(), toText, fromText] });
  // A generic stage given the wrong type explicitly.
  // @ts-expect-error
  createPipeline({ ...base, stages: [parseJson(), filter<Buffer>({ keep: () => true })] });
}

export function dynamicLists(): void {
  const base = { source, sink, deadLetters };
  // A list whose length and order the compiler cannot know needs the escape hatch.
  // @ts-expect-error
  createPipeline({ ...base, stages: loaded });
  createPipeline({ ...base, stages: dynamicStages(loaded) });
  createPipeline({ ...base, stages: dynamicStages([byLevel, fluentBitToElasticsearch()]) });
  // A list built apart keeps its check when it is a tuple.
  const built = [parseJson(), epochToIso()] as const;
  createPipeline({ ...base, stages: built });
  const wrong = [epochToIso(), parseJson()] as const;
  // @ts-expect-error
  createPipeline({ ...base, stages: wrong });
}

export function inferredFromTheChain(): void {
  const base = { source, sink, deadLetters };
  createPipeline({
    ...base,
    stages: [
      parseJson(),
      filter({
        keep: (doc) => {
          const isObject: Same<typeof doc, JsonObject> = true;
          return isObject && doc.level !== "debug";
        },
      }),
      epochToIso(),
      route({
        routes: {
          audit: (doc) => {
            const isObject: Same<typeof doc, JsonObject> = true;
            return isObject && doc.kind === "audit";
          },
        },
        unmatched: { route: "default" },
      }),
    ],
  });
  // First after the source, a filter takes its bytes.
  createPipeline({
    ...base,
    stages: [
      filter({
        keep: (raw) => {
          const isBytes: Same<typeof raw, Buffer> = true;
          return isBytes && raw.length > 0;
        },
      }),
      fluentBitToElasticsearch(),
    ],
  });
  // mapValues too: its input is what the stage before gives, and its output feeds the next stage.
  createPipeline({
    ...base,
    stages: [
      parseJson(),
      mapValues("stamp", (doc) => {
        const isObject: Same<typeof doc, JsonObject> = true;
        return { ...doc, stamped: isObject };
      }),
      byLevel,
      {
        name: "last",
        stage: filter({
          keep: (doc) => {
            const isObject: Same<typeof doc, JsonObject> = true;
            return isObject;
          },
        }),
      },
    ],
  });
  createPipeline({
    ...base,
    stages: [
      parseJson(),
      // @ts-expect-error: the stage before gives objects, so the value is no string.
      filter({ keep: (doc) => doc.startsWith("x") }),
    ],
  });
  // A generic stage right after another one has its type written (the compiler infers in two passes).
  createPipeline({
    ...base,
    stages: [
      parseJson(),
      filter({ keep: (doc) => doc.level !== "debug" }),
      route<JsonObject>({ routes: { audit: (doc) => doc.kind === "audit" } }),
    ],
  });
}
