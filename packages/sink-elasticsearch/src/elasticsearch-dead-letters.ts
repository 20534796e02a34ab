// Dead letters to an Elasticsearch index: one document per failed record, with its bytes intact.
import { isUtf8 } from "node:buffer";
import type { Client } from "@elastic/elasticsearch";
import {
  type DeadLetter,
  type DeadLetterContext,
  type DeadLetterSink,
  ErrorCode,
  originId,
  SluiceError,
  validateOptions,
} from "@sluice/core";
import {
  checkElasticsearch,
  connectionSchema,
  connectionSecrets,
  createClient,
  type ElasticsearchConnectionOptions,
  warnIfInsecure,
} from "./connection.js";

export interface ElasticsearchDeadLettersOptions extends ElasticsearchConnectionOptions {
  /** Default `sluice-dead-letter`. */
  index?: string;
}

const schema = {
  type: "object",
  properties: {
    ...connectionSchema,
    index: { type: "string", minLength: 1, default: "sluice-dead-letter" },
  },
  required: ["node"],
  additionalProperties: false,
} as const;

/** The document stored for a dead letter. `raw.base64` is the record byte for byte. */
export interface DeadLetterDocument {
  "@timestamp": string;
  pipeline: string;
  error: { code: string; type: string; reason: string; stage: string };
  kafka: {
    topic: string;
    partition: number;
    offset: string;
    timestamp: string;
    key_base64: string | null;
    headers: Record<string, string>;
  };
  raw: { base64: string; bytes: number; text?: string };
}

export function deadLetterDocument(letter: DeadLetter): DeadLetterDocument {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(letter.origin.headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values.map((v) => (typeof v === "string" ? v : v.toString("base64"))).join(",");
  }
  return {
    "@timestamp": letter.failedAt,
    pipeline: letter.pipeline,
    error: { ...letter.error },
    kafka: {
      topic: letter.origin.topic,
      partition: letter.origin.partition,
      offset: letter.origin.offset,
      timestamp: letter.origin.timestamp,
      key_base64: letter.origin.key ? letter.origin.key.toString("base64") : null,
      headers,
    },
    // The text copy is for people reading the index; the base64 copy is the exact bytes.
    raw: {
      base64: letter.raw.toString("base64"),
      bytes: letter.raw.length,
      ...(isUtf8(letter.raw) ? { text: letter.raw.toString("utf8") } : {}),
    },
  };
}

export class ElasticsearchDeadLetters implements DeadLetterSink {
  readonly name = "elasticsearch-dead-letters";
  readonly options: ElasticsearchDeadLettersOptions & { index: string };
  readonly secrets: readonly string[];
  private client: Client | undefined;

  constructor(options: ElasticsearchDeadLettersOptions) {
    this.options = validateOptions("elasticsearchDeadLetters", schema, options);
    this.secrets = connectionSecrets(this.options);
  }

  async connect(ctx: DeadLetterContext): Promise<void> {
    warnIfInsecure(this.options, ctx.logger);
    this.client = createClient("elasticsearchDeadLetters", this.options);
    await checkElasticsearch(this.client, this.options.node, "elasticsearchDeadLetters");
  }

  /** Creates each letter under its record's id, so a retried write cannot store it twice. */
  async write(letters: readonly DeadLetter[]): Promise<void> {
    if (!this.client)
      throw new SluiceError(ErrorCode.CONFIG, "elasticsearchDeadLetters: write() before connect()");
    const operations: unknown[] = [];
    for (const letter of letters) {
      operations.push({ create: { _index: this.options.index, _id: originId(letter.origin) } });
      operations.push(deadLetterDocument(letter));
    }
    const response = await this.client.bulk({ operations });
    if (!response.errors) return;
    const failed = response.items.filter((item) => {
      const status = item.create?.status ?? 0;
      return !(status >= 200 && status < 300) && status !== 409;
    });
    if (failed.length > 0) {
      const first = failed[0]?.create?.error;
      throw new SluiceError(
        ErrorCode.REJECTED,
        `dead-letter index ${this.options.index} refused ${failed.length} letter(s): ${first?.type ?? "?"}: ${first?.reason ?? "?"}`,
      );
    }
  }

  async close(): Promise<void> {
    await this.client?.close();
  }
}

/** Dead letters to an Elasticsearch index (default `sluice-dead-letter`). */
export function elasticsearchDeadLetters(options: ElasticsearchDeadLettersOptions): ElasticsearchDeadLetters {
  return new ElasticsearchDeadLetters(options);
}
