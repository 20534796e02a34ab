// Structured logs through pino, with credentials kept out: values under secret-looking keys at any depth
// and in any case, the secret strings components declare, and passwords in URLs.
import { type Logger as PinoLogger, pino } from "pino";
import { Secrets } from "./secrets.js";

/** The logger Sluice writes to and components receive: a pino logger. */
export type Logger = PinoLogger;

/**
 * Paths whose values never reach a log line. Kept for callers that configure pino themselves; Sluice's
 * own loggers redact every key that names a credential, at any depth (secrets.ts).
 */
export const redactedPaths = [
  "password",
  "*.password",
  "*.*.password",
  "apiKey",
  "*.apiKey",
  "*.*.apiKey",
  "api_key",
  "*.api_key",
  "token",
  "*.token",
  "*.*.token",
  "bearer",
  "*.bearer",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.*.headers.authorization",
  "sasl",
  "*.sasl",
  "*.*.sasl",
];

/** The options of `createLogger`. */
export interface LoggerOptions {
  /**
   * The lowest level written (a pino level name). Default the `SLUICE_LOG_LEVEL` environment variable, else
   * `info`.
   */
  level?: string;
  /** The `name` field of every line. Default `sluice`. */
  name?: string;
  /** Where lines go; default stderr so stdout stays free for the application. */
  destination?: NodeJS.WritableStream | pino.DestinationStream;
}

/**
 * A pino logger writing JSON lines (to stderr by default) whose lines and children's bindings are scrubbed of
 * values under secret-looking keys and of URL passwords.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return scrubbingLogger(
    pino(
      {
        name: options.name ?? "sluice",
        level: options.level ?? process.env.SLUICE_LOG_LEVEL ?? "info",
        base: undefined,
      },
      (options.destination as pino.DestinationStream | undefined) ?? pino.destination(2),
    ),
  );
}

/** A logger that drops everything, for tests and embedded uses that bring their own logging. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

const LOG_METHODS = new Set<string | symbol>(["trace", "debug", "info", "warn", "error", "fatal"]);

/**
 * `logger` (any pino logger, the application's own included) with every argument of every line, and
 * every child's bindings, scrubbed by `secrets` first; children are scrubbed the same way.
 */
export function scrubbingLogger(logger: Logger, secrets: Secrets = new Secrets()): Logger {
  return new Proxy(logger, {
    get(target, property) {
      if (LOG_METHODS.has(property)) {
        const method = target[property as "info"] as (...args: unknown[]) => void;
        return (...args: unknown[]) => {
          if (!target.isLevelEnabled(property as string)) return;
          method.apply(target, scrubArguments(args, secrets));
        };
      }
      if (property === "child")
        return (bindings: pino.Bindings, options?: pino.ChildLoggerOptions) =>
          scrubbingLogger(target.child(secrets.scrubValue(bindings) as pino.Bindings, options), secrets);
      if (property === "setBindings")
        return (bindings: pino.Bindings) => target.setBindings(secrets.scrubValue(bindings) as pino.Bindings);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
    set(target, property, value) {
      return Reflect.set(target, property, value, target);
    },
  });
}

function scrubArguments(args: unknown[], secrets: Secrets): unknown[] {
  const [first, ...rest] = args;
  // An error alone becomes { err }, as pino would log it, with its message as the line's message.
  const head = first instanceof Error ? { err: secrets.scrubValue(first) } : secrets.scrubValue(first);
  if (first instanceof Error && rest.length === 0) rest.push(first.message);
  return [head, ...rest.map((arg) => secrets.scrubValue(arg))];
}
