// Connection options shared by the source and the Kafka dead-letter writer: brokers, SASL and TLS,
// turned into kafkajs's client configuration.
import { readFileSync } from "node:fs";
import {
  describeError,
  ErrorCode,
  isTlsError,
  type Logger,
  SluiceConfigError,
  SluiceError,
} from "@sluice/core";
import kafkajs, { type KafkaConfig, type SASLOptions } from "kafkajs";
import { kafkaLogCreator } from "./kafka-logger.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { logLevel } = kafkajs;

/** How to reach Kafka: the options the source and the Kafka dead letters share. */
export interface KafkaConnectionOptions {
  /** Bootstrap brokers, as an array or a comma-separated string ("host:9092,host2:9092"). */
  brokers: string[] | string;
  /** The client id Kafka sees. Default `sluice` for the source, `sluice-dead-letters` for dead letters. */
  clientId?: string;
  /** How long connecting to one broker may take (ms). Default 3000. */
  connectionTimeoutMs?: number;
  /** SASL authentication; PLAIN without `ssl` logs a warning, as the password then travels in clear. */
  sasl?: {
    /** The SASL mechanism. */
    mechanism: "plain" | "scram-sha-256" | "scram-sha-512";
    /** The user name. */
    username: string;
    /** The password; kept out of logs, errors, `/health` and dead letters. */
    password: string;
  };
  /** `true` for TLS with the system's CAs, or files for a private CA and client certificates. */
  ssl?:
    | boolean
    | {
        /** A PEM file of the CA that signed the brokers' certificates. */
        caFile?: string;
        /** A PEM file of the client certificate, for mutual TLS. */
        certFile?: string;
        /** A PEM file of the client certificate's private key. */
        keyFile?: string;
        /** Verify the brokers' certificates. Default true; false logs a warning. */
        rejectUnauthorized?: boolean;
      };
}

/** Brokers as an array or a comma-separated string. */
export const brokersSchema = {
  anyOf: [
    { type: "string", minLength: 1 },
    { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
  ],
} as const;

export const connectionSchema = {
  brokers: brokersSchema,
  clientId: { type: "string", minLength: 1 },
  connectionTimeoutMs: { type: "integer", minimum: 100, default: 3000 },
  sasl: {
    type: "object",
    properties: {
      mechanism: { enum: ["plain", "scram-sha-256", "scram-sha-512"] },
      username: { type: "string", minLength: 1 },
      password: { type: "string" },
    },
    required: ["mechanism", "username", "password"],
    additionalProperties: false,
  },
  ssl: {
    anyOf: [
      { type: "boolean" },
      {
        type: "object",
        properties: {
          caFile: { type: "string", minLength: 1 },
          certFile: { type: "string", minLength: 1 },
          keyFile: { type: "string", minLength: 1 },
          rejectUnauthorized: { type: "boolean" },
        },
        additionalProperties: false,
      },
    ],
  },
} as const;

/**
 * Brokers as a list, each checked to be `host:port` with a port from 1 to 65535 (`[v6 address]:port` too):
 * kafkajs takes a broker without one and fails only when it connects, seconds later and far from the option.
 */
export function parseBrokers(brokers: string | string[], component = "kafka"): string[] {
  const list = (typeof brokers === "string" ? brokers.split(",") : brokers)
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (list.length === 0) throw new SluiceConfigError(component, "brokers", "names no broker");
  for (const broker of list) {
    const match = /^(\[[0-9A-Fa-f:.]+\]|[^:\s[\]]+):(\d+)$/.exec(broker);
    const port = Number(match?.[2]);
    if (!match || !(port >= 1 && port <= 65535))
      throw new SluiceConfigError(
        component,
        "brokers",
        `has ${JSON.stringify(broker)}: each broker must be host:port, with a port from 1 to 65535 (e.g. "kafka-0:9092")`,
      );
  }
  return list;
}

function readPem(component: string, option: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new SluiceConfigError(component, option, `cannot be read: ${describeError(error)}`);
  }
}

