// The process-wide heap growing percent that running pipelines ask V8 for.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { HeapGrowth } from "../src/heap-growth.js";

describe("heap growth", () => {
  const recorded = (processFlags: string[] = []) => {
    const calls: string[] = [];
    return { calls, growth: new HeapGrowth((flags) => calls.push(flags), processFlags) };
  };

  it("holds the largest percent asked for, and V8's own (0) once nothing holds one", () => {
    const { calls, growth } = recorded();
    const a = growth.hold(300);
    const b = growth.hold(100);
    expect(calls).toEqual(["--heap-growing-percent=300"]);
    a();
    expect(growth.percent).toBe(100);
    a();
    b();
    expect(calls).toEqual([
      "--heap-growing-percent=300",
      "--heap-growing-percent=100",
      "--heap-growing-percent=0",
    ]);
    expect(growth.hold(0)).toBeTypeOf("function");
    expect(calls).toHaveLength(3);
  });

  it("leaves a percent the process was started with alone", () => {
    for (const flag of ["--heap-growing-percent=50", "--heap_growing_percent=50"]) {
      const { calls, growth } = recorded(["--conditions=source", flag]);
      expect(growth.ownedByProcess).toBe(true);
      growth.hold(300)();
      expect(calls).toEqual([]);
      expect(growth.percent).toBe(0);
    }
  });

  it("names a flag this Node's V8 has (an unknown one would be ignored without a word)", () => {
    const options = execFileSync(process.execPath, ["--v8-options"], { encoding: "utf8" });
    expect(options).toMatch(/^\s*--heap-growing-percent \(/m);
  });
});
