// Connection options shared by the sink and the dead-letter writer: client construction and health check.
import { readFileSync } from "node:fs";
import { Client, type ClientOptions, errors } from "@elastic/elasticsearch";
import {
  describeError,
  ErrorCode,
  isTlsError,
  type Logger,
  REDACTED,
  SluiceConfigError,
  SluiceError,
  urlPassword,
} from "@sluice/core";
import { BulkAwareSerializer } from "./serializer.js";

export interface ElasticsearchConnectionOptions {
  /** One or more node URLs. */
  node: string | string[];
  auth?: { username: string; password: string } | { apiKey: string } | { bearer: string };
  tls?: {
    /** PEM file of the certificate authority that signed the cluster's certificate. */
    caFile?: string;
    /** Turning verification off is insecure; Sluice logs a warning when it is. Default true. */
    rejectUnauthorized?: boolean;
  };
  /** Per-request timeout (ms). */
  requestTimeoutMs?: number;
  /** Send gzip-compressed request bodies. */
  compression?: boolean;
}

export const connectionSchema = {
  node: {
    anyOf: [
      { type: "string", pattern: "^https?://" },
      { type: "array", items: { type: "string", pattern: "^https?://" }, minItems: 1 },
    ],
  },
  auth: {
    anyOf: [
      {
        type: "object",
        properties: { username: { type: "string" }, password: { type: "string" } },
        required: ["username", "password"],
        additionalProperties: false,
      },
      {
        type: "object",
        properties: { apiKey: { type: "string", minLength: 1 } },
        required: ["apiKey"],
        additionalProperties: false,
      },
      {
        type: "object",
        properties: { bearer: { type: "string", minLength: 1 } },
        required: ["bearer"],
        additionalProperties: false,
      },
    ],
  },
  tls: {
    type: "object",
    properties: { caFile: { type: "string", minLength: 1 }, rejectUnauthorized: { type: "boolean" } },
    additionalProperties: false,
  },
  requestTimeoutMs: { type: "integer", minimum: 100, default: 30_000 },
  compression: { type: "boolean", default: false },
} as const;

/** Builds the official client. Retries are ours (backoff, unbounded), so the client's are off. */
export function createClient(component: string, options: ElasticsearchConnectionOptions): Client {
  const clientOptions: ClientOptions = {
    node: options.node,
    maxRetries: 0,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    compression: options.compression ?? false,
    // "remove" drops headers (credentials included) from errors' diagnostics. The default, "replace",
    // deep-copies them key by key, and a failed request's Buffer body becomes millions of keys: a
    // 5 MB bulk body cost ~600 MB of heap per connection error.
    redaction: { type: "remove" },
    // Plain JSON media types instead of the client's `compatible-with=8` ones, which Elasticsearch 7
    // refuses; 8.x and 9.x take both. (The client still insists on the x-elastic-product header,
    // which Elasticsearch sends from 7.14 on.)
    headers: { accept: "application/json", "content-type": "application/json" },
    Serializer: BulkAwareSerializer,
  };
  if (options.auth) clientOptions.auth = options.auth;
  if (options.tls) {
    let ca: Buffer | undefined;
    if (options.tls.caFile) {
      try {
        ca = readFileSync(options.tls.caFile);
      } catch (error) {
        throw new SluiceConfigError(component, "tls.caFile", `cannot be read: ${describeError(error)}`);
      }
    }
    clientOptions.tls = {
      ...(ca ? { ca } : {}),
      rejectUnauthorized: options.tls.rejectUnauthorized ?? true,
    };
  }
  return new Client(clientOptions);
}

/** Every credential in these options, for the pipeline to keep out of what it reports. */
export function connectionSecrets(options: ElasticsearchConnectionOptions): string[] {
  const secrets: string[] = [];
  const basic = (username: string, password: string) =>
    secrets.push(password, Buffer.from(`${username}:${password}`).toString("base64"));
  for (const node of nodes(options.node)) {
    const password = urlPassword(node);
    if (password !== undefined) basic(decodeURIComponent(new URL(node).username), password);
  }
  const auth = options.auth;
  if (auth && "password" in auth) basic(auth.username, auth.password);
  if (auth && "apiKey" in auth) secrets.push(auth.apiKey);
  if (auth && "bearer" in auth) secrets.push(auth.bearer);
  return secrets.filter((s) => s.length > 0);
}

/** The node URLs as they may be shown: a password in a URL is replaced. */
export function displayNodes(node: string | string[]): string {
  return nodes(node)
    .map((url) => (urlPassword(url) === undefined ? url : redactUrlPassword(url)))
    .join(",");
}

function nodes(node: string | string[]): string[] {
  return Array.isArray(node) ? node : [node];
}

function redactUrlPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = REDACTED;
  return parsed.toString().replace(encodeURIComponent(REDACTED), REDACTED);
}

export function warnIfInsecure(options: ElasticsearchConnectionOptions, logger: Logger): void {
  if (options.tls?.rejectUnauthorized === false)
    logger.warn(
      { node: displayNodes(options.node) },
      "TLS CERTIFICATE VERIFICATION IS OFF for Elasticsearch: anyone on the network path can read and alter what is sent",
    );
  const basic =
    (options.auth !== undefined && "password" in options.auth) ||
    nodes(options.node).some((url) => urlPassword(url) !== undefined);
  const plain = nodes(options.node).filter((url) => url.startsWith("http://"));
  if (basic && plain.length > 0)
    logger.warn(
      { node: displayNodes(plain) },
      "Elasticsearch basic auth over plain HTTP: the password travels unencrypted (use https:// nodes)",
    );
}

/** GET / with a reason that says what is wrong: unreachable, credentials, TLS or not Elasticsearch. */
export async function checkElasticsearch(
  client: Client,
  node: string | string[],
  who: string,
): Promise<string> {
  const where = displayNodes(node);
  try {
    const info = await client.info();
    const major = Number(info.version.number.split(".")[0]);
    if (major < 7)
      throw new SluiceError(
        ErrorCode.ES_NOT_ELASTICSEARCH,
        `${who}: Elasticsearch ${info.version.number} at ${where} is too old: 7.14 or later is needed`,
      );
    return info.version.number;
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    if (error instanceof errors.ProductNotSupportedError)
      throw new SluiceError(
        ErrorCode.ES_NOT_ELASTICSEARCH,
        `${who}: the server at ${where} is not Elasticsearch, or one older than 7.14 (no x-elastic-product header)`,
        { cause: error },
      );
    if (error instanceof errors.ResponseError && (error.statusCode === 401 || error.statusCode === 403))
      throw new SluiceError(
        ErrorCode.ES_AUTH,
        `${who}: Elasticsearch at ${where} refused the credentials (HTTP ${error.statusCode}): ${describeError(error)}`,
        { cause: error },
      );
    if (isTlsError(error))
      throw new SluiceError(
        ErrorCode.ES_TLS,
        `${who}: the TLS handshake with Elasticsearch at ${where} failed: ${describeError(error)} ` +
          "(give the CA that signed its certificate as tls.caFile)",
        { cause: error },
      );
    throw new SluiceError(
      ErrorCode.ES_UNREACHABLE,
      `${who}: cannot reach Elasticsearch at ${where}: ${describeError(error)}`,
      { cause: error },
    );
  }
}
