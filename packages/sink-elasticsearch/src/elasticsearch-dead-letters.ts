// Dead letters to an Elasticsearch index: one document per failed record, of a fixed shape whatever the
// record holds, so that no record can make its own dead letter unmappable.
import type { Client } from "@elastic/elasticsearch";
import {
  type DeadLetter,
  type DeadLetterContentOptions,
  type DeadLetterContext,
  type DeadLetterOutcome,
  type DeadLetterSink,
  deadLetterContentSchema,
  describeError,
  type EncodedBytes,
  ErrorCode,
  encodeBytes,
  headerList,
  originId,
  rawContent,
  SluiceError,
  validateOptions,
} from "@sluice/core";
import {
  checkElasticsearch,
  connectionSchema,
  connectionSecrets,
  createClient,
  type ElasticsearchConnectionOptions,
  hasCredentials,
  warnIfInsecure,
} from "./connection.js";
import { itemVerdict } from "./retry-policy.js";

/**
 * The options of `elasticsearchDeadLetters`: the connection, the index and what of a record a letter keeps.
 */
export interface ElasticsearchDeadLettersOptions
  extends ElasticsearchConnectionOptions,
    DeadLetterContentOptions {
  /** Default `sluice-dead-letter`. */
  index?: string;
}

type ValidOptions = ElasticsearchDeadLettersOptions & Required<DeadLetterContentOptions> & { index: string };

export const schema = {
  type: "object",
  properties: {
    ...connectionSchema,
    ...deadLetterContentSchema,
    index: { type: "string", minLength: 1, default: "sluice-dead-letter" },
  },
  required: ["node"],
  additionalProperties: false,
} as const;

/**
 * The document stored for a dead letter. Every field name is fixed: the record's headers are a list of
 * {key, value}, never field names. `raw.data` holds the record's bytes (all of them unless truncated) as
 * text when they are UTF-8, else base64, as `raw.encoding` says.
 */
export interface DeadLetterDocument {
  /** When the pipeline gave up on the record (ISO-8601). */
  "@timestamp": string;
  /** The pipeline's name. */
  pipeline: string;
  /** `minimal` when the full form was refused for good; `refusal` says why. */
  form: "full" | "minimal";
  /** Why the full form was refused (minimal form only). */
  refusal?: string;
  /** Why the record failed. */
  error: {
    /** The failure's code, e.g. `SLUICE_ERR_PARSE`. */
    code: string;
    /** The failure's type as the failing component names it. */
    type: string;
    /** The failure's reason. */
    reason: string;
    /** The stage (or sink) that failed the record. */
    stage: string;
  };
  /** Where the record came from. */
  kafka: {
    /** The record's topic. */
    topic: string;
    /** The record's partition. */
    partition: number;
    /** The record's offset, as a decimal string. */
    offset: string;
    /** The record's Kafka timestamp, milliseconds since the epoch as a decimal string. */
    timestamp: string;
    /** The record's key (null when it has none, and in minimal form). */
    key: EncodedBytes | null;
    /** The record's headers, one entry per value (empty in minimal form or with `headers: "omit"`). */
    headers: Array<{
      /** The header's name. */
      key: string;
      /** The value, as `encoding` says. */
      value: string;
      /** `utf8` when the value is text, else `base64`. */
      encoding: "utf8" | "base64";
    }>;
  };
  /** The record's bytes as the `raw` option keeps them. */
  raw: {
    /** The record's size in bytes. */
    bytes: number;
    /** True when `data` holds only the first `rawMaxBytes` of the record. */
    truncated: boolean;
    /** The bytes kept, as `encoding` says (absent with `raw: "hash"` or `"omit"`, and in minimal form). */
    data?: string;
    /** `utf8` when the bytes kept are text, else `base64`. */
    encoding?: "utf8" | "base64";
    /** Hex SHA-256 of the record's bytes (with `raw: "hash"`, and in minimal form). */
    sha256?: string;
  };
}

/** Longest error reason a minimal letter keeps. */
const MINIMAL_REASON_CHARS = 1000;

/**
 * The document stored for `letter`, keeping what `options` say of its bytes and headers (default: all of
 * them).
 */
export function deadLetterDocument(
  letter: DeadLetter,
  options: Required<DeadLetterContentOptions> = { raw: "full", rawMaxBytes: 1024, headers: "keep" },
): DeadLetterDocument {
  const minimal = letter.form === "minimal";
  const raw = rawContent(letter, options);
  const kept = raw.kept ? encodeBytes(raw.kept) : undefined;
  const headers =
    minimal || options.headers === "omit"
      ? []
      : headerList(letter.origin.headers).map(({ key, value }) => {
          const encoded =
            typeof value === "string" ? { data: value, encoding: "utf8" as const } : encodeBytes(value);
          return { key, value: encoded.data, encoding: encoded.encoding };
        });
  const error = { ...letter.error };
  if (minimal) error.reason = error.reason.slice(0, MINIMAL_REASON_CHARS);
  return {
    "@timestamp": letter.failedAt,
    pipeline: letter.pipeline,
    form: letter.form,
    ...(letter.refusal !== undefined ? { refusal: letter.refusal.slice(0, MINIMAL_REASON_CHARS) } : {}),
    error,
    kafka: {
      topic: letter.origin.topic,
      partition: letter.origin.partition,
      offset: letter.origin.offset,
      timestamp: letter.origin.timestamp,
      key: letter.origin.key && !minimal ? encodeBytes(letter.origin.key) : null,
      headers,
    },
    raw: {
      bytes: raw.bytes,
      truncated: raw.truncated,
      ...(kept ? { data: kept.data, encoding: kept.encoding } : {}),
      ...(raw.sha256 ? { sha256: raw.sha256 } : {}),
    },
  };
}

