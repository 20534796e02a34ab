// `sluice check`: the plan as a migrating team reads it, then what Kafka and Elasticsearch say of it.
import { checkPlan } from "../check/check-plan.js";
import type { CommandLine, ConfigInput } from "./args.js";
import type { CommandIo } from "./io.js";
import { loadPlan, overridesOf } from "./load-plan.js";

/** Prints the plan and the probes' results; resolves with 0, or 1 when a probe failed. */
export async function checkCommand(
  line: CommandLine & { input: ConfigInput },
  io: CommandIo,
): Promise<number> {
  const plan = await loadPlan(line.input, overridesOf(line), io.env);
  const result = await checkPlan(plan, { offline: line.offline });
  io.out(result.text.replace(/\n$/, ""));
  return result.exitCode;
}
