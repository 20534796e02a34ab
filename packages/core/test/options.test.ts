import { describe, expect, it } from "vitest";
import { ErrorCode, SluiceConfigError } from "../src/errors.js";
import { validateOptions } from "../src/options.js";

const schema = {
  type: "object",
  properties: {
    brokers: { type: "array", items: { type: "string" }, minItems: 1 },
    retries: { type: "integer", minimum: 0, default: 3 },
    mode: { enum: ["a", "b"] },
    nested: { type: "object", properties: { size: { type: "integer" } }, additionalProperties: false },
  },
  required: ["brokers"],
  additionalProperties: false,
} as const;

function errorOf(options: unknown): SluiceConfigError {
  try {
    validateOptions("demo", schema, options);
  } catch (error) {
    if (error instanceof SluiceConfigError) return error;
    throw error;
  }
  throw new Error("expected a SluiceConfigError");
}

describe("validateOptions", () => {
  it("fills defaults and leaves the caller's object alone", () => {
    const input = { brokers: ["k:9092"] };
    const out = validateOptions<{ brokers: string[]; retries: number }>("demo", schema, input);
    expect(out.retries).toBe(3);
    expect(input).toEqual({ brokers: ["k:9092"] });
  });

  it("names the missing option", () => {
    const e = errorOf({});
    expect(e.code).toBe(ErrorCode.CONFIG);
    expect(e.option).toBe("brokers");
    expect(e.message).toBe("demo: option `brokers` is required");
  });

  it("names a mistyped option and what was expected", () => {
    expect(errorOf({ brokers: "k:9092" }).message).toBe("demo: option `brokers` must be array");
    expect(errorOf({ brokers: ["k"], retries: -1 }).message).toMatch(/option `retries` must be >= 0/);
    expect(errorOf({ brokers: ["k"], mode: "c" }).message).toBe(
      'demo: option `mode` must be one of "a", "b"',
    );
    expect(errorOf({ brokers: ["k"], nested: { size: "big" } }).option).toBe("nested.size");
  });

  it("rejects unknown options, which are usually typos", () => {
    const e = errorOf({ brokers: ["k"], retires: 3 });
    expect(e.option).toBe("retires");
    expect(e.message).toMatch(/not a known option/);
  });
});