/** Every credential in these options, for the pipeline to keep out of what it reports. */
export function connectionSecrets(options: KafkaConnectionOptions): string[] {
  return options.sasl?.password ? [options.sasl.password] : [];
}

/** kafkajs's client configuration for these options; certificate files are read here, once. */
export function kafkaClientConfig(
  component: string,
  options: KafkaConnectionOptions & { clientId: string },
  logger: Logger,
): KafkaConfig {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: parseBrokers(options.brokers, component),
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    logLevel: logLevel.INFO,
    logCreator: kafkaLogCreator(logger),
  };
  if (options.sasl) config.sasl = { ...options.sasl } as SASLOptions;
  if (options.sasl?.mechanism === "plain" && !options.ssl)
    logger.warn(
      { brokers: options.brokers },
      "Kafka SASL PLAIN without TLS: the password travels unencrypted (set ssl, or use SCRAM)",
    );
  if (options.ssl === true) config.ssl = true;
  else if (options.ssl) {
    const { caFile, certFile, keyFile, rejectUnauthorized } = options.ssl;
    if (rejectUnauthorized === false)
      logger.warn({ brokers: options.brokers }, "TLS CERTIFICATE VERIFICATION IS OFF for Kafka");
    config.ssl = {
      ...(caFile ? { ca: [readPem(component, "ssl.caFile", caFile)] } : {}),
      ...(certFile ? { cert: readPem(component, "ssl.certFile", certFile) } : {}),
      ...(keyFile ? { key: readPem(component, "ssl.keyFile", keyFile) } : {}),
      rejectUnauthorized: rejectUnauthorized ?? true,
    };
  }
  return config;
}

/**
 * The error for a connection that failed at start, saying what to check: the credentials refused or SASL
 * offered to a listener without it (KAFKA_AUTH), a failed TLS handshake (KAFKA_TLS), or no broker
 * reachable (KAFKA_UNREACHABLE).
 * `prefix` says who connected ("" for the source, "dead letters: " for the dead-letter writer).
 */
export function connectFailure(prefix: string, brokers: string[], error: unknown): SluiceError {
  const where = brokers.join(",");
  const why = describeError(error);
  // A broker answers a SASL handshake on a listener without SASL with ILLEGAL_SASL_STATE: it was reached.
  if (hasType(error, "ILLEGAL_SASL_STATE"))
    return new SluiceError(
      ErrorCode.KAFKA_AUTH,
      `${prefix}Kafka at ${where} refused the SASL authentication: ${why} ` +
        "(that listener takes no SASL: give the address of a SASL_PLAINTEXT or SASL_SSL listener, or drop sasl)",
      { cause: error },
    );
  if (isAuthenticationFailure(error))
    return new SluiceError(
      ErrorCode.KAFKA_AUTH,
      `${prefix}Kafka at ${where} refused the SASL authentication: ${why} (check sasl.mechanism, username and password)`,
      { cause: error },
    );
  if (isTlsError(error))
    return new SluiceError(
      ErrorCode.KAFKA_TLS,
      `${prefix}the TLS handshake with Kafka at ${where} failed: ${why} ` +
        "(give the CA that signed the brokers' certificates as ssl.caFile)",
      { cause: error },
    );
  return new SluiceError(ErrorCode.KAFKA_UNREACHABLE, `${prefix}cannot reach Kafka at ${where}: ${why}`, {
    cause: error,
  });
}

/** kafkajs's SASL failure, or the broker's SASL_AUTHENTICATION_FAILED, anywhere in the causes. */
function isAuthenticationFailure(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if (e.name === "KafkaJSSASLAuthenticationError") return true;
  return hasType(error, "SASL_AUTHENTICATION_FAILED") || hasType(error, "UNSUPPORTED_SASL_MECHANISM");
}

/** Whether a broker's error of this type (kafkajs's KafkaJSProtocolError.type) is anywhere in the causes. */
function hasType(error: unknown, type: string): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if ((e as { type?: unknown }).type === type) return true;
  return false;
}
