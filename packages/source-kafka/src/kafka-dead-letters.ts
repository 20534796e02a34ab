// Dead letters to a Kafka topic: the record's bytes as the value, the error and origin as headers.
import {
  type DeadLetter,
  type DeadLetterContext,
  type DeadLetterSink,
  ErrorCode,
  SluiceError,
  validateOptions,
} from "@sluice/core";
import kafkajs, { type Producer } from "kafkajs";
import { registerCodecs } from "./codecs/register.js";
import {
  connectFailure,
  connectionSchema,
  connectionSecrets,
  type KafkaConnectionOptions,
  kafkaClientConfig,
  parseBrokers,
} from "./connection.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { CompressionTypes, Kafka } = kafkajs;

export interface KafkaDeadLettersOptions extends KafkaConnectionOptions {
  topic: string;
}

const schema = {
  type: "object",
  properties: {
    ...connectionSchema,
    topic: { type: "string", minLength: 1 },
    clientId: { type: "string", minLength: 1, default: "sluice-dead-letters" },
  },
  required: ["brokers", "topic"],
  additionalProperties: false,
} as const;

/** Header names, after Kafka Connect's `__connect.errors.*` dead-letter headers. */
export const deadLetterHeaders = {
  code: "sluice.error.code",
  type: "sluice.error.type",
  reason: "sluice.error.reason",
  stage: "sluice.error.stage",
  topic: "sluice.origin.topic",
  partition: "sluice.origin.partition",
  offset: "sluice.origin.offset",
  timestamp: "sluice.origin.timestamp",
  failedAt: "sluice.failed_at",
  pipeline: "sluice.pipeline",
} as const;

export class KafkaDeadLetters implements DeadLetterSink {
  readonly name = "kafka-dead-letters";
  readonly secrets: readonly string[];
  private readonly options: KafkaDeadLettersOptions & { clientId: string; brokers: string[] };
  private producer: Producer | undefined;

  constructor(options: KafkaDeadLettersOptions) {
    const valid = validateOptions<KafkaDeadLettersOptions & { clientId: string }>(
      "kafkaDeadLetters",
      schema,
      options,
    );
    this.options = { ...valid, brokers: parseBrokers(valid.brokers) };
    this.secrets = connectionSecrets(valid);
    registerCodecs();
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

  async write(letters: readonly DeadLetter[]): Promise<void> {
    if (!this.producer) throw new SluiceError(ErrorCode.CONFIG, "kafkaDeadLetters: write() before connect()");
    await this.producer.send({
      topic: this.options.topic,
      acks: -1,
      compression: CompressionTypes.LZ4,
      messages: letters.map((letter) => ({
        key: letter.origin.key,
        value: letter.raw,
        timestamp: letter.origin.timestamp,
        headers: {
          [deadLetterHeaders.code]: letter.error.code,
          [deadLetterHeaders.type]: letter.error.type,
          [deadLetterHeaders.reason]: letter.error.reason,
          [deadLetterHeaders.stage]: letter.error.stage,
          [deadLetterHeaders.topic]: letter.origin.topic,
          [deadLetterHeaders.partition]: String(letter.origin.partition),
          [deadLetterHeaders.offset]: letter.origin.offset,
          [deadLetterHeaders.timestamp]: letter.origin.timestamp,
          [deadLetterHeaders.failedAt]: letter.failedAt,
          [deadLetterHeaders.pipeline]: letter.pipeline,
        },
      })),
    });
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
  }
}

/** Dead letters to a Kafka topic (at least once: a retried write may repeat a letter). */
export function kafkaDeadLetters(options: KafkaDeadLettersOptions): KafkaDeadLetters {
  return new KafkaDeadLetters(options);
}
