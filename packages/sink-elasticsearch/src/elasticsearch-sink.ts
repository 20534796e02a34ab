// The Elasticsearch sink: options, connection and health; write() wires the request builder, the
// batcher and the bulk service that do the work.
import type { Client } from "@elastic/elasticsearch";
import {
  type Batch,
  type ComponentContext,
  ErrorCode,
  type HealthReport,
  hasReferences,
  type Sink,
  type SinkResult,
  SluiceConfigError,
  SluiceError,
  validateOptions,
} from "@sluice/core";
import type { OperatorFunction } from "rxjs";
import { BufferPool } from "./buffer-pool.js";
import { BulkService } from "./bulk-service.js";
import { bulkWrite } from "./bulk-write.js";
import {
  AdaptiveConcurrency,
  type AdaptiveConcurrencyOptions,
  type ConcurrencyLimiter,
  FixedConcurrency,
} from "./concurrency.js";
import {
  checkElasticsearch,
  connectionSchema,
  connectionSecrets,
  createClient,
  type ElasticsearchConnectionOptions,
  hasCredentials,
  warnIfInsecure,
} from "./connection.js";
import { ensureDataStreamTemplate, indexPatterns } from "./data-stream.js";
import { type BulkAction, BulkEncoder } from "./encoder.js";
import { type NullValues, RequestBuilder } from "./request-builder.js";
import { type IdOption, type IndexOption, indexNameProblem, Target } from "./target.js";

export type { NullValues } from "./request-builder.js";

/**
 * The options of `elasticsearchSink`: the connection, where each document goes, and how requests are batched,
 * sent concurrently and retried.
 */
export interface ElasticsearchSinkOptions extends ElasticsearchConnectionOptions {
  /**
   * Names the sink in metrics (`target`, `stage`), dead letters and errors, so a fan-out's targets are told
   * apart. Default `elasticsearch`.
   */
  name?: string;
  /**
   * The target index, data stream or alias: a name; a name with `%{[field]}` references or a
   * `%{+yyyy.MM.dd}` date of the event's `@timestamp` (Logstash's sprintf); `{ topics: { <topic>: <name> },
   * default }`; or a function of the event.
   */
  index: IndexOption;
  /** `create` (default: with our deterministic _id, a replay is a 409, not a duplicate) or `index`. */
  action?: BulkAction;
  /**
   * `origin` (default): `_id` is `<topic>+<partition>+<offset>`. `key`: the record's Kafka key (UTF-8).
   * `{ field }`: a field of the document (a Logstash reference). `none`: Elasticsearch picks one, and a
   * replay duplicates.
   */
  id?: IdOption;
  /**
   * Where an event goes whose `index` template does not resolve (a `%{[field]}` it lacks, a date
   * without `@timestamp`), as Vector's `template_fallback_index`. Without it such events go to dead letters.
   */
  templateFallbackIndex?: string;
  /**
   * Tombstones (records whose value is null or empty), as Kafka Connect's `behavior.on.null.values`:
   * `deadLetter` (default: Connect's `fail` stops the task; here that record alone fails), `ignore`
   * (acknowledged, nothing written), or `delete` (deletes the document of that `_id`; needs `id: "key"`).
   */
  nullValues?: NullValues;
  /** An ingest pipeline every document goes through. */
  pipeline?: string;
  /**
   * Write to a data stream: the action is `create` and, with `template`, an index template making
   * the target(s) data streams is put at start unless one by that name exists.
   */
  dataStream?:
    | boolean
    | {
        /** The index template to put at start. */
        template?: {
          /** The template's name; a template by that name that exists is left as it is. */
          name: string;
          /**
           * Merged into the template (settings, mappings, or `index_patterns` and `priority` in place of
           * the sink's own); needs `index_patterns` when `index` is a function.
           */
          body?: Record<string, unknown>;
        };
      };
  /** A request is sent when it holds this many bytes (default 5 MiB)... */
  flushBytes?: number;
  /** ...or this many events (default 5000)... */
  flushEvents?: number;
  /** ...or when its first event has waited this long (ms). Default 50, as Logstash's pipeline.batch.delay. */
  flushIntervalMs?: number;
  /**
   * Bulk requests in flight at once: a number, or `adaptive` (default) to let round-trip times and
   * 429s set it, as Vector's adaptive request concurrency does; `{ adaptive: {...} }` tunes it.
   */
  concurrency?:
    | number
    | "adaptive"
    | {
        /** How the adaptive limit moves. */
        adaptive: AdaptiveConcurrencyOptions;
      };
  /**
   * Backoff between attempts of a bulk request that failed (any failure but a 400 or 413, which are split
   * down instead) and of items refused with 429 or 5xx: they are retried until they succeed or the
   * pipeline's shutdown deadline passes.
   */
  retry?: {
    /** The ceiling of the first delay (ms), doubled after each attempt. Default 200. */
    initialDelayMs?: number;
    /** The largest ceiling (ms). Default 30 000. */
    maxDelayMs?: number;
  };
}

