import { describe, expect, it } from "vitest";
import { replaceDots } from "../../src/fluent-bit/replace-dots.js";
import { runOne } from "../run.js";

describe("replaceDots (Fluent Bit Replace_Dots)", () => {
  it("rewrites dots in keys at every level, in arrays too, keeping key order and values", async () => {
    const e = await runOne(replaceDots(), {
      "@timestamp": "t",
      "a.b": "x.y",
      kubernetes: { labels: { "app.kubernetes.io/name": "gw", plain: 1 } },
      list: [{ "k.v": 1 }, "s.t"],
    });
    expect(e.value).toEqual({
      "@timestamp": "t",
      a_b: "x.y",
      kubernetes: { labels: { "app_kubernetes_io/name": "gw", plain: 1 } },
      list: [{ k_v: 1 }, "s.t"],
    });
    expect(Object.keys(e.value)).toEqual(["@timestamp", "a_b", "kubernetes", "list"]);
  });

  it("fails documents deeper than maxDepth instead of walking them", async () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 50; i++) deep = { "n.n": deep };
    const e = await runOne(replaceDots({ maxDepth: 20 }), deep);
    expect(e.failure?.type).toBe("depth_limit_exceeded");
  });

  it("refuses a replacement containing a dot", () => {
    expect(() => replaceDots({ replacement: "." })).toThrow(/option `replacement`/);
  });
});
