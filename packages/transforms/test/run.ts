// Runs a stage over one batch of events built from values, as a pipeline would.
import { eventOf, type SluiceEvent, type Stage } from "@sluice/core";
import { lastValueFrom, of } from "rxjs";

export async function runStage<A, B>(stage: Stage<A, B>, values: A[]): Promise<SluiceEvent<B>[]> {
  return lastValueFrom(of(values.map((v) => eventOf(v))).pipe(stage));
}

/** The stage's result for one value: its new value, or its failure. */
export async function runOne<A, B>(stage: Stage<A, B>, value: A): Promise<SluiceEvent<B>> {
  const [event] = await runStage(stage, [value]);
  return event!;
}
