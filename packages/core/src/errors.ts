// The error vocabulary: every Sluice error is a SluiceError with a stable code users can switch on.

/** Stable codes. Dead letters carry the same code as the error that produced them. */
export const ErrorCode = {
  /** An option is missing, of the wrong type or out of range. Thrown at construction. */
  CONFIG: "SLUICE_ERR_CONFIG",
  /** Kafka could not be reached when the pipeline started. */
  KAFKA_UNREACHABLE: "SLUICE_ERR_KAFKA_UNREACHABLE",
  /**
   * The Kafka consumer thread's file is not where the source looks for it: a bundler moved the source's
   * code away from its `dist/worker/` files. Thrown at construction; the message says how to fix the bundle.
   */
  KAFKA_WORKER_MISSING: "SLUICE_ERR_KAFKA_WORKER_MISSING",
  /** Kafka refused our SASL credentials (or the mechanism). */
  KAFKA_AUTH: "SLUICE_ERR_KAFKA_AUTH",
  /** The TLS handshake with a Kafka broker failed (an untrusted or mismatched certificate, ...). */
  KAFKA_TLS: "SLUICE_ERR_KAFKA_TLS",
  /** Elasticsearch could not be reached when the pipeline started. */
  ES_UNREACHABLE: "SLUICE_ERR_ES_UNREACHABLE",
  /** Elasticsearch refused our credentials. */
  ES_AUTH: "SLUICE_ERR_ES_AUTH",
  /** The TLS handshake with Elasticsearch failed (an untrusted or mismatched certificate, ...). */
  ES_TLS: "SLUICE_ERR_ES_TLS",
  /** The server answering at the Elasticsearch URL is not Elasticsearch. */
  ES_NOT_ELASTICSEARCH: "SLUICE_ERR_ES_NOT_ELASTICSEARCH",
  /** A record could not be parsed (bad JSON, bad encoding, too deep). */
  PARSE: "SLUICE_ERR_PARSE",
  /** A transform could not apply to a record (missing field, wrong type). */
  TRANSFORM: "SLUICE_ERR_TRANSFORM",
  /** Elasticsearch rejected a document for good (mapping conflict, bad index name, ...). */
  REJECTED: "SLUICE_ERR_REJECTED",
  /** A user stage threw: the pipeline stops without committing what that stage held. */
  STAGE_CRASHED: "SLUICE_ERR_STAGE_CRASHED",
  /**
   * A stage let an event disappear: it neither passed it on nor failed or dropped it, so its offset could
   * never commit. A bug in that stage: the pipeline stops without committing, as for a crash.
   */
  STAGE_LOST_EVENT: "SLUICE_ERR_STAGE_LOST_EVENT",
  /** The shutdown deadline passed with events still in flight; they were not committed. */
  SHUTDOWN_TIMEOUT: "SLUICE_ERR_SHUTDOWN_TIMEOUT",
  // issue 26: core
  /** The source failed with an error of its own (not a SluiceError): the pipeline stops. */
  SOURCE_FAILED: "SLUICE_ERR_SOURCE_FAILED",
  /** The sink failed with an error of its own (not a SluiceError): the pipeline stops. */
  SINK_FAILED: "SLUICE_ERR_SINK_FAILED",
  /** The pipeline stopped after draining; retries still waiting (none hold an event) give up. */
  STOPPED: "SLUICE_ERR_STOPPED",
  // issue 26: sink
  /** An event's index or _id could not be resolved: a template field missing, no index for its topic, ... */
  ES_TARGET: "SLUICE_ERR_ES_TARGET",
  /** Elasticsearch refused the data stream's index template at start; the message gives its reason. */
  ES_TEMPLATE: "SLUICE_ERR_ES_TEMPLATE",
  /** A Kafka record with a null value (a tombstone) that the sink's `nullValues` option dead-letters. */
  NULL_VALUE: "SLUICE_ERR_NULL_VALUE",
  // issue 26: dlq
  /** The dead-letter destination refused a letter for good even in minimal form: the pipeline stops. */
  DEAD_LETTER_REFUSED: "SLUICE_ERR_DEAD_LETTER_REFUSED",
  // issue 26: source
  /** The Kafka consumer failed for good: kafkajs gave up, or its thread exited. The pipeline stops. */
  KAFKA_CONSUMER: "SLUICE_ERR_KAFKA_CONSUMER",
  /** A record or batch from Kafka is not what a producer wrote (bad CRC, impossible lengths). */
  KAFKA_CORRUPT: "SLUICE_ERR_KAFKA_CORRUPT",
  /** Kafka did not take a commit of finished offsets (a rebalance, a lost coordinator); it is tried again. */
  KAFKA_COMMIT: "SLUICE_ERR_KAFKA_COMMIT",
  /**
   * Finished offsets can no longer be committed: a rebalance gave their partition to another member,
   * which reads those records again from the last commit. Retrying cannot help.
   */
  OFFSETS_REASSIGNED: "SLUICE_ERR_OFFSETS_REASSIGNED",
  // issue 29: fan-out
  /** No target of a `fanOut` sink takes the event (every `when` said no) and its `unrouted` is `dead-letter`. */
  UNROUTED: "SLUICE_ERR_UNROUTED",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The error every Sluice component throws or rejects with: `code` is one of {@link ErrorCode}, stable to
 * switch on; `cause` holds the underlying error when there is one.
 */
export class SluiceError extends Error {
  /** The stable code, e.g. `SLUICE_ERR_KAFKA_UNREACHABLE`. */
  readonly code: ErrorCode;
  /** An error with `code`, `message` and, optionally, the error that caused it. */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SluiceError";
    this.code = code;
  }
}

/**
 * Thrown at construction when an option is wrong; `option` is its path, e.g. `flow.maxInFlightEvents`.
 * When several are wrong at once (unknown options), `options` lists every path and the message names each.
 */
export class SluiceConfigError extends SluiceError {
  /** The component whose options were wrong, e.g. `kafkaSource`. */
  readonly component: string;
  /** The path of the (first) wrong option. */
  readonly option: string;
  /** The paths of every wrong option (just `option` when only one is wrong). */
  readonly options: readonly string[];
  /**
   * An error with code `SLUICE_ERR_CONFIG` whose message starts with the component and the option's path;
   * `options.options` lists every wrong option when several are.
   */
  constructor(
    component: string,
    option: string,
    message: string,
    options?: { options?: readonly string[]; cause?: unknown },
  ) {
    super(
      ErrorCode.CONFIG,
      `${component}: option \`${option}\` ${message}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "SluiceConfigError";
    this.component = component;
    this.option = option;
    this.options = options?.options ?? [option];
  }
}

/** A one-line description of anything thrown, for logs and dead letters. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * Whether a connection failed in its TLS handshake: Node's certificate and handshake error codes (or
 * messages), on the error or anywhere in its causes.
 */
export function isTlsError(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /CERT|SELF_SIGNED|TLS|SSL|UNABLE_TO_(GET|VERIFY)/.test(code)) return true;
    if (/certificate|self[- ]signed|ssl|tls/i.test(e.message)) return true;
  }
  return false;
}
