// Logstash's `tags` field: how its filters record what happened to an event.
import { setOwn } from "@sluice/core";

type JsonObject = Record<string, unknown>;

/** Adds `tag` to the document's `tags` array once; a string `tags` is turned into an array first. */
export function addTag(doc: JsonObject, tag: string): void {
  const tags = Object.hasOwn(doc, "tags") ? doc.tags : undefined;
  if (tags === undefined || tags === null) {
    setOwn(doc, "tags", [tag]);
  } else if (Array.isArray(tags)) {
    if (!tags.includes(tag)) tags.push(tag);
  } else if (tags !== tag) {
    setOwn(doc, "tags", [tags, tag]);
  }
}

/** Removes `tag` from the document's `tags`. */
export function removeTag(doc: JsonObject, tag: string): void {
  const tags = Object.hasOwn(doc, "tags") ? doc.tags : undefined;
  if (Array.isArray(tags)) {
    const kept = tags.filter((t) => t !== tag);
    if (kept.length !== tags.length) setOwn(doc, "tags", kept);
  } else if (tags === tag) {
    setOwn(doc, "tags", []);
  }
}
