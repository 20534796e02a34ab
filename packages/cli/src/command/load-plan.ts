// The config named on the command line, read in its form and planned, with the command line's addresses.
import { resolve } from "node:path";
import { loadLogstash } from "../logstash/load.js";
import { planLogstash } from "../logstash/plan/plan-logstash.js";
import type { Plan } from "../plan.js";
import { applyOverrides, type Overrides } from "../run/overrides.js";
import { loadVector } from "../vector/load.js";
import { planVector } from "../vector/plan.js";
import type { ConfigInput } from "./args.js";
import { usageError } from "./args.js";

/** Reads and plans the config; every call reads the files again (a reload's fresh look). */
export async function loadPlan(
  input: ConfigInput,
  overrides: Overrides,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Plan> {
  return applyOverrides(await planOf(input, env), overrides);
}

async function planOf(input: ConfigInput, _env: NodeJS.ProcessEnv): Promise<Plan> {
  switch (input.form) {
    case "logstash": {
      const plan = planLogstash(loadLogstash(input.files));
      return { ...plan, files: plan.files ?? input.files.map((file) => resolve(file)) };
    }
    case "vector": {
      const plan = planVector(loadVector(input.file));
      return { ...plan, files: plan.files ?? [resolve(input.file)] };
    }
    case "sluice":
      throw usageError(`${input.file}: Sluice's own config is not readable yet`);
  }
}