const keyword = { type: "keyword", ignore_above: 1024 } as const;
const encoded = { properties: { data: keyword, encoding: { type: "keyword" } } } as const;

/** The index's mapping: every field the document has, so dynamic mapping never guesses a type. */
export const deadLetterMapping = {
  date_detection: false,
  properties: {
    "@timestamp": { type: "date" },
    pipeline: { type: "keyword" },
    form: { type: "keyword" },
    refusal: { type: "text" },
    error: {
      properties: {
        code: { type: "keyword" },
        type: { type: "keyword" },
        reason: { type: "text" },
        stage: { type: "keyword" },
      },
    },
    kafka: {
      properties: {
        topic: { type: "keyword" },
        partition: { type: "integer" },
        offset: { type: "keyword" },
        timestamp: { type: "keyword" },
        key: encoded,
        headers: { properties: { key: keyword, value: keyword, encoding: { type: "keyword" } } },
      },
    },
    raw: {
      properties: {
        bytes: { type: "long" },
        truncated: { type: "boolean" },
        data: { type: "text" },
        encoding: { type: "keyword" },
        sha256: { type: "keyword" },
      },
    },
  },
} as const;

/**
 * Dead letters to an Elasticsearch index: one `DeadLetterDocument` per letter, with the record's
 * `<topic>+<partition>+<offset>` as `_id`, so a letter written twice is stored once. At connect it creates
 * the index with the letters' mapping when it does not exist. Build one with `elasticsearchDeadLetters`.
 */
export class ElasticsearchDeadLetters implements DeadLetterSink {
  readonly name = "elasticsearch-dead-letters";
  /** The options as validated, with every default filled in. */
  readonly options: ValidOptions;
  /** The credentials in `auth`, for the pipeline to keep out of what it reports. */
  readonly secrets: readonly string[];
  private client: Client | undefined;

  /**
   * Validates `options`; connects nothing until the pipeline calls `connect`.
   *
   * @throws SluiceConfigError (`SLUICE_ERR_CONFIG`) when an option is wrong.
   */
  constructor(options: ElasticsearchDeadLettersOptions) {
    this.options = validateOptions("elasticsearchDeadLetters", schema, options);
    this.secrets = connectionSecrets(this.options);
  }

  async connect(ctx: DeadLetterContext): Promise<void> {
    warnIfInsecure(this.options, ctx.logger);
    this.client = createClient("elasticsearchDeadLetters", this.options);
    await checkElasticsearch(
      this.client,
      this.options.node,
      "elasticsearchDeadLetters",
      hasCredentials(this.options),
    );
    await this.createIndex(this.client, ctx);
  }

  /**
   * Creates the index with the letters' mapping when it does not exist. An index, alias or data stream
   * the user made is left as it is; a refusal (no privilege, a template) is only a warning, since the
   * first write creates the index anyway.
   */
  private async createIndex(client: Client, ctx: DeadLetterContext): Promise<void> {
    const index = this.options.index;
    try {
      if (await client.indices.exists({ index })) return;
      await client.indices.create({ index, mappings: deadLetterMapping as never });
    } catch (error) {
      if (
        (error as { body?: { error?: { type?: string } } }).body?.error?.type ===
        "resource_already_exists_exception"
      )
        return;
      ctx.logger.warn(
        { index, err: describeError(error) },
        "could not create the dead-letter index with its mapping; the first letter creates it with dynamic mapping",
      );
    }
  }

  /** Creates each letter under its record's id, so a letter sent again cannot be stored twice. */
  async write(letters: readonly DeadLetter[]): Promise<readonly DeadLetterOutcome[]> {
    if (!this.client)
      throw new SluiceError(ErrorCode.CONFIG, "elasticsearchDeadLetters: write() before connect()");
    const operations: unknown[] = [];
    for (const letter of letters) {
      operations.push({ create: { _index: this.options.index, _id: originId(letter.origin) } });
      operations.push(deadLetterDocument(letter, this.options));
    }
    let response: Awaited<ReturnType<Client["bulk"]>>;
    try {
      response = await this.client.bulk({ operations });
    } catch (error) {
      // A body too large: halves, down to one letter, which is then refused for good (its minimal form
      // is small).
      if ((error as { meta?: { statusCode?: number } }).meta?.statusCode !== 413) throw error;
      if (letters.length === 1)
        return [{ status: "refused", reason: `413 request too large: ${describeError(error)}` }];
      const half = Math.ceil(letters.length / 2);
      return [...(await this.write(letters.slice(0, half))), ...(await this.write(letters.slice(half)))];
    }
    // The client's serializer skips the items of an answer without errors (serializer.ts).
    if (!response.errors) return letters.map(() => ({ status: "stored" }));
    return letters.map((_, i): DeadLetterOutcome => {
      const item = response.items[i]?.create;
      if (!item) return { status: "retry", reason: "no answer for this item" };
      const verdict = itemVerdict(item.status, "create");
      if (verdict === "delivered") return { status: "stored" };
      const reason = `${item.status} ${item.error?.type ?? "?"}: ${item.error?.reason ?? "?"}`;
      return { status: verdict === "retry" ? "retry" : "refused", reason };
    });
  }

  async close(): Promise<void> {
    await this.client?.close();
  }
}

/** Dead letters to an Elasticsearch index (default `sluice-dead-letter`). */
export function elasticsearchDeadLetters(options: ElasticsearchDeadLettersOptions): ElasticsearchDeadLetters {
  return new ElasticsearchDeadLetters(options);
}
