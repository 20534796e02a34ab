import { describe, expect, it } from "vitest";
import { BulkAwareSerializer } from "../src/serializer.js";

describe("BulkAwareSerializer", () => {
  const serializer = new BulkAwareSerializer();

  it("answers a bulk response in which nothing failed without parsing its items", () => {
    const items = Array.from({ length: 3 }, () => '{"create":{"status":201}}').join(",");
    expect(serializer.deserialize(`{"errors":false,"items":[${items}]}`)).toEqual({ errors: false });
    expect(serializer.deserialize('{"errors":false}')).toEqual({ errors: false });
  });

  it("parses everything else as JSON: failures, other answers, look-alikes", () => {
    const failed = '{"errors":true,"items":[{"create":{"status":400,"error":{"type":"x"}}}]}';
    expect(serializer.deserialize(failed)).toEqual(JSON.parse(failed));
    expect(serializer.deserialize('{"errors":falsey}'.replace("falsey", '"no"'))).toEqual({ errors: "no" });
    expect(serializer.deserialize('{"took":3,"errors":false,"items":[]}')).toEqual({
      took: 3,
      errors: false,
      items: [],
    });
    expect(serializer.deserialize('{"count":7}')).toEqual({ count: 7 });
    expect(() => serializer.deserialize("{not json")).toThrow();
  });
});
