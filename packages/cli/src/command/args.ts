// The command line: `sluice <command> <config> [options]`, read once and checked, errors naming the flag.
import { parseArgs } from "node:util";
import { ErrorCode, SluiceError } from "@sluice/core";

/** What the command line asks for. */
export interface CommandLine {
  readonly command: "run" | "check" | "migrate" | "help" | "version";
  /** Which config, in which form: Sluice's own file, Logstash files, or a Vector file. */
  readonly input?: ConfigInput;
  readonly kafkaBrokers?: string;
  readonly esUrl?: string;
  readonly httpHost?: string;
  readonly httpPort?: number;
  readonly exitWhenIdleMs?: number;
  readonly watch: boolean;
  readonly logLevel?: string;
  readonly offline: boolean;
  readonly ts: boolean;
}

/** Where a config comes from. */
export type ConfigInput =
  | { readonly form: "sluice"; readonly file: string }
  | { readonly form: "logstash"; readonly files: readonly string[] }
  | { readonly form: "vector"; readonly file: string };

export const USAGE = `Usage: sluice <command> <config> [options]

Commands:
  run       run the pipelines until SIGTERM (SIGHUP reloads the config)
  check     validate the config, probe Kafka and Elasticsearch, print the plan and its warnings
  migrate   print the config as a Sluice config (--ts: as a TypeScript pipeline)

Config (one of):
  FILE                     a Sluice config (YAML or JSON)
  --logstash FILE...       Logstash pipeline files, directories, a pipelines.yml, or Helm values (logstashPipeline:)
  --vector FILE            a Vector config (YAML, TOML or JSON), or a Kubernetes ConfigMap holding one

Options:
  --kafka-brokers LIST     replace every Kafka address in the config (env KAFKA_BROKERS)
  --es-url URL             replace every Elasticsearch node in the config (env ES_URL)
  --http-host HOST         where /metrics, /health, /livez and /readyz listen (default 127.0.0.1; env SLUICE_HTTP_HOST)
  --http-port PORT         their port (default 9464, 0 picks a free one; env SLUICE_HTTP_PORT)
  --exit-when-idle-ms N    run: stop once caught up and idle for N ms (env SLUICE_EXIT_WHEN_IDLE_MS)
  --watch                  run: reload when a config file changes
  --log-level LEVEL        debug, info, warn or error (env SLUICE_LOG_LEVEL)
  --offline                check: do not connect to Kafka or Elasticsearch
  --ts                     migrate: print a TypeScript pipeline instead of a Sluice config
  -h, --help               this text
  --version                the version
`;

/** Reads `argv` (without node and the script) with `env` for the flags' fallbacks. */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): CommandLine {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return plain("help");
  if (values.version) return plain("version");
  const [command, ...rest] = positionals;
  if (command === undefined) return plain("help");
  if (command !== "run" && command !== "check" && command !== "migrate")
    throw usageError(`unknown command "${command}": run, check or migrate`);
  const logstash = [...(values.logstash ?? []), ...(values.logstash ? rest : [])];
  const forms = [values.logstash ? 1 : 0, values.vector ? 1 : 0, !values.logstash && rest.length > 0 ? 1 : 0];
  if (forms.reduce((a, b) => a + b, 0) !== 1)
    throw usageError("give exactly one config: a Sluice config FILE, --logstash FILE..., or --vector FILE");
  if (values.vector && rest.length > 0)
    throw usageError(`--vector takes one file; unexpected ${rest.join(" ")}`);
  if (!values.logstash && !values.vector && rest.length > 1)
    throw usageError(`one Sluice config file; unexpected ${rest.slice(1).join(" ")}`);
  const input: ConfigInput = values.logstash
    ? { form: "logstash", files: logstash }
    : values.vector
      ? { form: "vector", file: values.vector }
      : { form: "sluice", file: rest[0]! };
  const port = integer("--http-port", values["http-port"] ?? env.SLUICE_HTTP_PORT, 0, 65535);
  const idle = integer("--exit-when-idle-ms", values["exit-when-idle-ms"] ?? env.SLUICE_EXIT_WHEN_IDLE_MS, 1);
  const brokers = values["kafka-brokers"] ?? env.KAFKA_BROKERS;
  const esUrl = values["es-url"] ?? env.ES_URL;
  if (esUrl !== undefined && esUrl !== "" && !/^https?:\/\//.test(esUrl))
    throw usageError(`--es-url (or ES_URL) is "${esUrl}": an http:// or https:// URL`);
  const host = values["http-host"] ?? env.SLUICE_HTTP_HOST;
  const level = values["log-level"] ?? env.SLUICE_LOG_LEVEL;
  if (level !== undefined && !["trace", "debug", "info", "warn", "error", "fatal", "silent"].includes(level))
    throw usageError(`--log-level (or SLUICE_LOG_LEVEL) is "${level}": debug, info, warn or error`);
  return {
    command,
    input,
    ...(brokers ? { kafkaBrokers: brokers } : {}),
    ...(esUrl ? { esUrl } : {}),
    ...(host ? { httpHost: host } : {}),
    ...(port !== undefined ? { httpPort: port } : {}),
    ...(idle !== undefined ? { exitWhenIdleMs: idle } : {}),
    ...(level ? { logLevel: level } : {}),
    watch: values.watch ?? false,
    offline: values.offline ?? false,
    ts: values.ts ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      logstash: { type: "string", multiple: true },
      vector: { type: "string" },
      "kafka-brokers": { type: "string" },
      "es-url": { type: "string" },
      "http-host": { type: "string" },
      "http-port": { type: "string" },
      "exit-when-idle-ms": { type: "string" },
      watch: { type: "boolean" },
      "log-level": { type: "string" },
      offline: { type: "boolean" },
      ts: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    },
  });
}

function plain(command: "help" | "version"): CommandLine {
  return { command, watch: false, offline: false, ts: false };
}

function integer(flag: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw usageError(
      `${flag} is "${text}": an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? " up" : ` to ${max}`}`,
    );
  return value;
}

/** A command-line mistake: SLUICE_ERR_CONFIG, exit code 2 like any config error. */
export function usageError(message: string): SluiceError {
  return new SluiceError(ErrorCode.CONFIG, `${message} (sluice --help)`);
}
