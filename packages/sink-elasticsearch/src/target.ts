// Where each event goes: its index (fixed, per topic, a `%{field}` / `%{+date}` template, or a function)
// and its _id (Kafka coordinates, a field, or none).
import { JsonBytes, originId, SluiceConfigError, type SluiceEvent } from "@sluice/core";
import { type FieldPath, fieldOption, getField, hasReferences, sprintf } from "@sluice/transforms";

/** A target index, data stream or alias. */
export type IndexOption =
  | string
  | ((event: SluiceEvent) => string)
  | { topics: Record<string, string>; default?: string };

/** `origin`: `<topic>+<partition>+<offset>`, so replays are recognized. `none`: Elasticsearch picks. */
export type IdOption = "origin" | "none" | { field: string };

type Doc = Record<string, unknown>;

/** The event's document as an object: its value, or its bytes parsed when a stage left it as JSON text. */
function documentOf(event: SluiceEvent): Doc {
  const value = event.value;
  if (Buffer.isBuffer(value) || value instanceof JsonBytes) return JSON.parse(value.toString("utf8")) as Doc;
  return (value ?? {}) as Doc;
}

const noDocument = (): Doc => {
  throw new Error("this target does not read documents");
};

export class Target {
  /** The index when it is the same for every event (JSON-quoted, ready for the action line). */
  readonly fixedIndex: string | undefined;
  private readonly indexOf: ((event: SluiceEvent, doc: () => Doc) => string) | undefined;
  private readonly idField: FieldPath | undefined;
  private readonly needsDocument: boolean;
  private readonly byFunction: boolean = false;

  constructor(
    component: string,
    index: IndexOption,
    private readonly id: IdOption,
  ) {
    if (typeof index === "string" && !hasReferences(index)) {
      this.fixedIndex = JSON.stringify(index);
    } else if (typeof index === "string") {
      const template = sprintf(index);
      this.indexOf = (_event, doc) => template(doc());
    } else if (typeof index === "function") {
      this.byFunction = true;
      this.indexOf = (event) => index(event);
    } else if (index && typeof index === "object" && index.topics && typeof index.topics === "object") {
      const byTopic = new Map(Object.entries(index.topics));
      const fallback = index.default;
      this.indexOf = (event) => {
        const name = byTopic.get(event.origin.topic) ?? fallback;
        if (name === undefined)
          throw new Error(`no index for topic ${event.origin.topic} and no index.default`);
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
    return !this.needsDocument && !this.byFunction && typeof this.id === "string";
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
    let id = "";
    if (this.id === "origin") id = `,"_id":${JSON.stringify(originId(event.origin))}`;
    else if (this.idField) {
      const value = getField(doc(), this.idField);
      if (typeof value !== "string" && typeof value !== "number")
        throw new Error(`the _id field is ${value === undefined ? "missing" : `not a string or number`}`);
      id = `,"_id":${JSON.stringify(String(value))}`;
    }
    return { index, id };
  }

  get parsesDocuments(): boolean {
    return this.needsDocument;
  }

  private checkedName(name: unknown): string {
    if (typeof name !== "string" || name.length === 0)
      throw new Error(`index resolved to ${JSON.stringify(name)}`);
    return name;
  }
}
