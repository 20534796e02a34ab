// Structured logs through pino, with credentials redacted wherever they appear in logged objects.
import { type Logger as PinoLogger, pino } from "pino";

export type Logger = PinoLogger;

/** Paths whose values never reach a log line. */
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

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Where lines go; default stderr so stdout stays free for the application. */
  destination?: NodeJS.WritableStream | pino.DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? "sluice",
      level: options.level ?? process.env.SLUICE_LOG_LEVEL ?? "info",
      redact: { paths: redactedPaths, censor: "[redacted]" },
      base: undefined,
    },
    (options.destination as pino.DestinationStream | undefined) ?? pino.destination(2),
  );
}

/** A logger that drops everything, for tests and embedded uses that bring their own logging. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
