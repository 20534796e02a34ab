// Loads Logstash configuration as Logstash loads it: pipeline files, a Helm chart's values, or a pipelines.yml.
import { dirname, posix } from "node:path";
import { ErrorCode, SluiceError } from "@sluice/core";
import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { LsConfigText, Position } from "./ast.js";
import { type ConfigFiles, diskFiles, mountedFiles } from "./config-files.js";
import { expandConfigPath } from "./config-path.js";
import { LogstashConfigError } from "./errors.js";
import { parseConfigText } from "./parser.js";
import { joinTexts, type LogstashConfig, type LogstashNotice, type LogstashPipeline } from "./pipeline.js";
import { type PipelineDeclaration, readLogstashYml, readPipelinesYml } from "./pipelines-yml.js";
import type { ConfigText } from "./text.js";
import { parseYaml, scalarConfigText } from "./yaml-text.js";

/** Options of {@link loadLogstash}. */
export interface LoadLogstashOptions {
  /**
   * `config.support_escapes` when no logstash.yml or pipelines.yml entry sets it. Default false, Logstash's
   * default: backslashes in quoted strings stay as written.
   */
  supportEscapes?: boolean;
  /**
   * Where a pipelines.yml's relative `path.config` values are resolved. Logstash resolves them against its
   * working directory; the default here is the pipelines.yml's own directory, so a checked-out repository
   * loads the same from anywhere.
   */
  workingDirectory?: string;
}

/** Where the official Logstash image reads its pipeline files, and where the Helm chart mounts `logstashPipeline`. */
export const LOGSTASH_PIPELINE_DIRECTORY = "/usr/share/logstash/pipeline";
/** The official image's working directory, against which a mounted pipelines.yml's relative paths resolve. */
const LOGSTASH_HOME = "/usr/share/logstash";

/**
 * Reads Logstash configuration in any of its forms, as Logstash would run it:
 * - pipeline files, directories or globs (each as Logstash's `path.config`: a directory's files sorted by
 *   name), all joined into ONE pipeline `main`, in the order given;
 * - a Helm chart's values file (`logstashPipeline:` holding the files): the official image's pipelines.yml
 *   reads the whole mounted directory as one pipeline `main`, unless `logstashConfig` supplies its own
 *   pipelines.yml; `logstashConfig`'s logstash.yml settings apply;
 * - a pipelines.yml (a YAML list): its pipelines, each from `config.string` or `path.config`.
 *
 * A `.yml`/`.yaml` file is read as one of the last two and must be given alone. Throws
 * {@link LogstashConfigError} naming the file, line and column of the first problem.
 */
export function loadLogstash(paths: readonly string[], options: LoadLogstashOptions = {}): LogstashConfig {
  if (paths.length === 0) throw new SluiceError(ErrorCode.CONFIG, "no Logstash configuration file given");
  const yaml = paths.filter((path) => /\.ya?ml$/i.test(path));
  if (yaml.length === 0) return loadLogstashFiles(paths, options);
  if (paths.length > 1) {
    throw new SluiceError(
      ErrorCode.CONFIG,
      `${yaml[0]}: a pipelines.yml or Helm values file is read alone, not with other files (${paths.join(", ")})`,
    );
  }
  const file = yaml[0]!;
  const input = diskFiles.read(file);
  const root = parseYaml(input).contents;
  if (isSeq(root)) return pipelinesYml(input, options.workingDirectory ?? dirname(file), options);
  if (isMap(root) && root.has("logstashPipeline")) return helmValues(input, options);
  throw new LogstashConfigError(
    input.locate(root?.range?.[0] ?? 0),
    "neither a pipelines.yml (a list of pipelines) nor Helm values holding `logstashPipeline`",
  );
}

/** Pipeline files, directories or globs joined into one pipeline `main`, as `logstash -f` and the official image read them. */
export function loadLogstashFiles(
  paths: readonly string[],
  options: LoadLogstashOptions = {},
): LogstashConfig {
  const supportEscapes = options.supportEscapes ?? false;
  const texts: LsConfigText[] = [];
  const notices: LogstashNotice[] = [];
  for (const path of paths) {
    const files = configFiles(diskFiles, path, undefined, notices);
    for (const file of files) texts.push(parseConfigText(diskFiles.read(file), { supportEscapes }));
  }
  const settings = options.supportEscapes === undefined ? {} : { "config.support_escapes": supportEscapes };
  return { form: "files", pipelines: [joinTexts("main", texts, settings, notices)] };
}

/** A pipelines.yml file's pipelines. */
export function loadPipelinesYml(file: string, options: LoadLogstashOptions = {}): LogstashConfig {
  return pipelinesYml(diskFiles.read(file), options.workingDirectory ?? dirname(file), options);
}

/** The pipelines a Helm chart's values file runs. */
export function loadHelmValues(file: string, options: LoadLogstashOptions = {}): LogstashConfig {
  return helmValues(diskFiles.read(file), options);
}

function pipelinesYml(
  input: ConfigText,
  workingDirectory: string,
  options: LoadLogstashOptions,
): LogstashConfig {
  const declarations = readPipelinesYml(input);
  const base =
    options.supportEscapes === undefined ? {} : { "config.support_escapes": options.supportEscapes };
  return {
    form: "pipelines.yml",
    pipelines: declarations.map((declaration) =>
      declaredPipeline(diskFiles, declaration, base, (path) => posix.join(workingDirectory, path)),
    ),
  };
}

