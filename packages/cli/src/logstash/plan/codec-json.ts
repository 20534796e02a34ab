// The kafka input's json codec: the record's JSON object as the event, with Logstash's @timestamp rules.
import { mapValues, type Stage } from "@sluice/core";
import { type JsonObject, json, plain } from "@sluice/transforms";
import { composeStages } from "./compose.js";

// The record's text waits here while json reads it; no Logstash config names this field.
const TEXT = "\u0000sluice-codec-text";

/**
 * The codec as one stage: the text, parsed into the event's root by `json` (an `@timestamp` that is not
 * ISO-8601 moves to `_@timestamp`, as Logstash's event does), then, under ECS, the text kept as
 * `[event][original]` unless the object holds one. Text that is not a JSON object goes to dead letters.
 */
export function codecJsonStage(ecs: boolean): Stage<never, unknown> {
  const keep = mapValues<JsonObject, JsonObject>("codec-json", (doc) => {
    const text = doc[TEXT];
    delete doc[TEXT];
    if (!ecs) return doc;
    const event = doc.event;
    if (event === undefined || event === null) doc.event = { original: text };
    else if (typeof event === "object" && !Array.isArray(event) && !Object.hasOwn(event, "original"))
      (event as JsonObject).original = text;
    return doc;
  });
  return composeStages("codec-json", [
    plain({ target: TEXT, name: "codec-json" }),
    json({ source: TEXT, on_failure: "deadLetter", name: "codec-json" }),
    keep,
  ] as Stage<never, unknown>[]);
}
