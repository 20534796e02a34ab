import { describe, expect, it } from "vitest";
import { filter, route, routeOf } from "../src/route.js";
import { runStage } from "./run.js";

type Doc = { stream?: string; level?: string };

describe("filter and route", () => {
  it("filter drops (acknowledges without delivering) what keep refuses", async () => {
    const out = await runStage(filter<Doc>({ keep: (d) => d.stream === "stderr" }), [
      { stream: "stdout" },
      { stream: "stderr" },
    ]);
    expect(out.map((e) => e.dropped)).toEqual([true, false]);
  });

  it("route names the first matching route in the event's metadata, never in the document", async () => {
    const stage = route<Doc>({
      routes: { errors: (d) => d.level === "error", stderr: (d) => d.stream === "stderr" },
      unmatched: { route: "rest" },
    });
    const out = await runStage(stage, [{ level: "error", stream: "stderr" }, { stream: "stderr" }, {}]);
    expect(out.map(routeOf)).toEqual(["errors", "stderr", "rest"]);
    expect(out[0]!.value).toEqual({ level: "error", stream: "stderr" });
  });

  it("sends unmatched events to dead letters by default, or drops them", async () => {
    const [dead] = await runStage(route<Doc>({ routes: { a: () => false } }), [{}]);
    expect(dead!.failure?.type).toBe("unmatched_route");
    const [dropped] = await runStage(route<Doc>({ routes: { a: () => false }, unmatched: "drop" }), [{}]);
    expect(dropped!.dropped).toBe(true);
  });

  it("fails construction naming the option", () => {
    expect(() => route({ routes: {} })).toThrow(/option `routes`/);
    expect(() => route({ routes: { a: "x" as never } })).toThrow(/option `routes.a`/);
    expect(() => route({ routes: { a: () => true }, unmatched: "x" as never })).toThrow(/option `unmatched`/);
    expect(() => filter({} as never)).toThrow(/option `keep`/);
  });
});
