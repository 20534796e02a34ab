// The config named on the command line, read in its form and planned, with the command line's addresses.
import { loadLogstash } from "../logstash/load.js";
import { planLogstash } from "../logstash/plan/plan-logstash.js";
import type { Plan } from "../plan.js";
import { applyOverrides, type Overrides } from "../run/overrides.js";
import { loadSluiceConfig } from "../sluice/load.js";
import { loadVector } from "../vector/load.js";
import { planVector } from "../vector/plan.js";
import type { CommandLine, ConfigInput } from "./args.js";

/** The command line's address overrides. */
export function overridesOf(line: CommandLine): Overrides {
  return {
    ...(line.kafkaBrokers ? { kafkaBrokers: line.kafkaBrokers } : {}),
    ...(line.esUrl ? { esUrl: line.esUrl } : {}),
  };
}

/** Reads and plans the config; every call reads the files again (a reload's fresh look). */
export async function loadPlan(
  input: ConfigInput,
  overrides: Overrides,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Plan> {
  return applyOverrides(await planOf(input, env), overrides);
}

async function planOf(input: ConfigInput, env: NodeJS.ProcessEnv): Promise<Plan> {
  switch (input.form) {
    case "logstash": {
      const plan = planLogstash(loadLogstash(input.files));
      return { ...plan, files: plan.files ?? input.files };
    }
    case "vector": {
      const plan = planVector(loadVector(input.file));
      return { ...plan, files: plan.files ?? [input.file] };
    }
    case "sluice":
      return loadSluiceConfig(input.file, { env });
  }
}
