// Where each event goes: its index (fixed, per topic, a `%{field}` / `%{+date}` template, or a function)
// and its _id (Kafka coordinates, the record key, a field, or none).
import {
  ErrorCode,
  type FieldPath,
  fieldOption,
  getField,
  hasReferences,
  JsonBytes,
  originId,
  SluiceConfigError,
  SluiceError,
  type SluiceEvent,
  sprintf,
} from "@sluice/core";
// Joda date patterns are the one thing still borrowed from transforms: core carries no calendar.
import { formatJoda } from "@sluice/core/time";

/** A target index, data stream or alias. */
export type IndexOption =
  | string
  | ((event: SluiceEvent) => string)
  | {
      /** The target of each topic's events, by topic name. */
      topics: Record<string, string>;
      /** The target of events of any other topic; without it they go to dead letters. */
      default?: string;
    };

/**
 * `origin`: `<topic>+<partition>+<offset>`, so replays are recognized. `key`: the Kafka record key
 * (UTF-8), as Kafka Connect's `key.ignore=false`. `none`: Elasticsearch picks.
 */
export type IdOption =
  | "origin"
  | "key"
  | "none"
  | {
      /** A Logstash field reference to the field whose value (a string or a number) is the `_id`. */
      field: string;
    };

type Doc = Record<string, unknown>;

/** Why an event has no target; its `name` is the dead letter's error type. */
export class TargetError extends SluiceError {
  constructor(type: string, message: string) {
    super(ErrorCode.ES_TARGET, message);
    this.name = type;
  }
}

/** The event's document as an object: its value, or its bytes parsed when a stage left it as JSON text. */
function documentOf(event: SluiceEvent): Doc {
  const value = event.value;
  if (Buffer.isBuffer(value) || value instanceof JsonBytes) return JSON.parse(value.toString("utf8")) as Doc;
  return (value ?? {}) as Doc;
}

const noDocument = (): Doc => {
  throw new TargetError("no_document", "this target does not read documents");
};

