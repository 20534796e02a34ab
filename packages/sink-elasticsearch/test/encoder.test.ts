import { eventOf, type SluiceEvent } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { BulkEncoder } from "../src/encoder.js";
import { itemVerdict } from "../src/retry-policy.js";

function event(value: unknown): SluiceEvent {
  return eventOf(value, {
    raw: Buffer.from("raw"),
    origin: { topic: "insight-logs", partition: 2, offset: "41" },
  });
}

describe("BulkEncoder", () => {
  it("writes a create action with the deterministic id, then the document", () => {
    const { lines } = new BulkEncoder("create", "logs", "origin").encode(
      event({ "@timestamp": "t", log: 'a"b' }),
    );
    expect(lines.toString()).toBe(
      '{"create":{"_index":"logs","_id":"insight-logs+2+41"}}\n{"@timestamp":"t","log":"a\\"b"}\n',
    );
  });

  it("routes by a function of the event and can leave the id to Elasticsearch", () => {
    const encoder = new BulkEncoder("index", (e) => `logs-${e.origin.topic}`, "none");
    expect(encoder.encode(event({ a: 1 })).lines.toString()).toBe(
      '{"index":{"_index":"logs-insight-logs"}}\n{"a":1}\n',
    );
  });

  it("sends a value still in bytes as it came", () => {
    const { lines } = new BulkEncoder("create", "logs", "none").encode(event(Buffer.from('{"x":1}')));
    expect(lines.toString()).toBe('{"create":{"_index":"logs"}}\n{"x":1}\n');
  });
});

describe("itemVerdict", () => {
  it("classifies bulk item statuses the way Logstash does", () => {
    expect(itemVerdict(201, "create")).toBe("delivered");
    expect(itemVerdict(200, "index")).toBe("delivered");
    expect(itemVerdict(409, "create")).toBe("delivered");
    expect(itemVerdict(409, "index")).toBe("reject");
    expect(itemVerdict(429, "create")).toBe("retry");
    expect(itemVerdict(503, "create")).toBe("retry");
    expect(itemVerdict(501, "create")).toBe("reject");
    expect(itemVerdict(400, "create")).toBe("reject");
    expect(itemVerdict(404, "create")).toBe("reject");
  });
});
