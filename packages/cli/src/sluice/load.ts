// loadSluiceConfig: a Sluice config file (YAML or JSON) read, interpolated, validated by its schema and planned.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { SluiceConfigError } from "@sluice/core";
import { elasticsearchDeadLetters, elasticsearchSink } from "@sluice/sink-elasticsearch";
import type { Plan, PlannedPipeline, PlannedTarget } from "../plan.js";
import type { OptionPath } from "../vector/document.js";
import { conditionAt } from "./conditions.js";
import { type ConfigDocument, configDocument } from "./document.js";
import { SluiceConfigFileError } from "./errors.js";
import { sluiceConfigSchema } from "./schema.js";
import { buildStages } from "./stage-list.js";
import { type StageEntry, sluiceStages } from "./stages.js";
import { validateConfig } from "./validate.js";

/** How to load a Sluice config. */
export interface LoadSluiceConfigOptions {
  /** The variables `${VAR}` reads. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The stages the config may name. Default `sluiceStages`; spread more entries in to extend it. */
  readonly stages?: Readonly<Record<string, StageEntry>>;
}

type Options = Record<string, unknown>;

interface SluiceConfig {
  kafka?: Options;
  elasticsearch?: Options;
  pipelines: Array<{
    name: string;
    source: Options;
    targets: Array<{ name: string; when?: unknown; elasticsearch: Options }>;
    unrouted?: "dead-letter" | "drop";
  }>;
  deadLetters?: Options;
  flow?: Options;
  http?: { host?: string; port?: number };
  logging?: { level?: string };
}

// One schema per registry, built the first time it is used.
const schemas = new WeakMap<object, object>();

/**
 * Reads the Sluice config at `path` into a Plan (form `sluice`). Every mistake throws a
 * SluiceConfigFileError (`SLUICE_ERR_CONFIG`) naming the file, line:column and option path.
 */
export async function loadSluiceConfig(path: string, options: LoadSluiceConfigOptions = {}): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new SluiceConfigFileError({ file: path, line: 1, column: 1 }, "", `cannot be read (${code})`, {
      cause: error,
    });
  }
  const document = configDocument(text, path, {
    env: options.env ?? process.env,
    baseDir: dirname(resolve(path)),
  });
  const registry = options.stages ?? sluiceStages;
  let schema = schemas.get(registry);
  if (schema === undefined) {
    schema = sluiceConfigSchema(registry);
    schemas.set(registry, schema);
  }
  validateConfig(document, schema);
  return plan(document, registry);
}

async function plan(document: ConfigDocument, registry: Readonly<Record<string, StageEntry>>): Promise<Plan> {
  const config = document.value as unknown as SluiceConfig;
  const elasticsearch = config.elasticsearch ?? {};
  const pipelines: PlannedPipeline[] = [];
  const names = new Set<string>();
  for (const [i, pipeline] of config.pipelines.entries()) {
    const at: OptionPath = ["pipelines", i];
    if (names.has(pipeline.name)) throw document.refuse([...at, "name"], "is the name of another pipeline");
    names.add(pipeline.name);
    const source = { ...config.kafka, ...pipeline.source };
    for (const key of ["brokers", "groupId"])
      if (source[key] === undefined)
        throw document.refuse(
          [...at, "source", key],
          "is required (in the pipeline's source or in `kafka:`)",
        );
    if (source.topics === undefined && source.topicPattern === undefined)
      throw document.refuse([...at, "source", "topics"], "is required (or give `topicPattern`)");
    const stages = await buildStages(document, [...at, "stages"], registry);
    pipelines.push({
      name: pipeline.name,
      source,
      stages: stages.stages,
      stageTexts: stages.texts,
      targets: targets(document, at, pipeline.targets, elasticsearch),
      unrouted: pipeline.unrouted ?? "dead-letter",
    });
  }
  const deadLetters = deadLettersOf(document, config, elasticsearch);
  return {
    form: "sluice",
    pipelines,
    warnings: [],
    ...(deadLetters === undefined ? {} : { deadLetters: { sink: deadLetters } }),
    ...(config.flow === undefined ? {} : { flow: config.flow }),
    ...(config.http === undefined ? {} : { http: config.http }),
    ...(config.logging === undefined ? {} : { logging: config.logging }),
    files: [document.file],
  };
}

function targets(
  document: ConfigDocument,
  at: OptionPath,
  list: SluiceConfig["pipelines"][number]["targets"],
  elasticsearch: Options,
): PlannedTarget[] {
  const names = new Set<string>();
  return list.map((target, j) => {
    const path = [...at, "targets", j];
    if (names.has(target.name))
      throw document.refuse([...path, "name"], "is the name of another target of this pipeline");
    names.add(target.name);
    const sink = { ...elasticsearch, ...target.elasticsearch };
    if (sink.node === undefined)
      throw document.refuse(
        [...path, "elasticsearch", "node"],
        "is required (in the target or in `elasticsearch:`)",
      );
    // The sink's own cross-option checks (a data stream with `action: index`, ...), before anything connects.
    checked(document, [...path, "elasticsearch"], () => elasticsearchSink(sink as never));
    const when = target.when === undefined ? undefined : conditionAt(document, [...path, "when"]);
    return {
      name: target.name,
      sink,
      ...(when === undefined ? {} : { when: when.when, whenText: when.text }),
    };
  });
}

/** The dead letters' options: `deadLetters:` over `elasticsearch:`; absent when neither is written. */
function deadLettersOf(
  document: ConfigDocument,
  config: SluiceConfig,
  elasticsearch: Options,
): Options | undefined {
  if (config.deadLetters === undefined && config.elasticsearch === undefined) return undefined;
  const sink: Options = { ...elasticsearch, index: "sluice-dead-letter", ...config.deadLetters };
  const path = config.deadLetters === undefined ? ["elasticsearch"] : ["deadLetters"];
  if (sink.node === undefined)
    throw document.refuse([...path, "node"], "is required (in `deadLetters:` or in `elasticsearch:`)");
  checked(document, path, () => elasticsearchDeadLetters(sink as never));
  return sink;
}

/** Runs a package's own validation; its SluiceConfigError is refused at the option it names. */
function checked(document: ConfigDocument, path: OptionPath, build: () => unknown): void {
  try {
    build();
  } catch (error) {
    if (!(error instanceof SluiceConfigError)) throw error;
    const inside = error.option.split(".").filter((part) => part !== "" && part !== "(root)");
    const problem = error.message.slice(
      error.message.indexOf(`\`${error.option}\``) + error.option.length + 3,
    );
    throw document.refuse([...path, ...inside], problem, error);
  }
}
