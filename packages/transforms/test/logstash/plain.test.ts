import { describe, expect, it } from "vitest";
import { plain } from "../../src/logstash/plain.js";
import { runOne } from "../run.js";

describe("plain (Logstash kafka input, plain codec)", () => {
  it("puts the record's text in message with @version and @timestamp", async () => {
    const e = await runOne(plain(), Buffer.from('{"log":"x"}'));
    expect(e.value).toMatchObject({ "@version": "1", message: '{"log":"x"}' });
    expect(Number.isNaN(Date.parse(e.value["@timestamp"] as string))).toBe(false);
  });

  it("replaces invalid UTF-8 with U+FFFD and keeps the raw bytes; fields can be left out", async () => {
    const raw = Buffer.from([0x61, 0xff, 0x62]);
    const e = await runOne(plain({ logstashFields: false, target: "text" }), raw);
    expect(e.value).toEqual({ text: "a\uFFFDb" });
    expect(e.raw.equals(raw)).toBe(true);
  });
});
