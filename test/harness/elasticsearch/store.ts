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
    this.mapping = new IndexMapping(mappings);
  }
  get hidden(): boolean {
    return this.name.startsWith(".");
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
  backing: Index;
  generation: number;
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
    for (const alias of Object.keys(body.aliases ?? {})) this.addAlias(name, alias);
    return index;
  }

  deleteIndex(name: string): void {
    const names = this.resolve(name, { allowNoIndices: false });
    for (const n of names) {
      const index = this.indices.get(n);
      if (index?.dataStream)
        throw esError(
          400,
          "illegal_argument_exception",
          `index [${n}] is the write index for data stream [${index.dataStream}] and cannot be deleted`,
        );
      this.indices.delete(n);
      for (const members of this.aliases.values()) members.delete(n);
    }
  }

  addAlias(index: string, alias: string): void {
    if (!this.indices.has(index)) throw indexNotFound(index);
    let members = this.aliases.get(alias);
    if (!members) {
      members = new Set();
      this.aliases.set(alias, members);
    }
    members.add(index);
  }

  putTemplate(name: string, body: Record<string, unknown>): void {
    const patterns = typeof body.index_patterns === "string" ? [body.index_patterns] : body.index_patterns;
    if (!Array.isArray(patterns) || patterns.length === 0)
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
    const backingName = `.ds-${name}-${formatDay(Date.now())}-000001`;
    const properties = {
      "@timestamp": { type: "date" },
      ...(template.template?.mappings?.properties ?? {}),
    };
    const backing = new Index(backingName, { properties }, template.template?.settings ?? {}, name);
    this.indices.set(backingName, backing);
    const stream: DataStream = { name, template: template.name, backing, generation: 1 };
    this.dataStreams.set(name, stream);
    return stream;
  }

  deleteDataStream(name: string): void {
    const stream = this.dataStreams.get(name);
    if (!stream) throw indexNotFound(name);
    this.indices.delete(stream.backing.name);
    this.dataStreams.delete(name);
  }

  /** Where a write to `name` goes, creating the index or data stream on first write as ES does. */
  writeTarget(name: string): WriteTarget {
    const stream = this.dataStreams.get(name);
    if (stream) return { index: stream.backing, dataStream: stream };
    const index = this.indices.get(name);
    if (index) return { index };
    const alias = this.aliases.get(name);
    if (alias) {
      if (alias.size !== 1)
        throw esError(
          400,
          "illegal_argument_exception",
          `no write index is defined for alias [${name}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index`,
        );
      return { index: this.indices.get([...alias][0]!)! };
    }
    const template = this.matchingTemplate(name);
    if (template?.data_stream) {
      const created = this.createDataStream(name);
      return { index: created.backing, dataStream: created };
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
          if (re.test(stream.name)) out.add(stream.backing.name);
        for (const [alias, members] of this.aliases) if (re.test(alias)) for (const m of members) out.add(m);
        continue;
      }
      if (this.indices.has(part)) out.add(part);
      else if (this.dataStreams.has(part)) out.add(this.dataStreams.get(part)!.backing.name);
      else if (this.aliases.has(part)) for (const m of this.aliases.get(part)!) out.add(m);
      else if (!options.ignoreUnavailable) throw indexNotFound(part);
    }
    return [...out];
  }

  static autoId(): string {
    return randomBytes(15).toString("base64url");
  }
}
