// The vrl crate's documented examples of every function Sluice's VRL implements: each must give the
// crate's stated result on the oracle (proving the oracle and the comparison) and in Sluice; the
// supported-functions table in packages/transforms/README.md must be the one this run writes.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithOracle } from "./oracle.js";
import {
  startVrlOracle,
  type VrlFunction,
  type VrlOracle,
  vrlCrateVersion,
  vrlOracleBuild,
} from "./vrl/client.js";
import { type ExampleReport, exampleKey, judgeExamples, PINNED_EXAMPLES } from "./vrl/examples.js";
import { functionsTable, TABLE_END, TABLE_README, TABLE_START } from "./vrl/functions-table.js";
import { runSluice, SLUICE_VRL_FUNCTIONS } from "./vrl/sluice.js";

const build = vrlOracleBuild();

describeWithOracle("vrl", build, () => {
  let oracle: VrlOracle;
  let functions: readonly VrlFunction[];
  let reports: ExampleReport[];

  beforeAll(async () => {
    oracle = startVrlOracle(build);
    functions = await oracle.functions();
    reports = await judgeExamples(oracle, functions);
  });
  afterAll(() => oracle?.close());

  const failures = (side: "oracle" | "sluice", ofSupported: boolean) =>
    reports
      .filter((r) => !ofSupported || r.sluice)
      .flatMap((r) => {
        const verdict = r[side];
        return verdict && "pass" in verdict && !verdict.pass
          ? [`${exampleKey(r.function, r.example)}: ${r.example.source}\n  ${verdict.why}`]
          : [];
      });

  it("knows every function Sluice implements", () => {
    const names = new Set(functions.map((fn) => fn.name));
    expect(SLUICE_VRL_FUNCTIONS.filter((name) => !names.has(name))).toEqual([]);
  });

  it("the crate's examples of the functions Sluice implements: the oracle gives each stated result", () => {
    const judged = reports.filter((r) => r.sluice && "pass" in r.oracle);
    expect(judged.length).toBeGreaterThan(50);
    expect(failures("oracle", true)).toEqual([]);
  });

  it("the crate's examples of the functions Sluice implements: Sluice gives each stated result", () => {
    const judged = reports.filter((r) => r.sluice && "pass" in r.sluice);
    const unsupported = reports.filter((r) => r.sluice && "unsupported" in r.sluice);
    // Examples that also call a function Sluice lacks are counted, not failed.
    process.stderr.write(
      `vrl examples: ${judged.length} judged on Sluice, ${unsupported.length} call a function Sluice lacks\n`,
    );
    expect(judged.length).toBeGreaterThan(50);
    expect(failures("sluice", true)).toEqual([]);
  });

  it("pins the examples Sluice deliberately refuses: the crate runs them, Sluice refuses to compile them", async () => {
    const pinned = reports.filter((r) => r.sluice && PINNED_EXAMPLES[exampleKey(r.function, r.example)]);
    expect(pinned.map((r) => exampleKey(r.function, r.example)).sort()).toEqual(
      Object.keys(PINNED_EXAMPLES).sort(),
    );
    for (const r of pinned) {
      expect(r.oracle, exampleKey(r.function, r.example)).toEqual({ pass: true });
      const answer = await oracle.run(r.example.source, [r.example.input ?? {}]);
      expect("results" in answer, r.example.source).toBe(true);
      expect(runSluice(r.example.source, {}), r.example.source).toMatchObject({ compile: "error" });
    }
  });

  it("the README's supported-functions table is the one this run writes (pnpm docs:vrl-functions)", async () => {
    const readme = await readFile(TABLE_README, "utf8");
    const current = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END) + TABLE_END.length);
    expect(current, "run `pnpm docs:vrl-functions` to rewrite it").toBe(
      functionsTable(vrlCrateVersion(), functions, reports, SLUICE_VRL_FUNCTIONS),
    );
  });
});
