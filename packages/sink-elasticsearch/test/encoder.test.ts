import { eventOf, JsonBytes, type SluiceEvent } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { BulkBody } from "../src/bulk-body.js";
import { BulkEncoder } from "../src/encoder.js";
import { itemVerdict } from "../src/retry-policy.js";
import { type IdOption, type IndexOption, Target } from "../src/target.js";

function encoder(action: "create" | "index", index: IndexOption, id: IdOption, pipeline?: string) {
  return new BulkEncoder(action, new Target("test", index, id), pipeline);
}

function event(value: unknown): SluiceEvent {
  return eventOf(value, {
    raw: Buffer.from("raw"),
    origin: { topic: "insight-logs", partition: 2, offset: "41" },
  });
}

describe("BulkEncoder", () => {
  it("writes a create action with the deterministic id, then the document", () => {
    const { lines } = encoder("create", "logs", "origin").encode(event({ "@timestamp": "t", log: 'a"b' }));
    expect(lines.toString()).toBe(
      '{"create":{"_index":"logs","_id":"insight-logs+2+41"}}\n{"@timestamp":"t","log":"a\\"b"}\n',
    );
  });

  it("routes by a function of the event and can leave the id to Elasticsearch", () => {
    const byFunction = encoder("index", (e) => `logs-${e.origin.topic}`, "none");
    expect(byFunction.encode(event({ a: 1 })).lines.toString()).toBe(
      '{"index":{"_index":"logs-insight-logs"}}\n{"a":1}\n',
    );
  });

  it("sends a value still in bytes as it came", () => {
    const { lines } = encoder("create", "logs", "none").encode(event(Buffer.from('{"x":1}')));
    expect(lines.toString()).toBe('{"create":{"_index":"logs"}}\n{"x":1}\n');
  });

  it("writes a document a stage left as JsonBytes straight into the request's body", () => {
    /** A document in two pieces, as a stage that splices bytes would leave it. */
    class Pieces extends JsonBytes {
      constructor(private readonly pieces: Buffer[]) {
        super();
      }
      get byteLength() {
        return this.pieces.reduce((n, p) => n + p.length, 0);
      }
      writeTo(target: Uint8Array, at: number) {
        for (const piece of this.pieces) {
          target.set(piece, at);
          at += piece.length;
        }
        return at;
      }
    }
    const enc = encoder("create", "logs", "origin");
    const request = new BulkBody(Buffer.alloc(256, 0x78));
    for (const offset of ["1", "2"]) {
      const doc = new Pieces([Buffer.from('{"@timestamp":"t"'), Buffer.from(`,"n":${offset}}`)]);
      const value = eventOf<unknown>(doc, { origin: { topic: "t", partition: 0, offset } });
      request.append(enc.encode(value));
    }
    expect(request.body.toString()).toBe(
      '{"create":{"_index":"logs","_id":"t+0+1"}}\n{"@timestamp":"t","n":1}\n' +
        '{"create":{"_index":"logs","_id":"t+0+2"}}\n{"@timestamp":"t","n":2}\n',
    );
    // A template reads the document through its bytes.
    const routed = encoder("create", "logs-%{n}", "none").encode(
      event(new Pieces([Buffer.from('{"n":'), Buffer.from("7}")])),
    );
    expect(routed.lines.toString()).toBe('{"create":{"_index":"logs-7"}}\n{"n":7}\n');
  });

  it("writes each event's own offset into the action line its partition shares, as a body of many", () => {
    const enc = encoder("create", { topics: { 'logs "quoted"': "k8s", plain: "p" } }, "origin", "geoip");
    const at = (topic: string, partition: number, offset: string) =>
      enc.encode(eventOf(Buffer.from(`{"o":${offset}}`), { origin: { topic, partition, offset } }));
    const items = [at('logs "quoted"', 0, "7"), at('logs "quoted"', 0, "12345678901"), at("plain", 3, "0")];
    // Into a used buffer, as the sink's pool lends them: the body is its start, whatever was there before.
    const request = new BulkBody(Buffer.alloc(4096, 0x78));
    for (const item of items) {
      expect(request.fits(item.bytes)).toBe(true);
      request.append(item);
    }
    expect(request.body.toString()).toBe(
      [
        '{"create":{"_index":"k8s","_id":"logs \\"quoted\\"+0+7","pipeline":"geoip"}}',
        '{"o":7}',
        '{"create":{"_index":"k8s","_id":"logs \\"quoted\\"+0+12345678901","pipeline":"geoip"}}',
        '{"o":12345678901}',
        '{"create":{"_index":"p","_id":"plain+3+0","pipeline":"geoip"}}',
        '{"o":0}',
        "",
      ].join("\n"),
    );
    expect(request.bytes).toBe(items.reduce((n, item) => n + item.bytes, 0));
    expect(request.events).toEqual(items.map((item) => item.event));
    // A retry's body: the lines of the events asked for, copied out of the first.
    const retry = [0, 2];
    const copy = request.linesOf(retry, Buffer.alloc(request.linesSize(retry), 0x79));
    expect(copy.toString()).toBe(items[0]!.lines.toString() + items[2]!.lines.toString());
    expect(new BulkBody(Buffer.alloc(10)).fits(items[0]!.bytes)).toBe(false);
  });

  it("spells out an offset that is not Kafka's digits through JSON", () => {
    const enc = encoder("create", "logs", "origin");
    const odd = enc.encode(
      eventOf(Buffer.from("{}"), { origin: { topic: "t", partition: 0, offset: 'ü"1' } }),
    );
    expect(odd.lines.toString()).toBe('{"create":{"_index":"logs","_id":"t+0+ü\\"1"}}\n{}\n');
    expect(odd.bytes).toBe(odd.lines.length);
  });
});

describe("targets", () => {
  const doc = {
    "@timestamp": "2024-11-25T13:14:15.000Z",
    kubernetes: { namespace_name: "shop" },
    uid: "abc-1",
  };

  it("routes by topic, with a default, and fails an event no route covers", () => {
    const byTopic = encoder("create", { topics: { "insight-logs": "k8s-logs", other: "x" } }, "none");
    expect(byTopic.encode(event(doc)).lines.toString()).toContain('"_index":"k8s-logs"');
    const noDefault = encoder("create", { topics: { other: "x" } }, "none");
    expect(() => noDefault.encode(event(doc))).toThrow(/no index for topic insight-logs/);
    const withDefault = encoder("create", { topics: { other: "x" }, default: "rest" }, "none");
    expect(withDefault.encode(event(doc)).lines.toString()).toContain('"_index":"rest"');
  });

  it("fills %{field} and %{+date} templates from the document, also from a document still in bytes", () => {
    const templated = encoder("create", "logs-%{[kubernetes][namespace_name]}-%{+yyyy.MM.dd}", "none");
    expect(templated.encode(event(doc)).lines.toString()).toContain('"_index":"logs-shop-2024.11.25"');
    const fromBytes = templated.encode(event(Buffer.from(JSON.stringify(doc))));
    expect(fromBytes.lines.toString()).toBe(
      `{"create":{"_index":"logs-shop-2024.11.25"}}\n${JSON.stringify(doc)}\n`,
    );
  });

  it("takes _id from a field and names an ingest pipeline", () => {
    const lines = encoder("index", "logs", { field: "uid" }, "geoip").encode(event(doc)).lines.toString();
    expect(lines.split("\n")[0]).toBe('{"index":{"_index":"logs","_id":"abc-1","pipeline":"geoip"}}');
    expect(() => encoder("index", "logs", { field: "missing" }).encode(event(doc))).toThrow(
      /_id field is missing/,
    );
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
