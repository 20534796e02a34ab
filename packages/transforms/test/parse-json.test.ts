import { eventOf } from "@sluice/core";
import { lastValueFrom, of } from "rxjs";
import { describe, expect, it } from "vitest";
import { fluentBitToElasticsearch } from "../src/fluent-bit/to-elasticsearch.js";
import { parseJson } from "../src/parse-json.js";

const event = (raw: Buffer) => eventOf(raw);

async function run(...raws: Array<string | Buffer>) {
  const batch = raws.map((r) => event(Buffer.isBuffer(r) ? r : Buffer.from(r)));
  return lastValueFrom(of(batch).pipe(parseJson()));
}

describe("parseJson", () => {
  it("parses each record's bytes into its object, keeping key order", async () => {
    const [e] = await run('{"@timestamp":1732492800.5,"log":"hi","kubernetes":{"pod_name":"p"}}');
    expect(e!.value).toEqual({ "@timestamp": 1732492800.5, log: "hi", kubernetes: { pod_name: "p" } });
    expect(Object.keys(e!.value)[0]).toBe("@timestamp");
  });

  it("parses the document the Fluent Bit preset leaves as JsonBytes", async () => {
    const batch = [event(Buffer.from('{"@timestamp":1732492800.001,"log":"hi"}'))];
    const [e] = await lastValueFrom(of(batch).pipe(fluentBitToElasticsearch(), parseJson()));
    expect(e!.ok).toBe(true);
    expect(e!.value).toEqual({ "@timestamp": "2024-11-25T00:00:00.001Z", log: "hi" });
  });

  it("fails bad records alone, with a parse error code, keeping the raw bytes", async () => {
    const invalid = Buffer.from([0x7b, 0xff, 0x7d]);
    const out = await run('{"a":1}', "{not json", invalid, "[1,2]", "null", '"text"', "");
    expect(out[0]!.ok).toBe(true);
    expect(out[1]!.failure).toMatchObject({ code: "SLUICE_ERR_PARSE", type: "json_parse_exception" });
    expect(out[2]!.failure).toMatchObject({ code: "SLUICE_ERR_PARSE", type: "invalid_utf8" });
    expect(out[2]!.raw.equals(invalid)).toBe(true);
    expect(out[3]!.failure?.reason).toBe("record is JSON an array, not an object");
    expect(out[4]!.failure?.reason).toBe("record is JSON null, not an object");
    expect(out[5]!.failure?.reason).toBe("record is JSON string, not an object");
    expect(out[6]!.failure?.type).toBe("json_parse_exception");
  });

  it("keeps __proto__ as a plain own key, never touching Object.prototype", async () => {
    const [e] = await run('{"__proto__":{"polluted":true},"a":1}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(e!.value, "__proto__")).toBe(true);
  });
});