type Resolved = Required<
  Omit<
    ElasticsearchSinkOptions,
    "auth" | "tls" | "index" | "id" | "pipeline" | "dataStream" | "concurrency" | "templateFallbackIndex"
  >
> &
  Pick<
    ElasticsearchSinkOptions,
    "auth" | "tls" | "index" | "pipeline" | "dataStream" | "templateFallbackIndex"
  > & {
    id: IdOption;
    concurrency: number | "adaptive" | { adaptive: AdaptiveConcurrencyOptions };
    retry: { initialDelayMs: number; maxDelayMs: number };
  };

const positive = { type: "number", exclusiveMinimum: 0 } as const;
export const schema = {
  type: "object",
  properties: {
    ...connectionSchema,
    name: { type: "string", minLength: 1, default: "elasticsearch" },
    index: {},
    action: { enum: ["create", "index"], default: "create" },
    id: {
      anyOf: [
        { enum: ["origin", "key", "none"] },
        {
          type: "object",
          properties: { field: { type: "string", minLength: 1 } },
          required: ["field"],
          additionalProperties: false,
        },
      ],
      default: "origin",
    },
    templateFallbackIndex: { type: "string", minLength: 1 },
    nullValues: { enum: ["deadLetter", "ignore", "delete"], default: "deadLetter" },
    pipeline: { type: "string", minLength: 1 },
    dataStream: {
      anyOf: [
        { type: "boolean" },
        {
          type: "object",
          properties: {
            template: {
              type: "object",
              properties: { name: { type: "string", minLength: 1 }, body: { type: "object" } },
              required: ["name"],
              additionalProperties: false,
            },
          },
          additionalProperties: false,
        },
      ],
    },
    flushBytes: { type: "integer", minimum: 1024, default: 5 * 1024 * 1024 },
    flushEvents: { type: "integer", minimum: 1, default: 5000 },
    flushIntervalMs: { type: "integer", minimum: 1, default: 50 },
    concurrency: {
      anyOf: [
        { type: "integer", minimum: 1, maximum: 256 },
        { const: "adaptive" },
        {
          type: "object",
          properties: {
            adaptive: {
              type: "object",
              properties: {
                initial: { type: "integer", minimum: 1, maximum: 256 },
                max: { type: "integer", minimum: 1, maximum: 256 },
                decreaseRatio: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
                ewmaAlpha: { type: "number", exclusiveMinimum: 0, maximum: 1 },
                rttDeviationScale: positive,
              },
              additionalProperties: false,
            },
          },
          required: ["adaptive"],
          additionalProperties: false,
        },
      ],
      default: "adaptive",
    },
    retry: {
      type: "object",
      properties: {
        initialDelayMs: { type: "integer", minimum: 1, default: 200 },
        maxDelayMs: { type: "integer", minimum: 1, default: 30_000 },
      },
      additionalProperties: false,
      default: {},
    },
  },
  required: ["node", "index"],
  additionalProperties: false,
} as const;

/** Takes a document as an object (which it serializes) or as its JSON bytes (a Buffer or JsonBytes). */
export class ElasticsearchSink implements Sink<object> {
  readonly name: string;
  /** The options as validated, with every default filled in. */
  readonly options: Resolved;
  readonly secrets: readonly string[];
  private readonly builder: RequestBuilder;
  private readonly limiter: ConcurrencyLimiter;
  // One buffer per request being filled, queued or in flight.
  private readonly bodies = new BufferPool(8);
  private client: Client | undefined;
  private ctx: ComponentContext | undefined;
  private service: BulkService | undefined;

