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

describe("validateOptions: every mistake at once, nothing of the caller's changed", () => {
  it("names every unknown option, each with the known option it is closest to", () => {
    const e = errorOf({ brokers: ["k"], retires: 3, mdoe: "a", nested: { szie: 1 }, zzzzzzzz: true });
    expect(e.code).toBe(ErrorCode.CONFIG);
    expect(e.option).toBe("retires");
    // An object's own unknown options first, then those of the objects inside it.
    expect(e.options).toEqual(["retires", "mdoe", "zzzzzzzz", "nested.szie"]);
    expect(e.message).toBe(
      "demo: option `retires` is not a known option (did you mean `retries`?); nor are `mdoe` (did you mean " +
        "`mode`?), `zzzzzzzz`, `nested.szie` (did you mean `nested.size`?)",
    );
  });

  it("an option known to one alternative of an anyOf is not called unknown", () => {
    const auth = {
      type: "object",
      properties: {
        auth: {
          anyOf: [
            {
              type: "object",
              properties: { username: { type: "string" }, password: { type: "string" } },
              additionalProperties: false,
            },
            { type: "object", properties: { apiKey: { type: "string" } }, additionalProperties: false },
          ],
        },
      },
      additionalProperties: false,
    } as const;
    expect(() => validateOptions("demo", auth, { auth: { username: "u", passwrd: "p" } })).toThrow(
      "demo: option `auth.passwrd` is not a known option (did you mean `auth.password`?)",
    );
  });

  it("never writes defaults into the caller's objects, nested ones included", () => {
    const nestedDefaults = {
      type: "object",
      properties: {
        http: {
          type: "object",
          properties: { port: { type: "integer" }, host: { type: "string", default: "127.0.0.1" } },
          additionalProperties: false,
        },
        tags: {
          type: "array",
          items: { type: "object", properties: { on: { type: "boolean", default: true } } },
        },
      },
      additionalProperties: false,
    } as const;
    const input = { http: { port: 9464 }, tags: [{}] };
    const out = validateOptions<{ http: { port: number; host: string }; tags: Array<{ on: boolean }> }>(
      "demo",
      nestedDefaults,
      input,
    );
    expect(out).toEqual({ http: { port: 9464, host: "127.0.0.1" }, tags: [{ on: true }] });
    expect(input).toEqual({ http: { port: 9464 }, tags: [{}] });
  });
});
