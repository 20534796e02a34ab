import { ErrorCode, eventOf, type SluiceEvent } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { BulkEncoder, type Encoded } from "../src/encoder.js";
import { type NullValues, RequestBuilder } from "../src/request-builder.js";
import { Target } from "../src/target.js";
import { events } from "./fakes.js";

function builder(nullValues: NullValues = "deadLetter") {
  return new RequestBuilder(
    new BulkEncoder("create", new Target("test", "logs", "key")),
    nullValues,
    "elasticsearch",
  );
}

function keyed(value: unknown, key: string, tombstone = false): SluiceEvent {
  return eventOf(value, {
    raw: Buffer.alloc(0),
    origin: { topic: "t", offset: key, key: Buffer.from(key), ...(tombstone ? { tombstone: true } : {}) },
  });
}

/** Builds `batch`, returning the lines handed on (copied: the builder reuses its holder) and the settled. */
function build(b: RequestBuilder, batch: SluiceEvent[]) {
  const lines: string[] = [];
  const settled = b.build(batch, (encoded: Encoded) => lines.push(encoded.lines.toString()));
  return { lines, settled };
}

describe("RequestBuilder", () => {
  it("hands on every writable event's lines in order and settles none", () => {
    const { lines, settled } = build(builder(), [keyed({ a: 1 }, "k1"), keyed({ a: 2 }, "k2")]);
    expect(lines).toEqual([
      '{"create":{"_index":"logs","_id":"k1"}}\n{"a":1}\n',
      '{"create":{"_index":"logs","_id":"k2"}}\n{"a":2}\n',
    ]);
    expect(settled).toBeUndefined();
  });

  it("sends a tombstone to dead letters by default, naming nullValues", () => {
    const tombstone = keyed(null, "gone", true);
    const { lines, settled } = build(builder(), [keyed({ a: 1 }, "k1"), tombstone]);
    expect(lines).toHaveLength(1);
    expect(settled).toEqual({ delivered: [], rejected: [tombstone] });
    expect(tombstone.failure).toMatchObject({ code: ErrorCode.NULL_VALUE, type: "null_value" });
    expect(tombstone.failure!.reason).toContain("nullValues");
  });

  it("acknowledges a tombstone without a request with nullValues ignore", () => {
    const tombstone = keyed(null, "gone", true);
    const { lines, settled } = build(builder("ignore"), [tombstone]);
    expect(lines).toEqual([]);
    expect(settled).toEqual({ delivered: [tombstone], rejected: [] });
    expect(tombstone.failure).toBeUndefined();
  });

  it("turns a tombstone into a delete of its key's document with nullValues delete", () => {
    const { lines, settled } = build(builder("delete"), [keyed(null, "gone", true)]);
    expect(lines).toEqual(['{"delete":{"_index":"logs","_id":"gone"}}\n']);
    expect(settled).toBeUndefined();
  });

  it("sends an event it cannot encode to dead letters and goes on with the rest", () => {
    const [withoutKey] = events(1);
    const bigint = keyed({ n: 1n }, "k2");
    const { lines, settled } = build(builder(), [withoutKey!, bigint, keyed({ a: 3 }, "k3")]);
    expect(lines).toEqual(['{"create":{"_index":"logs","_id":"k3"}}\n{"a":3}\n']);
    expect(settled!.rejected).toEqual([withoutKey, bigint]);
    // A SluiceError keeps its own code; anything else the encoder throws is a rejection.
    expect(withoutKey!.failure).toMatchObject({ code: ErrorCode.ES_TARGET, type: "id_key_missing" });
    expect(bigint.failure).toMatchObject({ code: ErrorCode.REJECTED, stage: "elasticsearch" });
  });
});