/** A name Elasticsearch takes for an index, data stream or alias; else why not. */
export function indexNameProblem(name: string): string | undefined {
  if (name.length === 0) return "is empty";
  if (Buffer.byteLength(name) > 255) return "is longer than 255 bytes";
  if (name !== name.toLowerCase()) return "must be lowercase";
  if (/[\\/*?"<>| ,#:]/.test(name)) return 'must not contain \\, /, *, ?, ", <, >, |, space, comma, # or :';
  if (/^[-_+]/.test(name)) return "must not start with -, _ or +";
  if (name === "." || name === "..") return 'must not be "." or ".."';
  return undefined;
}

/**
 * A `%{…}` template that reports the first reference it cannot resolve (a missing field, a date without
 * a usable `@timestamp`) instead of writing it as is, as sprintf does.
 */
function strictTemplate(template: string): (doc: Doc) => { name: string } | { unresolved: string } {
  const parts: Array<string | { literal: string; format: (doc: Doc) => string }> = [];
  let last = 0;
  for (const match of template.matchAll(/%\{[^}]+\}/g)) {
    if (match.index > last) parts.push(template.slice(last, match.index));
    last = match.index + match[0].length;
    parts.push({ literal: match[0], format: sprintf(match[0], formatJoda) });
  }
  if (last < template.length) parts.push(template.slice(last));
  return (doc) => {
    let name = "";
    for (const part of parts) {
      if (typeof part === "string") {
        name += part;
        continue;
      }
      const value = part.format(doc);
      // sprintf leaves a reference it cannot resolve as written.
      if (value === part.literal) return { unresolved: part.literal };
      name += value;
    }
    return { name };
  };
}

export class Target {
  /** The index when it is the same for every event (JSON-quoted, ready for the action line). */
  readonly fixedIndex: string | undefined;
  private readonly indexOf: ((event: SluiceEvent, doc: () => Doc) => string) | undefined;
  private readonly idField: FieldPath | undefined;
  private readonly needsDocument: boolean;
  private readonly byFunction: boolean = false;

  /** `fallbackIndex`: where an event goes whose index template does not resolve; else it is refused. */
  constructor(
    component: string,
    index: IndexOption,
    private readonly id: IdOption,
    fallbackIndex?: string,
  ) {
    if (typeof index === "string" && !hasReferences(index)) {
      this.fixedIndex = JSON.stringify(index);
    } else if (typeof index === "string") {
      const template = strictTemplate(index);
      this.indexOf = (_event, doc) => {
        const result = template(doc());
        if ("name" in result) return result.name;
        if (fallbackIndex !== undefined) return fallbackIndex;
        throw new TargetError(
          "index_template_unresolved",
          `the index template ${JSON.stringify(index)} does not resolve: the event has no value for ${result.unresolved}` +
            " (give templateFallbackIndex to send such events to an index of their own)",
        );
      };
    } else if (typeof index === "function") {
      this.byFunction = true;
      this.indexOf = (event) => index(event);
    } else if (index && typeof index === "object" && index.topics && typeof index.topics === "object") {
      const byTopic = new Map(Object.entries(index.topics));
      const fallback = index.default;
      this.indexOf = (event) => {
        const name = byTopic.get(event.origin.topic) ?? fallback;
        if (name === undefined)
          throw new TargetError(
            "no_index_for_topic",
            `no index for topic ${event.origin.topic} and no index.default`,
          );
        return name;
      };
    } else {
      throw new SluiceConfigError(
        component,
        "index",
        "must be a name, a { topics, default } map or a function",
      );
    }
    if (typeof id === "object") this.idField = fieldOption(component, "id.field", id.field);
    this.needsDocument = (typeof index === "string" && hasReferences(index)) || this.idField !== undefined;
  }

  /**
   * True when the action line depends on nothing but the event's topic, partition and offset (the
   * index is fixed or chosen by topic; the _id is the origin or none): an encoder may reuse it.
   */
  get byOrigin(): boolean {
    return !this.needsDocument && !this.byFunction && (this.id === "origin" || this.id === "none");
  }

  /** The JSON-quoted index and the `,"_id":"…"` part of the action line. Throws when it cannot tell. */
  resolve(event: SluiceEvent): { index: string; id: string } {
    let cached: Doc | undefined;
    const doc = this.needsDocument
      ? () => {
          cached ??= documentOf(event);
          return cached;
        }
      : noDocument;
    const index = this.fixedIndex ?? JSON.stringify(this.checkedName(this.indexOf!(event, doc)));
    return { index, id: this.idPart(event, doc) };
  }

  /** The JSON-quoted index of an event with no document (a tombstone), and its `,"_id":"…"` part. */
  resolveWithoutDocument(event: SluiceEvent): { index: string; id: string } {
    const index = this.fixedIndex ?? JSON.stringify(this.checkedName(this.indexOf!(event, noDocument)));
    return { index, id: this.idPart(event, noDocument) };
  }

  get parsesDocuments(): boolean {
    return this.needsDocument;
  }

  private idPart(event: SluiceEvent, doc: () => Doc): string {
    if (this.id === "origin") return `,"_id":${JSON.stringify(originId(event.origin))}`;
    if (this.id === "key") {
      const key = event.origin.key;
      if (key === null || key.length === 0)
        throw new TargetError("id_key_missing", "the record has no key to use as _id (option id: key)");
      return `,"_id":${JSON.stringify(key.toString("utf8"))}`;
    }
    if (this.idField) {
      const value = getField(doc(), this.idField);
      if (typeof value !== "string" && typeof value !== "number")
        throw new TargetError(
          "id_field_unusable",
          `the _id field is ${value === undefined ? "missing" : "not a string or number"}`,
        );
      return `,"_id":${JSON.stringify(String(value))}`;
    }
    return "";
  }

  private checkedName(name: unknown): string {
    if (typeof name !== "string" || name.length === 0)
      throw new TargetError("index_unusable", `index resolved to ${JSON.stringify(name)}`);
    return name;
  }
}
