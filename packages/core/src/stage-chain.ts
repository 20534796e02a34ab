// The type of a pipeline's `stages`: a list written in place is checked in order, from the source's
// output to the sink's input; a list built at run time says so with `dynamicStages`.
import type { Sink } from "./components.js";
import type { PipelineOptions } from "./pipeline.js";
import type { AnyStage, Stage } from "./stage.js";

/** One entry of a `stages` list: a stage, or a stage with the name metrics and logs show for it. */
export type StageEntry<A, B> =
  | Stage<A, B>
  | {
      /** The stage's name in metrics and logs. */
      readonly name: string;
      /** The stage. */
      readonly stage: Stage<A, B>;
    };

/** What the pipeline accepts at run time: stages of any types, in any order. */
export type StageList = ReadonlyArray<
  | AnyStage
  | {
      /** The stage's name in metrics and logs. */
      readonly name: string;
      /** The stage. */
      readonly stage: AnyStage;
    }
>;

declare const wrapWithDynamicStages: unique symbol;

/**
 * A list of stages whose order the compiler cannot check, marked as such by `dynamicStages`. Its
 * elements are typed `never` so that a stage written in place is never typed from this type.
 */
export interface DynamicStages extends ReadonlyArray<never> {
  /** Marks a list that went through `dynamicStages`. */
  readonly [wrapWithDynamicStages]: true;
}

/**
 * Passes a list built at run time (loaded from configuration, assembled in a loop) as a pipeline's
 * `stages`: the compiler checks a list written in place, in order, but cannot check one whose length
 * and order it does not know, so this says that you checked it instead.
 */
export function dynamicStages(list: StageList): DynamicStages {
  return list as unknown as DynamicStages;
}

/**
 * The lists a pipeline from `In` to `Out` accepts: up to twelve stages written in place, each taking
 * what the one before gives, or a `dynamicStages` list. One inferred type per gap (`A`…`L`) is what
 * lets a generic stage written in place (`filter`, `route`, `mapValues`) take the type of the stage
 * before it; TypeScript infers in two passes, so one right after another generic stage needs its type
 * written (`route<JsonObject>(...)`).
 */
export type StageChain<In, Out, A, B, C, D, F, G, H, I, J, K, L> =
  | DynamicStages
  | readonly []
  | readonly [StageEntry<In, Out>]
  | readonly [StageEntry<In, A>, StageEntry<A, Out>]
  | readonly [StageEntry<In, A>, StageEntry<A, B>, StageEntry<B, Out>]
  | readonly [StageEntry<In, A>, StageEntry<A, B>, StageEntry<B, C>, StageEntry<C, Out>]
  | readonly [StageEntry<In, A>, StageEntry<A, B>, StageEntry<B, C>, StageEntry<C, D>, StageEntry<D, Out>]
  | readonly [
      StageEntry<In, A>,
      StageEntry<A, B>,
      StageEntry<B, C>,
      StageEntry<C, D>,
      StageEntry<D, F>,
      StageEntry<F, Out>,
    ]
  | readonly [
      StageEntry<In, A>,
      StageEntry<A, B>,
      StageEntry<B, C>,
      StageEntry<C, D>,
      StageEntry<D, F>,
      StageEntry<F, G>,
      StageEntry<G, Out>,
    ]
  | readonly [
      StageEntry<In, A>,
      StageEntry<A, B>,
      StageEntry<B, C>,
      StageEntry<C, D>,
      StageEntry<D, F>,
      StageEntry<F, G>,
      StageEntry<G, H>,
      StageEntry<H, Out>,
    ]
  | readonly [
      StageEntry<In, A>,
      StageEntry<A, B>,
      StageEntry<B, C>,
      StageEntry<C, D>,
      StageEntry<D, F>,
      StageEntry<F, G>,
      StageEntry<G, H>,
      StageEntry<H, I>,
      StageEntry<I, Out>,
    ]
  | readonly [
      StageEntry<In, A>,
      StageEntry<A, B>,
      StageEntry<B, C>,
      StageEntry<C, D>,
      StageEntry<D, F>,
      StageEntry<F, G>,
      StageEntry<G, H>,
      StageEntry<H, I>,
      StageEntry<I, J>,
      StageEntry<J, Out>,
    ]
  | readonly [
      StageEntry<In, A>,
      StageEntry<A, B>,
      StageEntry<B, C>,
      StageEntry<C, D>,
      StageEntry<D, F>,
      StageEntry<F, G>,
      StageEntry<G, H>,
      StageEntry<H, I>,
      StageEntry<I, J>,
      StageEntry<J, K>,
      StageEntry<K, Out>,
    ]
  | readonly [
      StageEntry<In, A>,
      StageEntry<A, B>,
      StageEntry<B, C>,
      StageEntry<C, D>,
      StageEntry<D, F>,
      StageEntry<F, G>,
      StageEntry<G, H>,
      StageEntry<H, I>,
      StageEntry<I, J>,
      StageEntry<J, K>,
      StageEntry<K, L>,
      StageEntry<L, Out>,
    ];

/**
 * PipelineOptions whose `stages` is checked in order: `T` is what the source emits, `U` what the sink
 * accepts, `Z` what the last stage gives, `A`…`L` the types between stages, all inferred.
 */
export type CheckedPipelineOptions<T, U, Z, A, B, C, D, F, G, H, I, J, K, L> = Omit<
  PipelineOptions<T, U>,
  "stages" | "sink"
> & {
  /** The stages, in order: each one's input is what the one before gives (the source's output first). */
  stages?: StageChain<NoInfer<T>, Z, A, B, C, D, F, G, H, I, J, K, L>;
  /** The sink: it accepts what the last stage gives. */
  sink: Sink<U> & Sink<NoInfer<Z>>;
};
