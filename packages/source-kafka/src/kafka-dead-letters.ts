// Dead letters to a Kafka topic: the record's bytes as the value, the error and origin as headers.
import {
  type DeadLetter,
  type DeadLetterContentOptions,
  type DeadLetterContext,
  type DeadLetterOutcome,
  type DeadLetterSink,
  deadLetterContentSchema,
  describeError,
  ErrorCode,
  headerList,
  rawContent,
  SluiceConfigError,
  SluiceError,
  validateOptions,
} from "@sluice/core";
import kafkajs, { type IHeaders, type Message, type Producer } from "kafkajs";
import {
  connectFailure,
  connectionSchema,
  connectionSecrets,
  type KafkaConnectionOptions,
  kafkaClientConfig,
  parseBrokers,
} from "./connection.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { CompressionCodecs, CompressionTypes, Kafka } = kafkajs;

/** How letters are compressed: kafkajs compresses with the codec its process-wide table holds. */
export type DeadLetterCompression = "gzip" | "lz4" | "snappy" | "zstd" | "none";

export interface KafkaDeadLettersOptions extends KafkaConnectionOptions, DeadLetterContentOptions {
  /** The topic letters are written to; the producer does not ask Kafka to create it. */
  topic: string;
  /**
   * Default "gzip", kafkajs's own. "lz4", "snappy" and "zstd" need their codec in kafkajs's codec table,
   * which belongs to the process: call `registerCodecs()` before creating the dead letters.
   */
  compression?: DeadLetterCompression;
}

const COMPRESSION = {
  gzip: CompressionTypes.GZIP,
  lz4: CompressionTypes.LZ4,
  snappy: CompressionTypes.Snappy,
  zstd: CompressionTypes.ZSTD,
  none: CompressionTypes.None,
} as const;

const schema = {
  type: "object",
  properties: {
    ...connectionSchema,
    ...deadLetterContentSchema,
    topic: { type: "string", minLength: 1 },
    clientId: { type: "string", minLength: 1, default: "sluice-dead-letters" },
    compression: { type: "string", enum: Object.keys(COMPRESSION), default: "gzip" },
  },
  required: ["brokers", "topic"],
  additionalProperties: false,
} as const;

/** Header names, after Kafka Connect's `__connect.errors.*` dead-letter headers. */
export const deadLetterHeaders = {
  /** The failure's code. */
  code: "sluice.error.code",
  /** The failure's type. */
  type: "sluice.error.type",
  /** The failure's reason. */
  reason: "sluice.error.reason",
  /** The stage (or sink) that failed the record. */
  stage: "sluice.error.stage",
  /** The record's topic. */
  topic: "sluice.origin.topic",
  /** The record's partition. */
  partition: "sluice.origin.partition",
  /** The record's offset. */
  offset: "sluice.origin.offset",
  /** The record's Kafka timestamp (milliseconds since the epoch). */
  timestamp: "sluice.origin.timestamp",
  /** When the pipeline gave up on the record (ISO-8601). */
  failedAt: "sluice.failed_at",
  /** The pipeline's name. */
  pipeline: "sluice.pipeline",
  /** The record's size in bytes. */
  rawBytes: "sluice.raw.bytes",
  /** "true" when the value holds only the first `rawMaxBytes` of the record. */
  rawTruncated: "sluice.raw.truncated",
  /** Hex SHA-256 of the record (with `raw: "hash"`, and in minimal form). */
  rawSha256: "sluice.raw.sha256",
  /** "minimal" when the topic refused the full letter for good (e.g. larger than max.message.bytes). */
  form: "sluice.letter.form",
  /** Why the topic refused the full letter (minimal form only). */
  refusal: "sluice.letter.refusal",
} as const;

/** Longest error reason a minimal letter keeps. */
const MINIMAL_REASON_CHARS = 1000;

/**
 * Dead letters to a Kafka topic: each letter's value is the record's bytes as the `raw` option keeps them
 * (null when none are), its key and timestamp the record's, and its headers the record's own (unless
 * `headers: "omit"`) followed by `deadLetterHeaders`. Build one with `kafkaDeadLetters`.
 */
export class KafkaDeadLetters implements DeadLetterSink {
  readonly name = "kafka-dead-letters";
  /** The SASL password, if any, for the pipeline to keep out of what it reports. */
  readonly secrets: readonly string[];
  private readonly options: KafkaDeadLettersOptions &
    Required<DeadLetterContentOptions> & {
      clientId: string;
      brokers: string[];
      compression: DeadLetterCompression;
    };
  private producer: Producer | undefined;

  /**
   * Validates `options`; connects nothing until the pipeline calls `connect`.
   *
   * @throws SluiceConfigError (`SLUICE_ERR_CONFIG`) when an option is wrong, or when `compression` names a
   * codec missing from kafkajs's codec table (call `registerCodecs()` first).
   */
  constructor(options: KafkaDeadLettersOptions) {
    const valid = validateOptions<
      KafkaDeadLettersOptions &
        Required<DeadLetterContentOptions> & { clientId: string; compression: DeadLetterCompression }
    >("kafkaDeadLetters", schema, options);
    this.options = { ...valid, brokers: parseBrokers(valid.brokers, "kafkaDeadLetters") };
    this.secrets = connectionSecrets(valid);
    assertCodec(valid.compression);
  }

