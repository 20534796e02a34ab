// The emulator's state: indices with their documents and mappings, index templates, data streams, aliases.
import { randomBytes, randomUUID } from "node:crypto";
import { type EsError, esError, indexNotFound } from "./errors.js";
import { type FieldMapping, IndexMapping } from "./mapping.js";

export interface StoredDoc {
  _id: string;
  _source: Record<string, unknown>;
  _version: number;
  _seq_no: number;
}

/**
 * An index setting however it was written: `{"index.mapping.total_fields.limit": 10}`,
 * `{"index": {"mapping": {…}}}`, or without the `index.` prefix, as Elasticsearch normalizes them.
 */
export function indexSetting(settings: Record<string, unknown>, key: string): unknown {
  const flat = new Map<string, unknown>();
  const walk = (node: unknown, prefix: string) => {
    if (node !== null && typeof node === "object" && !Array.isArray(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else flat.set(prefix.startsWith("index.") ? prefix : `index.${prefix}`, node);
  };
  walk(settings, "");
  return flat.get(`index.${key}`);
}

export class Index {
  readonly uuid = randomBytes(16).toString("base64url").slice(0, 22);
  readonly docs = new Map<string, StoredDoc>();
  readonly mapping: IndexMapping;
  readonly createdAt = Date.now();
  seqNo = 0;
  constructor(
    readonly name: string,
    mappings?: { properties?: Record<string, FieldMapping>; date_detection?: boolean },
    readonly settings: Record<string, unknown> = {},
    readonly dataStream?: string,
  ) {
    const limit = Number(indexSetting(settings, "mapping.total_fields.limit") ?? 1000);
    this.mapping = new IndexMapping(mappings, { totalFieldsLimit: limit });
  }
  /** Left out of wildcards: a data stream's backing indices, and indices set index.hidden (not a leading dot). */
  get hidden(): boolean {
    return this.dataStream !== undefined || String(indexSetting(this.settings, "hidden")) === "true";
  }
}

export interface IndexTemplate {
  name: string;
  index_patterns: string[];
  data_stream?: Record<string, unknown>;
  priority: number;
  template?: { settings?: Record<string, unknown>; mappings?: { properties?: Record<string, FieldMapping> } };
  [key: string]: unknown;
}

export interface DataStream {
  name: string;
  template: string;
  /** Backing indices, oldest first; the last is the write index. */
  indices: Index[];
  generation: number;
}

/** The index a data stream's writes go to. */
export function writeIndexOf(stream: DataStream): Index {
  return stream.indices[stream.indices.length - 1]!;
}

/** `GET _resolve/index/<name>`'s answer. */
export interface ResolvedIndex {
  indices: Array<{ name: string; aliases?: string[]; attributes: string[]; data_stream?: string }>;
  aliases: Array<{ name: string; indices: string[] }>;
  data_streams: Array<{ name: string; backing_indices: string[]; timestamp_field: string }>;
}

/** A write target after resolving aliases, data streams and templates. */
export interface WriteTarget {
  index: Index;
  dataStream?: DataStream;
}

export function wildcardToRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
}

export function validateIndexName(name: string): EsError | undefined {
  const invalid = (why: string) =>
    esError(400, "invalid_index_name_exception", `Invalid index name [${name}], ${why}`, {
      index: name,
      index_uuid: "_na_",
    });
  if (name !== name.toLowerCase()) return invalid("must be lowercase");
  if (/^[_\-+]/.test(name)) return invalid("must not start with '_', '-', or '+'");
  if (name === "." || name === "..") return invalid("must not be '.' or '..'");
  if (/[\\/*?"<>| ,#:]/.test(name))
    return invalid(`must not contain the following characters [' ','"','*',',','/','<','>','?','\\','|']`);
  if (Buffer.byteLength(name) > 255)
    return invalid(`index name is too long, (${Buffer.byteLength(name)} > 255)`);
  return undefined;
}

function formatDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, "0")}.${String(d.getUTCDate()).padStart(2, "0")}`;
}

export class Store {
  readonly indices = new Map<string, Index>();
  readonly templates = new Map<string, IndexTemplate>();
  readonly dataStreams = new Map<string, DataStream>();
  /** alias name → index names */
  readonly aliases = new Map<string, Set<string>>();
  /** alias name → the index given `is_write_index: true` for it, where writes to the alias go */
  readonly writeIndices = new Map<string, string>();
  readonly clusterUuid = randomUUID();

  createIndex(
    name: string,
    body: {
      settings?: Record<string, unknown>;
      mappings?: { properties?: Record<string, FieldMapping> };
      aliases?: Record<string, unknown>;
    } = {},
  ): Index {
    const invalid = validateIndexName(name);
    if (invalid) throw invalid;
    if (this.indices.has(name) || this.dataStreams.has(name) || this.aliases.has(name))
      throw esError(
        400,
        "resource_already_exists_exception",
        `index [${name}/${this.indices.get(name)?.uuid ?? "_na_"}] already exists`,
        {
          index: name,
        },
      );
    const template = this.matchingTemplate(name);
    if (template?.data_stream)
      throw esError(
        400,
        "illegal_argument_exception",
        `cannot create index with name [${name}], because it matches with template [${template.name}] that creates data streams only, use create data stream api instead`,
      );
    const mappings = {
      properties: {
        ...(template?.template?.mappings?.properties ?? {}),
        ...(body.mappings?.properties ?? {}),
      },
    };
    const index = new Index(name, mappings, {
      ...(template?.template?.settings ?? {}),
      ...(body.settings ?? {}),
    });
    this.indices.set(name, index);
    for (const [alias, options] of Object.entries(body.aliases ?? {}))
      this.addAlias(name, alias, (options as { is_write_index?: boolean } | null)?.is_write_index === true);
    return index;
  }

  deleteIndex(name: string): void {
    const names = this.resolve(name);
    for (const n of names) {
      const index = this.indices.get(n);
      const stream = index?.dataStream ? this.dataStreams.get(index.dataStream) : undefined;
      if (stream && writeIndexOf(stream) === index)
        throw esError(
          400,
          "illegal_argument_exception",
          `index [${n}] is the write index for data stream [${stream.name}] and cannot be deleted`,
        );
      if (stream) stream.indices = stream.indices.filter((backing) => backing !== index);
      this.indices.delete(n);
      for (const members of this.aliases.values()) members.delete(n);
      for (const [alias, writeIndex] of this.writeIndices)
        if (writeIndex === n) this.writeIndices.delete(alias);
    }
  }

  addAlias(index: string, alias: string, isWriteIndex = false): void {
    if (!this.indices.has(index)) throw indexNotFound(index);
    let members = this.aliases.get(alias);
    if (!members) {
      members = new Set();
      this.aliases.set(alias, members);
    }
    members.add(index);
    if (isWriteIndex) this.writeIndices.set(alias, index);
  }

  /** The index a write to `alias` goes to: its write index, or its only index; undefined when neither. */
  private aliasWriteIndex(alias: string): string | undefined {
    const members = this.aliases.get(alias);
    return this.writeIndices.get(alias) ?? (members?.size === 1 ? [...members][0] : undefined);
  }

  putTemplate(name: string, body: Record<string, unknown>): void {
    const patterns = typeof body.index_patterns === "string" ? [body.index_patterns] : body.index_patterns;
    if (Array.isArray(patterns) && patterns.length === 0)
      throw esError(400, "illegal_argument_exception", "There must be at least one pattern, zero given");
    if (!Array.isArray(patterns))
      throw esError(
        400,
        "action_request_validation_exception",
        "Validation Failed: 1: index patterns are missing;",
      );
    this.templates.set(name, {
      ...body,
      name,
      index_patterns: patterns.map(String),
      priority: typeof body.priority === "number" ? body.priority : 0,
    });
  }

  matchingTemplate(name: string): IndexTemplate | undefined {
    let best: IndexTemplate | undefined;
    for (const template of this.templates.values()) {
      if (!template.index_patterns.some((p) => wildcardToRegExp(p).test(name))) continue;
      if (!best || template.priority > best.priority) best = template;
    }
    return best;
  }

  createDataStream(name: string): DataStream {
    if (this.dataStreams.has(name))
      throw esError(400, "resource_already_exists_exception", `data_stream [${name}] already exists`);
    const invalid = validateIndexName(name);
    if (invalid) throw invalid;
    const template = this.matchingTemplate(name);
    if (!template?.data_stream)
      throw esError(
        400,
        "index_template_missing_exception",
        `no matching index template found for data stream [${name}]`,
      );
    const stream: DataStream = { name, template: template.name, indices: [], generation: 0 };
    this.addBackingIndex(stream, template);
    this.dataStreams.set(name, stream);
    return stream;
  }

  /** A new write index for the stream, `.ds-<name>-<yyyy.MM.dd>-<generation>`, from its template as it is now. */
  private addBackingIndex(stream: DataStream, template: IndexTemplate): Index {
    stream.generation++;
    const backingName = `.ds-${stream.name}-${formatDay(Date.now())}-${String(stream.generation).padStart(6, "0")}`;
    const properties = {
      "@timestamp": { type: "date" },
      ...(template.template?.mappings?.properties ?? {}),
    };
    const backing = new Index(backingName, { properties }, template.template?.settings ?? {}, stream.name);
    this.indices.set(backingName, backing);
    stream.indices.push(backing);
    return backing;
  }

  /** POST /<target>/_rollover: a data stream gets a new write index; anything else is refused as ES does. */
  rollover(target: string): { old_index: string; new_index: string } {
    const stream = this.dataStreams.get(target);
    if (!stream) {
      if (this.indices.has(target))
        throw esError(
          400,
          "illegal_argument_exception",
          "rollover target is a [concrete index] but one of [alias,data_stream] was expected",
        );
      if (this.aliases.has(target)) return this.rolloverAlias(target);
      throw esError(404, "resource_not_found_exception", `rollover target [${target}] does not exist`);
    }
    const old = writeIndexOf(stream);
    const template = this.templates.get(stream.template) ?? this.matchingTemplate(stream.name);
    const created = this.addBackingIndex(
      stream,
      template ?? { name: stream.template, index_patterns: [], priority: 0 },
    );
    return { old_index: old.name, new_index: created.name };
  }

  /**
   * An alias's rollover: its write index `<prefix>-<n>` gets a successor `<prefix>-<n+1>` (the same number
   * of digits, at least six) that becomes the write index; an explicit write index stays in the alias with
   * is_write_index false, an implicit one (the alias's only index) leaves it, as Elasticsearch does.
   */
  private rolloverAlias(alias: string): { old_index: string; new_index: string } {
    const old = this.aliasWriteIndex(alias);
    if (!old)
      throw esError(
        400,
        "illegal_argument_exception",
        `rollover target [${alias}] does not point to a write index`,
      );
    const match = /^(.*-)(\d+)$/.exec(old);
    if (!match)
      throw esError(
        400,
        "illegal_argument_exception",
        `index name [${old}] does not match pattern '^.*-\\d+$'`,
      );
    const next = `${match[1]}${String(Number(match[2]) + 1).padStart(Math.max(6, match[2]!.length), "0")}`;
    const explicit = this.writeIndices.has(alias);
    this.createIndex(next);
    if (!explicit) this.aliases.get(alias)!.delete(old);
    this.addAlias(next, alias, explicit);
    return { old_index: old, new_index: next };
  }

  deleteDataStream(name: string): void {
    const stream = this.dataStreams.get(name);
    if (!stream) throw indexNotFound(name);
    for (const index of stream.indices) this.indices.delete(index.name);
    this.dataStreams.delete(name);
  }

  /**
   * GET _resolve/index/<expression>: the indices, aliases and data streams it names. A wildcard leaves out
   * hidden indices (a data stream's backing ones) unless it starts with a dot or expand_wildcards says so;
   * a name that exists nowhere is a 404 unless ignore_unavailable.
   */
  resolveIndex(
    expression: string,
    options: { expandHidden?: boolean; ignoreUnavailable?: boolean } = {},
  ): ResolvedIndex {
    const indices = new Set<string>();
    const aliases = new Set<string>();
    const streams = new Set<string>();
    for (const raw of expression.split(",")) {
      const part = raw.trim();
      if (part.includes("*")) {
        const re = wildcardToRegExp(part);
        const hiddenOk = options.expandHidden || part.startsWith(".");
        for (const index of this.indices.values())
          if (re.test(index.name) && (hiddenOk || !index.hidden)) indices.add(index.name);
        for (const alias of this.aliases.keys()) if (re.test(alias)) aliases.add(alias);
        for (const stream of this.dataStreams.keys()) if (re.test(stream)) streams.add(stream);
      } else if (this.indices.has(part)) indices.add(part);
      else if (this.aliases.has(part)) aliases.add(part);
      else if (this.dataStreams.has(part)) streams.add(part);
      else if (!options.ignoreUnavailable) throw indexNotFound(part);
    }
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return {
      indices: [...indices].sort(byName).map((name) => {
        const index = this.indices.get(name)!;
        const memberOf = [...this.aliases].filter(([, members]) => members.has(name)).map(([alias]) => alias);
        return {
          name,
          ...(memberOf.length > 0 ? { aliases: memberOf.sort(byName) } : {}),
          attributes: index.hidden ? ["hidden", "open"] : ["open"],
          ...(index.dataStream ? { data_stream: index.dataStream } : {}),
        };
      }),
      aliases: [...aliases].sort(byName).map((name) => ({
        name,
        indices: [...this.aliases.get(name)!].sort(byName),
      })),
      data_streams: [...streams].sort(byName).map((name) => ({
        name,
        backing_indices: this.dataStreams.get(name)!.indices.map((index) => index.name),
        timestamp_field: "@timestamp",
      })),
    };
  }

  /** Where a write to `name` goes, creating the index or data stream on first write as ES does. */
  writeTarget(name: string): WriteTarget {
    const stream = this.dataStreams.get(name);
    if (stream) return { index: writeIndexOf(stream), dataStream: stream };
    const index = this.indices.get(name);
    if (index) return { index };
    const alias = this.aliases.get(name);
    if (alias) {
      const writeIndex = this.aliasWriteIndex(name);
      if (writeIndex === undefined)
        throw esError(
          400,
          "illegal_argument_exception",
          `no write index is defined for alias [${name}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index`,
        );
      return { index: this.indices.get(writeIndex)! };
    }
    const template = this.matchingTemplate(name);
    if (template?.data_stream) {
      const created = this.createDataStream(name);
      return { index: writeIndexOf(created), dataStream: created };
    }
    return { index: this.createIndex(name) };
  }

  /** Names of concrete indices for a search/count/refresh target expression. */
  resolve(
    expression: string,
    options: { allowNoIndices?: boolean; ignoreUnavailable?: boolean } = {},
  ): string[] {
    const out = new Set<string>();
    const parts = expression === "" || expression === "_all" ? ["*"] : expression.split(",");
    for (const raw of parts) {
      const part = raw.trim();
      if (part.includes("*")) {
        const re = wildcardToRegExp(part);
        const hiddenOk = part.startsWith(".");
        for (const index of this.indices.values())
          if (re.test(index.name) && (hiddenOk || !index.hidden)) out.add(index.name);
        for (const stream of this.dataStreams.values())
          if (re.test(stream.name)) for (const index of stream.indices) out.add(index.name);
        for (const [alias, members] of this.aliases) if (re.test(alias)) for (const m of members) out.add(m);
        if (options.allowNoIndices === false && !matchedAny(this, re, hiddenOk)) throw indexNotFound(part);
        continue;
      }
      if (this.indices.has(part)) out.add(part);
      else if (this.dataStreams.has(part))
        for (const index of this.dataStreams.get(part)!.indices) out.add(index.name);
      else if (this.aliases.has(part)) for (const m of this.aliases.get(part)!) out.add(m);
      else if (!options.ignoreUnavailable) throw indexNotFound(part);
    }
    return [...out];
  }

  static autoId(): string {
    return randomBytes(15).toString("base64url");
  }
}

/** Whether a wildcard matched anything at all (allow_no_indices=false refuses one that matched nothing). */
function matchedAny(store: Store, re: RegExp, hiddenOk: boolean): boolean {
  for (const index of store.indices.values())
    if (re.test(index.name) && (hiddenOk || !index.hidden)) return true;
  for (const name of store.dataStreams.keys()) if (re.test(name)) return true;
  for (const name of store.aliases.keys()) if (re.test(name)) return true;
  return false;
}
