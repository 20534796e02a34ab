import { describe, expect, it } from "vitest";
import { validateSchema } from "../src/validate-schema.js";
import { runStage } from "./run.js";

const schema = {
  type: "object",
  required: ["@timestamp", "kubernetes"],
  properties: { kubernetes: { type: "object", properties: { pod_name: { type: "string" } } } },
};

describe("validateSchema", () => {
  it("passes matching documents untouched and fails the others with ajv's message", async () => {
    const [good, bad, missing] = await runStage(validateSchema({ schema }), [
      { "@timestamp": "t", kubernetes: { pod_name: "p" } },
      { "@timestamp": "t", kubernetes: { pod_name: 7 } },
      { log: "x" },
    ]);
    expect(good!.ok).toBe(true);
    expect(bad!.failure).toMatchObject({
      type: "schema_validation_exception",
      reason: "document/kubernetes/pod_name must be string",
      stage: "validateSchema",
    });
    expect(missing!.failure?.reason).toBe("document must have required property '@timestamp'");
  });

  it("fails construction on an invalid schema, naming the option", () => {
    expect(() => validateSchema({ schema: { type: "no-such-type" } })).toThrow(
      /option `schema` is not a valid/,
    );
    expect(() => validateSchema({} as never)).toThrow(/option `schema`/);
  });
});