  async connect(ctx: DeadLetterContext): Promise<void> {
    const kafka = new Kafka(
      kafkaClientConfig(
        "kafkaDeadLetters",
        this.options,
        ctx.logger.child({ component: "kafka-dead-letters" }),
      ),
    );
    this.producer = kafka.producer({ allowAutoTopicCreation: false });
    try {
      await this.producer.connect();
    } catch (error) {
      throw connectFailure("dead letters: ", this.options.brokers, error);
    }
  }

  /**
   * Sends the letters in one request; when the topic refuses it as too large, sends them one by one to
   * tell which letters it refuses for good.
   */
  async write(letters: readonly DeadLetter[]): Promise<readonly DeadLetterOutcome[]> {
    const producer = this.producer;
    if (!producer) throw new SluiceError(ErrorCode.CONFIG, "kafkaDeadLetters: write() before connect()");
    const send = (messages: Message[]) =>
      producer.send({
        topic: this.options.topic,
        acks: -1,
        compression: COMPRESSION[this.options.compression],
        messages,
      });
    const messages = letters.map((letter) => this.message(letter));
    try {
      await send(messages);
      return letters.map(() => ({ status: "stored" }));
    } catch (error) {
      if (!isTooLarge(error)) throw error;
      if (letters.length === 1) return [{ status: "refused", reason: describeError(error) }];
    }
    const outcomes: DeadLetterOutcome[] = [];
    for (const message of messages) {
      try {
        await send([message]);
        outcomes.push({ status: "stored" });
      } catch (error) {
        const reason = describeError(error);
        outcomes.push(isTooLarge(error) ? { status: "refused", reason } : { status: "retry", reason });
      }
    }
    return outcomes;
  }

  private message(letter: DeadLetter): Message {
    const minimal = letter.form === "minimal";
    const raw = rawContent(letter, this.options);
    const headers: IHeaders = {};
    // The record's own headers first, so that ours win a name they share.
    if (!minimal && this.options.headers === "keep")
      for (const { key, value } of headerList(letter.origin.headers)) headers[key] = value;
    Object.assign(headers, {
      [deadLetterHeaders.code]: letter.error.code,
      [deadLetterHeaders.type]: letter.error.type,
      [deadLetterHeaders.reason]: minimal
        ? letter.error.reason.slice(0, MINIMAL_REASON_CHARS)
        : letter.error.reason,
      [deadLetterHeaders.stage]: letter.error.stage,
      [deadLetterHeaders.topic]: letter.origin.topic,
      [deadLetterHeaders.partition]: String(letter.origin.partition),
      [deadLetterHeaders.offset]: letter.origin.offset,
      [deadLetterHeaders.timestamp]: letter.origin.timestamp,
      [deadLetterHeaders.failedAt]: letter.failedAt,
      [deadLetterHeaders.pipeline]: letter.pipeline,
      [deadLetterHeaders.rawBytes]: String(raw.bytes),
      ...(raw.truncated ? { [deadLetterHeaders.rawTruncated]: "true" } : {}),
      ...(raw.sha256 ? { [deadLetterHeaders.rawSha256]: raw.sha256 } : {}),
      ...(minimal
        ? {
            [deadLetterHeaders.form]: "minimal",
            [deadLetterHeaders.refusal]: (letter.refusal ?? "").slice(0, MINIMAL_REASON_CHARS),
          }
        : {}),
    });
    return {
      key: minimal ? null : letter.origin.key,
      value: raw.kept ?? null,
      timestamp: letter.origin.timestamp,
      headers,
    };
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
  }
}

/** Dead letters to a Kafka topic (at least once: a retried write may repeat a letter). */
export function kafkaDeadLetters(options: KafkaDeadLettersOptions): KafkaDeadLetters {
  return new KafkaDeadLetters(options);
}

/**
 * Refuses a compression whose codec kafkajs's table lacks (it holds throwing placeholders for those it
 * does not ship), here rather than at the first letter; Sluice never fills the table itself.
 */
function assertCodec(compression: DeadLetterCompression): void {
  const type = COMPRESSION[compression];
  if (type === CompressionTypes.None) return;
  try {
    CompressionCodecs[type]!();
  } catch (error) {
    throw new SluiceConfigError(
      "kafkaDeadLetters",
      "compression",
      `"${compression}" needs its codec in kafkajs's codec table, which belongs to the process: call ` +
        `registerCodecs() from @sluice/source-kafka first, or use "gzip" (${describeError(error)})`,
      { cause: error },
    );
  }
}

/** Whether Kafka refused a message as larger than the topic takes (kafkajs wraps its protocol errors). */
function isTooLarge(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue = [error];
  while (queue.length > 0) {
    const e = queue.pop() as {
      type?: unknown;
      cause?: unknown;
      originalError?: unknown;
      errors?: unknown;
    } | null;
    if (e === null || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    if (e.type === "MESSAGE_TOO_LARGE" || e.type === "RECORD_LIST_TOO_LARGE") return true;
    queue.push(e.cause, e.originalError);
    if (Array.isArray(e.errors)) queue.push(...e.errors);
  }
  return false;
}
