// How Logstash-style stages record a failure: a tag on the event (Logstash's way) or a dead letter.
import { mapValues, type Rejection, reject, type Stage } from "@sluice/core";
import { addTag } from "../fields/index.js";

type JsonObject = Record<string, unknown>;

/** `tag`: the event goes on with the failure tags, as in Logstash. `deadLetter`: it goes to dead letters. */
export type FailureMode = "tag" | "deadLetter";

export const failureModeSchema = { enum: ["tag", "deadLetter"], default: "tag" } as const;

export interface FailureHandling {
  /** Records a failure on `doc`: returns the doc tagged, or a rejection for dead letters. */
  failed(doc: JsonObject, type: string, reason: string): JsonObject | Rejection;
  /** mapValues under the stage's name. */
  stage(fn: (doc: JsonObject) => JsonObject | Rejection): Stage<JsonObject, JsonObject>;
}

export function onFailure(stageName: string, mode: FailureMode, tags: readonly string[]): FailureHandling {
  return {
    failed(doc, type, reason) {
      if (mode === "deadLetter") return reject(type, reason);
      for (const tag of tags) addTag(doc, tag);
      return doc;
    },
    stage: (fn) => mapValues<JsonObject, JsonObject>(stageName, (doc) => fn(doc)),
  };
}
