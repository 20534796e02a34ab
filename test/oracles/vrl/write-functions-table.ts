// Writes the supported-functions table into packages/transforms/README.md (pnpm docs:vrl-functions):
// runs the vrl crate's function examples on the oracle and on Sluice, then fills the marked section.
import { readFile, writeFile } from "node:fs/promises";
import { startVrlOracle, vrlCrateVersion } from "./client.js";
import { judgeExamples } from "./examples.js";
import { functionsTable, TABLE_README, withTable } from "./functions-table.js";
import { SLUICE_VRL_FUNCTIONS } from "./sluice.js";

const oracle = startVrlOracle();
try {
  const functions = await oracle.functions();
  const reports = await judgeExamples(oracle, functions);
  const table = functionsTable(vrlCrateVersion(), functions, reports, SLUICE_VRL_FUNCTIONS);
  await writeFile(TABLE_README, withTable(await readFile(TABLE_README, "utf8"), table));
  console.log(
    `docs: ${TABLE_README.pathname} lists ${functions.length} functions of vrl ${vrlCrateVersion()}`,
  );
} finally {
  await oracle.close();
}