  /**
   * Validates `options`; connects nothing until the pipeline calls `connect`.
   *
   * @throws SluiceConfigError (`SLUICE_ERR_CONFIG`) when an option is wrong or options contradict each other
   * (a data stream with `action: "index"`, `nullValues: "delete"` without `id: "key"`, a
   * `templateFallbackIndex` without an index template, ...).
   */
  constructor(options: ElasticsearchSinkOptions) {
    const o = validateOptions<Resolved>("elasticsearchSink", schema, options);
    this.secrets = connectionSecrets(o);
    checkTargetOptions(o);
    this.options = o;
    this.name = o.name;
    const target = new Target("elasticsearchSink", o.index, o.id, o.templateFallbackIndex);
    this.builder = new RequestBuilder(new BulkEncoder(o.action, target, o.pipeline), o.nullValues, this.name);
    this.limiter =
      typeof o.concurrency === "number"
        ? new FixedConcurrency(o.concurrency)
        : new AdaptiveConcurrency(o.concurrency === "adaptive" ? {} : o.concurrency.adaptive);
  }

  async connect(ctx: ComponentContext): Promise<void> {
    this.ctx = ctx;
    warnIfInsecure(this.options, ctx.logger);
    this.client = createClient("elasticsearchSink", this.options);
    const version = await checkElasticsearch(
      this.client,
      this.options.node,
      "elasticsearchSink",
      hasCredentials(this.options),
    );
    ctx.logger.info({ node: this.options.node, version }, "connected to Elasticsearch");
    const template =
      typeof this.options.dataStream === "object" ? this.options.dataStream.template : undefined;
    if (template) {
      const fallback = this.options.templateFallbackIndex;
      const patterns = [...indexPatterns(this.options.index), ...(fallback ? [fallback] : [])];
      const result = await ensureDataStreamTemplate(this.client, template.name, patterns, template.body);
      ctx.logger.info({ template: template.name, patterns, result }, "data stream index template");
    }
    this.service = new BulkService(this.client, ctx, {
      stage: this.name,
      action: this.options.action,
      node: this.options.node,
      hasAuth: this.options.auth !== undefined,
      retry: this.options.retry,
      limiter: this.limiter,
      bodies: this.bodies,
    });
  }

  write(): OperatorFunction<Batch<object>, SinkResult> {
    return bulkWrite({
      builder: this.builder,
      limits: this.options,
      bodies: this.bodies,
      limiter: this.limiter,
      service: () => this.connected().service,
      logger: () => this.connected().ctx.logger,
    });
  }

  async close(): Promise<void> {
    await this.client?.close();
  }

  health(): HealthReport {
    return this.service?.health() ?? { status: "ok", detail: { requestsInFlight: 0 } };
  }

  private connected(): { service: BulkService; ctx: ComponentContext } {
    if (!this.service || !this.ctx)
      throw new SluiceError(ErrorCode.CONFIG, "elasticsearchSink: write() before connect()");
    return { service: this.service, ctx: this.ctx };
  }

  /** The in-flight limit now (fixed, or where adaptive concurrency has taken it). */
  get concurrencyLimit(): number {
    return this.limiter.limit;
  }
}

/** The cross-option checks JSON Schema cannot say. */
function checkTargetOptions(o: Resolved): void {
  if (o.dataStream && o.action !== "create")
    throw new SluiceConfigError("elasticsearchSink", "action", 'must be "create" for a data stream');
  const fallback = o.templateFallbackIndex;
  if (fallback !== undefined) {
    if (typeof o.index !== "string" || !hasReferences(o.index))
      throw new SluiceConfigError(
        "elasticsearchSink",
        "templateFallbackIndex",
        "applies only to an index template with %{…} references",
      );
    if (hasReferences(fallback))
      throw new SluiceConfigError(
        "elasticsearchSink",
        "templateFallbackIndex",
        "must be a plain name (it is used when a template does not resolve)",
      );
    const problem = indexNameProblem(fallback);
    if (problem) throw new SluiceConfigError("elasticsearchSink", "templateFallbackIndex", problem);
  }
  if (o.nullValues === "delete") {
    if (o.id !== "key")
      throw new SluiceConfigError(
        "elasticsearchSink",
        "nullValues",
        'is "delete", which needs id: "key": a tombstone has no document, and its own offset names no indexed record',
      );
    if (o.dataStream)
      throw new SluiceConfigError("elasticsearchSink", "nullValues", 'cannot be "delete" for a data stream');
  }
  const template = typeof o.dataStream === "object" ? o.dataStream.template : undefined;
  if (template && typeof o.index === "function" && !template.body?.index_patterns)
    throw new SluiceConfigError(
      "elasticsearchSink",
      "dataStream.template.body",
      "needs index_patterns when the index is a function",
    );
}

/** An Elasticsearch bulk sink for a pipeline. */
export function elasticsearchSink(options: ElasticsearchSinkOptions): ElasticsearchSink {
  return new ElasticsearchSink(options);
}
