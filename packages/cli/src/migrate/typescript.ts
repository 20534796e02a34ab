// A migrated plan as a TypeScript program composing the packages' API, each warning a comment beside the part it concerns.
import type { ConditionSpec, PlanWarning, StageSpec } from "../plan.js";
import { type Migrated, type MigratedTarget, warningText, wholeConfigLines } from "./model.js";
import { isConditional } from "./placement.js";
import { SecretRef } from "./secrets.js";
import { cliStages } from "./stages.js";

// Stages a spec names that @sluice/source-kafka exports; any other non-CLI name is @sluice/transforms'.
const SOURCE_KAFKA_STAGES = new Set(["kafkaMetadata"]);

/** The program's text. */
export function migratedTypeScript(migrated: Migrated, header: readonly string[]): string {
  const printed = new Set<PlanWarning>();
  const transforms = new Set<string>();
  const sourceKafka = new Set<string>(["kafkaSource"]);
  const cli = new Set<string>();
  const conditions = new Map<string, string>();
  const customs: string[] = [];
  const comments = (
    pad: string,
    warnings: readonly PlanWarning[] | undefined,
    notes: readonly string[] = [],
  ) => {
    const fresh = (warnings ?? []).filter((warning) => !printed.has(warning));
    for (const warning of fresh) printed.add(warning);
    return [...notes, ...fresh.map(warningText)].map((line) => `${pad}// ${line}\n`).join("");
  };
  const beside = migrated.placement.beside;
  const condition = (spec: ConditionSpec): string => {
    const helper = typeof spec === "string" ? "vrlCondition" : "logstashCondition";
    cli.add(helper);
    const call = `${helper}(${literal(typeof spec === "string" ? spec : spec.logstash)})`;
    let name = conditions.get(call);
    if (name === undefined) {
      name = `condition${conditions.size + 1}`;
      conditions.set(call, name);
    }
    return name;
  };
  const stage = (spec: StageSpec, pad: string): string => {
    const before = comments(pad, beside.get(spec));
    if (isConditional(spec)) {
      cli.add("conditionalStage");
      const then = stageList(spec.then, `${pad}  `);
      const otherwise = spec.else === undefined ? "" : `, ${stageList(spec.else, `${pad}  `)}`;
      return `${before}${pad}conditionalStage(${condition(spec.when)}, ${then}${otherwise})`;
    }
    const [name, options] = Object.entries(spec)[0]!;
    if (name === "filter") {
      transforms.add("filter");
      const keep = condition((options as { condition: string }).condition);
      return `${before}${pad}filter<unknown>({ keep: (_value, event) => ${keep}(event) })`;
    }
    if (name === "stage") {
      const custom = options as { module: string; export: string; options?: unknown };
      customs.push(custom.module);
      return `${before}${pad}(await import(${literal(custom.module)}))[${literal(custom.export)}](${code(custom.options ?? {}, pad)})`;
    }
    if (Object.hasOwn(cliStages, name)) {
      cli.add("cliStage");
      return `${before}${pad}cliStage(${literal(name)}, ${code(options, pad)})`;
    }
    (SOURCE_KAFKA_STAGES.has(name) ? sourceKafka : transforms).add(name);
    return `${before}${pad}${name}(${code(options, pad)})`;
  };
  const stageList = (specs: readonly StageSpec[], pad: string): string =>
    specs.length === 0 ? "[]" : `[\n${specs.map((spec) => `${stage(spec, `${pad}  `)},\n`).join("")}${pad}]`;
  const sink = (target: MigratedTarget, pad: string) =>
    `elasticsearchSink(${code(spreadOver("elasticsearch", migrated.elasticsearch, target.sink), pad)})`;

  const body: string[] = [];
  for (const pipeline of migrated.pipelines) {
    const pad = "    ";
    let text = comments("  ", beside.get(pipeline.index));
    text += "  createPipeline({\n";
    text += `${pad}name: ${literal(pipeline.name)},\n`;
    text += `${pad}source: kafkaSource(${code(spreadOver("kafka", migrated.kafka, pipeline.source), pad)}),\n`;
    text += `${pad}stages: dynamicStages(${stageList(pipeline.stages, pad)}),\n`;
    const only = pipeline.targets[0]!;
    if (pipeline.targets.length === 1 && only.when === undefined) {
      text += comments(pad, beside.get(only.planned), only.notes);
      text += `${pad}sink: ${sink(only, pad)},\n`;
    } else {
      text += `${pad}sink: fanOut({\n${pad}  targets: [\n`;
      for (const target of pipeline.targets) {
        const inner = `${pad}    `;
        text += comments(inner, beside.get(target.planned), target.notes);
        text += `${inner}{\n${inner}  name: ${literal(target.name)},\n`;
        if (target.when !== undefined) text += `${inner}  when: ${condition(target.when)},\n`;
        text += `${inner}  sink: ${sink(target, `${inner}  `)},\n${inner}},\n`;
      }
      text += `${pad}  ],\n${pad}  unrouted: ${literal(pipeline.unrouted)},\n${pad}}),\n`;
    }
    const deadLetters = migrated.deadLetters ?? { index: "sluice-dead-letter" };
    text += `${pad}deadLetters: elasticsearchDeadLetters(${code(spreadOver("elasticsearch", migrated.elasticsearch, deadLetters), pad)}),\n`;
    if (migrated.plan.flow !== undefined) text += `${pad}flow: ${code(migrated.plan.flow, pad)},\n`;
    if (pipeline.index === 0 && migrated.plan.http !== undefined)
      text += `${pad}http: ${code(migrated.plan.http, pad)},\n`;
    text += "  }),\n";
    body.push(text);
  }

  const unprinted = [...beside.values()].flat().filter((warning) => !printed.has(warning));
  const headerLines = [...header, ...wholeConfigLines([...migrated.placement.header, ...unprinted])];
  const core = ["createPipeline", "dynamicStages", "runUntilSignal"];
  if (migrated.pipelines.some((p) => p.targets.length > 1 || p.targets[0]?.when !== undefined))
    core.push("fanOut");
  const imports = [
    `import { ${core.sort().join(", ")} } from "@sluice/core";`,
    `import { elasticsearchDeadLetters, elasticsearchSink } from "@sluice/sink-elasticsearch";`,
    `import { ${[...sourceKafka].sort().join(", ")} } from "@sluice/source-kafka";`,
    ...(transforms.size === 0
      ? []
      : [`import { ${[...transforms].sort().join(", ")} } from "@sluice/transforms";`]),
    ...(cli.size === 0 ? [] : [`import { ${[...cli].sort().join(", ")} } from "@sluice/cli";`]),
  ];
  const secrets =
    migrated.secrets.length === 0
      ? ""
      : [
          "/** A credential from the environment: the program stops at start without it. */",
          "function env(name: string): string {",
          "  const value = process.env[name];",
          `  if (value === undefined) throw new Error(\`set the environment variable \${name}\`);`,
          "  return value;",
          "}",
        ].join("\n");
  const defaults = [
    ...(Object.keys(migrated.kafka).length === 0 ? [] : [`const kafka = ${code(migrated.kafka, "")};`]),
    ...(Object.keys(migrated.elasticsearch).length === 0
      ? []
      : [`const elasticsearch = ${code(migrated.elasticsearch, "")};`]),
  ];
  const conditionLines = [...conditions].map(([call, name]) => `const ${name} = ${call};`);
  return [
    headerLines.map((line) => `// ${line}`.trimEnd()).join("\n"),
    imports.join("\n"),
    secrets.trim(),
    defaults.join("\n"),
    conditionLines.join("\n"),
    `const pipelines = [\n${body.join("")}];`,
    "// SIGTERM/SIGINT drain every pipeline and commit; a pipeline that did not drain sets the exit code to 1.\nawait Promise.all(pipelines.map((pipeline) => runUntilSignal(pipeline)));",
  ]
    .filter((part) => part.length > 0)
    .join("\n\n")
    .concat("\n");
}

