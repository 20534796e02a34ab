// The kafka input's json codec: the record's JSON object as the event, with Logstash's @timestamp rules.
import type { Stage } from "@sluice/core";
import { json, mutate, plain } from "@sluice/transforms";

// The record's text waits here while json reads it; no Logstash config names this field.
const TEXT = "\u0000sluice-codec-text";

/**
 * The codec's stages: the text, parsed into the event's root by `json` (an `@timestamp` that is not
 * ISO-8601 moves to `_@timestamp`, as Logstash's event does), then the text kept as `[event][original]`
 * under ECS. Text that is not a JSON object goes to dead letters.
 */
export function codecJsonStages(ecs: boolean): Stage<never, unknown>[] {
  return [
    plain({ target: TEXT, name: "codec-json" }),
    json({ source: TEXT, on_failure: "deadLetter", name: "codec-json" }),
    mutate({
      ...(ecs ? { copy: [TEXT, "[event][original]"] } : {}),
      remove_field: [TEXT],
      name: "codec-json",
    }),
  ] as Stage<never, unknown>[];
}
