// `sluice migrate`: the plan written as Sluice's own config (or a TypeScript pipeline), warnings as comments.
import { migratePlan } from "../migrate/migrate.js";
import type { CommandLine, ConfigInput } from "./args.js";
import type { CommandIo } from "./io.js";
import { loadPlan, overridesOf } from "./load-plan.js";

/** Prints the migrated config; resolves with 0. */
export async function migrateCommand(
  line: CommandLine & { input: ConfigInput },
  io: CommandIo,
): Promise<number> {
  const plan = await loadPlan(line.input, overridesOf(line), io.env);
  io.out(migratePlan(plan, { ts: line.ts }).replace(/\n$/, ""));
  return 0;
}
