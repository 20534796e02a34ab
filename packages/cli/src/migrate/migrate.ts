// sluice migrate: a plan (from Logstash, Vector or Sluice's own config) as Sluice's config or a TypeScript program.
import type { Plan } from "../plan.js";
import { migrated } from "./model.js";
import { migratedTypeScript } from "./typescript.js";
import { migratedYaml } from "./yaml.js";

/** Options of `migratePlan`. */
export interface MigrateOptions {
  /** A TypeScript program (createPipeline, kafkaSource, the stages, fanOut, elasticsearchSink) instead of a config. */
  readonly ts?: boolean;
}

const FORMS = { logstash: "Logstash", vector: "Vector", sluice: "Sluice" } as const;

/**
 * The plan as Sluice's own config (YAML) or, with `ts`, a TypeScript program, each plan warning a comment
 * (`file:line:column: message`) beside the part it concerns. Credentials are never copied: they become
 * `${VAR}` references (`process.env` in TypeScript), listed in the header. Throws `SLUICE_ERR_CONFIG` for a
 * plan whose stages were not planned with their specs.
 */
export function migratePlan(plan: Plan, options: MigrateOptions = {}): string {
  const parts = migrated(plan);
  const from = `${FORMS[plan.form]} config${plan.files === undefined || plan.files.length === 0 ? "" : ` ${plan.files.join(", ")}`}`;
  const header = [
    options.ts
      ? `Sluice pipelines written by \`sluice migrate --ts\` from the ${from}.`
      : `Sluice config written by \`sluice migrate\` from the ${from}; run it with \`sluice run\`.`,
    ...(parts.secrets.length === 0
      ? []
      : [
          options.ts
            ? "Credentials are not copied here: set these environment variables:"
            : `Credentials are not copied here: set these environment variables (or write \${file:PATH} in their place):`,
          ...parts.secrets.map((secret) => `  ${secret.name}: ${secret.options.join(", ")}`),
        ]),
  ];
  return options.ts ? migratedTypeScript(parts, header) : migratedYaml(parts, header);
}