/** `{ ...name, ...options }` when there are defaults, else the options. */
function spreadOver(
  name: string,
  defaults: Record<string, unknown>,
  options: Record<string, unknown>,
): unknown {
  return Object.keys(defaults).length === 0 ? options : new Spread(name, options);
}

class Spread {
  constructor(
    readonly name: string,
    readonly options: Record<string, unknown>,
  ) {}
}

/** A string as a TypeScript literal; single quotes when that spares escaping a condition's double quotes. */
function literal(text: string): string {
  if (text.includes('"') && !/['\\\n\r\u2028\u2029]/.test(text)) return `'${text}'`;
  return JSON.stringify(text);
}

/** Option data as a TypeScript expression; credentials read from the environment. */
function code(value: unknown, pad: string): string {
  if (value instanceof SecretRef) {
    const parts = [
      ...(value.before === "" ? [] : [literal(value.before)]),
      `env(${literal(value.name)})`,
      ...(value.after === "" ? [] : [literal(value.after)]),
    ];
    return parts.join(" + ");
  }
  if (value instanceof Spread) {
    const rest = Object.entries(value.options);
    const inner = `${pad}  `;
    return `{\n${inner}...${value.name},\n${rest.map(([key, item]) => `${inner}${property(key)}: ${code(item, inner)},\n`).join("")}${pad}}`;
  }
  if (typeof value === "string") return literal(value);
  if (value === undefined) return "undefined";
  if (value === null || typeof value !== "object") return String(value);
  const inner = `${pad}  `;
  if (Array.isArray(value)) {
    const items = value.map((item) => code(item, inner));
    const line = `[${items.join(", ")}]`;
    return line.length <= 80 && !line.includes("\n")
      ? line
      : `[\n${items.map((item) => `${inner}${item},\n`).join("")}${pad}]`;
  }
  const entries = Object.entries(value).map(([key, item]) => `${property(key)}: ${code(item, inner)}`);
  if (entries.length === 0) return "{}";
  const line = `{ ${entries.join(", ")} }`;
  return line.length <= 80 && !line.includes("\n")
    ? line
    : `{\n${entries.map((entry) => `${inner}${entry},\n`).join("")}${pad}}`;
}

function property(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : literal(key);
}