function helmValues(input: ConfigText, options: LoadLogstashOptions): LogstashConfig {
  const document = parseYaml(input);
  const at = (node: Node | null | undefined): Position => input.locate(node?.range?.[0] ?? 0);
  const pipelineNode = document.get("logstashPipeline", true) as Node | undefined;
  if (!isMap(pipelineNode) || pipelineNode.items.length === 0) {
    throw new LogstashConfigError(
      at(pipelineNode),
      "`logstashPipeline` holds no pipeline file: the chart would run the image's default pipeline",
    );
  }
  const mounted = new Map<string, ConfigText>();
  const notices: LogstashNotice[] = [];
  for (const pair of pipelineNode.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : "";
    const entry = `logstashPipeline["${name}"]`;
    mounted.set(name, scalarConfigText(input, pair.value as Node, entry));
    if (name.startsWith(".")) {
      notices.push({
        position: at(pair.key as Node),
        message: `${entry} is not read: Logstash's path.config glob skips hidden files`,
      });
    }
  }
  const config = document.get("logstashConfig", true) as Node | undefined;
  const configEntry = (name: string): Node | undefined =>
    isMap(config) ? (config.get(name, true) as Node | undefined) : undefined;
  const logstashYml = configEntry("logstash.yml");
  const pipelinesYmlNode = configEntry("pipelines.yml");
  const settings: Record<string, unknown> =
    options.supportEscapes === undefined ? {} : { "config.support_escapes": options.supportEscapes };
  if (logstashYml !== undefined) {
    Object.assign(
      settings,
      readLogstashYml(scalarConfigText(input, logstashYml, `logstashConfig["logstash.yml"]`)),
    );
  }
  const declarations: PipelineDeclaration[] =
    pipelinesYmlNode === undefined
      ? [
          {
            id: "main",
            position: at(pipelineNode),
            pathConfig: { value: LOGSTASH_PIPELINE_DIRECTORY, position: at(pipelineNode) },
            settings: {},
          },
        ]
      : readPipelinesYml(scalarConfigText(input, pipelinesYmlNode, `logstashConfig["pipelines.yml"]`));
  const files = mountedFiles(LOGSTASH_PIPELINE_DIRECTORY, mounted);
  const pipelines = declarations.map((declaration) =>
    declaredPipeline(files, declaration, settings, (path) => posix.join(LOGSTASH_HOME, path)),
  );
  const [first, ...rest] = pipelines;
  return {
    form: "helm-values",
    pipelines: first === undefined ? [] : [{ ...first, notices: [...notices, ...first.notices] }, ...rest],
  };
}

function declaredPipeline(
  files: ConfigFiles,
  declaration: PipelineDeclaration,
  base: Readonly<Record<string, unknown>>,
  resolve: (relative: string) => string,
): LogstashPipeline {
  const settings = { ...base, ...declaration.settings };
  const escapes = settings["config.support_escapes"];
  const supportEscapes = escapes === true || escapes === "true";
  const notices: LogstashNotice[] = [];
  if (declaration.configString !== undefined) {
    if (declaration.pathConfig !== undefined) {
      notices.push({
        position: declaration.pathConfig.position,
        message: `pipeline "${declaration.id}": path.config is ignored, Logstash reads config.string when both are set`,
      });
    }
    const text = parseConfigText(declaration.configString, { supportEscapes });
    return joinTexts(declaration.id, [text], settings, notices);
  }
  const pathConfig = declaration.pathConfig!;
  const path = pathConfig.value.replace(/^file:\/\//i, "");
  if (/^https?:/i.test(path)) {
    throw new LogstashConfigError(
      pathConfig.position,
      `a remote path.config (${path}) is not read by Sluice`,
    );
  }
  const absolute = path.startsWith("/") ? path : resolve(path);
  const texts = configFiles(files, absolute, pathConfig.position, notices).map((file) =>
    parseConfigText(files.read(file), { supportEscapes }),
  );
  return joinTexts(declaration.id, texts, settings, notices);
}

/** The files of one `path.config`, refused when there are none (Logstash would start no pipeline). */
function configFiles(
  files: ConfigFiles,
  path: string,
  position: Position | undefined,
  notices: LogstashNotice[],
): readonly string[] {
  const expanded = expandConfigPath(files, path);
  for (const skipped of expanded.skipped) {
    notices.push({
      position: startOf(files, skipped),
      message: `${skipped} is not read: Logstash skips files ending in ~ as editor backups`,
    });
  }
  if (expanded.files.length === 0) {
    const problem = `no config file found in path ${path} (Logstash would start no pipeline from it)`;
    if (position !== undefined) throw new LogstashConfigError(position, problem);
    throw new SluiceError(ErrorCode.CONFIG, `${path}: ${problem}`);
  }
  return expanded.files;
}

function startOf(files: ConfigFiles, file: string): Position {
  try {
    return files.read(file).locate(0);
  } catch {
    return { file, line: 1, column: 1 };
  }
}
