// The client's JSON serializer, except that a bulk answer in which nothing failed is not parsed at all.
import { Serializer } from "@elastic/elasticsearch";

/** What a bulk answer without failures becomes: its items are read only when one failed. */
const ALL_ACCEPTED = Object.freeze({ errors: false });

/**
 * Sluice asks bulk requests for `filter_path=errors,items.*.status,items.*.error`, so an answer starts
 * with `"errors"`; when that is false every item was accepted, and parsing thousands of identical items
 * (and keeping them until the next collection) is work for nothing. Everything else is parsed as usual.
 */
export class BulkAwareSerializer extends Serializer {
  override deserialize<T = unknown>(json: string): T {
    if (json.startsWith('{"errors":false') && (json[15] === "," || json[15] === "}"))
      return ALL_ACCEPTED as T;
    return super.deserialize<T>(json);
  }
}
