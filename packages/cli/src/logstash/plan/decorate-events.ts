// The kafka input's decorate_events: the record's Kafka coordinates in `[@metadata][kafka]`, beside the document.
import { mapValues, type Stage } from "@sluice/core";
import type { JsonObject } from "@sluice/transforms";
import { METADATA_KEY } from "./predicate.js";

/** Writes `[@metadata][kafka]` as Logstash's kafka input does; conditions read it, Elasticsearch never sees it. */
export function decorateEventsStage(groupId: string, extended: boolean): Stage<JsonObject, JsonObject> {
  return mapValues<JsonObject, JsonObject>("decorate_events", (doc, event) => {
    const origin = event.origin;
    const kafka: Record<string, unknown> = {
      topic: origin.topic,
      consumer_group: groupId,
      partition: origin.partition,
      offset: Number(origin.offset),
      key: origin.key === null ? null : origin.key.toString("utf8"),
      timestamp: Number(origin.timestamp),
    };
    if (extended)
      for (const [name, value] of Object.entries(origin.headers))
        if (value !== undefined)
          kafka[name] = Array.isArray(value) ? String(value[value.length - 1]) : String(value);
    const metadata = (event.metadata?.[METADATA_KEY] as Record<string, unknown> | undefined) ?? {};
    event.metadata = { ...event.metadata, [METADATA_KEY]: { ...metadata, kafka } };
    return doc;
  });
}
