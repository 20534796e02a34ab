// Writing and deleting one document: the rules shared by the bulk API and the single-document APIs.
import { EsError, esError, indexNotFound } from "./errors.js";
import type { NumberLiterals } from "./json-document.js";
import { Store, validateIndexName } from "./store.js";

export type WriteOp = "index" | "create" | "delete" | "update";

export interface ItemResult {
  status: number;
  body: Record<string, unknown>;
}

const SHARDS = { total: 2, successful: 1, failed: 0 };

function failure(index: string, id: string | null | undefined, error: EsError): ItemResult {
  return {
    status: error.status,
    body: {
      _index: index,
      ...(id !== undefined ? { _id: id } : {}),
      status: error.status,
      error: error.body,
    },
  };
}

export interface WriteOptions {
  /** The number literals of `source` (parseDocument's), which decide a new field's type. */
  numbers?: NumberLiterals;
  /** Why the document line could not be parsed: reported after the target is resolved. */
  sourceError?: EsError;
  /**
   * An earlier `create` of the same bulk request resolved this target: Elasticsearch then refuses an
   * `index` to a data stream without the index_not_found_exception cause its first resolution gives.
   */
  resolvedByCreate?: boolean;
}

/** Applies one write; errors come back as an item result (never thrown), as bulk items report them. */
export function writeDocument(
  store: Store,
  op: WriteOp,
  target: string,
  id: string | undefined,
  source: unknown,
  options: WriteOptions = {},
): ItemResult {
  const invalid = validateIndexName(target);
  // An item refused before an _id was generated shows `"_id": null`.
  if (invalid) return failure(target, id ?? null, invalid);
  if (id === "" && (op === "index" || op === "create"))
    return failure(
      target,
      id,
      esError(400, "illegal_argument_exception", "if _id is specified it must not be empty"),
    );
  try {
    if (op === "delete") return deleteDocument(store, target, id ?? "");
    const { index, dataStream } = store.writeTarget(target);
    if (dataStream && op !== "create")
      return failure(
        target,
        id,
        esError(
          400,
          "illegal_argument_exception",
          `only write ops with an op_type of create are allowed in data streams`,
          options.resolvedByCreate ? {} : { caused_by: indexNotFound(target, { excluded_ds: "true" }).body },
        ),
      );
    const docId = id ?? Store.autoId();
    if (options.sourceError) return failure(index.name, docId, options.sourceError);
    if (source === null || typeof source !== "object" || Array.isArray(source))
      return failure(
        index.name,
        docId,
        esError(400, "document_parsing_exception", "Malformed content, must start with an object"),
      );
    const existing = index.docs.get(docId);
    let doc = source as Record<string, unknown>;
    if (op === "update") {
      if (!existing)
        return failure(
          index.name,
          docId,
          esError(404, "document_missing_exception", `[${docId}]: document missing`, {
            shard: "0",
            index: index.name,
            index_uuid: index.uuid,
          }),
        );
      const partial = (source as { doc?: Record<string, unknown> }).doc;
      if (!partial)
        return failure(
          index.name,
          docId,
          esError(
            400,
            "action_request_validation_exception",
            "Validation Failed: 1: script or doc is missing;",
          ),
        );
      doc = { ...existing._source, ...partial };
    }
    // Elasticsearch parses the document (and updates the mapping) before the engine sees the _id: a
    // document that does not parse is a 400 even when its _id exists.
    const mapped = index.mapping.apply(doc, docId, op === "update" ? undefined : options.numbers);
    if (mapped.error) return failure(index.name, docId, mapped.error);
    if (dataStream && (doc["@timestamp"] === undefined || doc["@timestamp"] === null))
      return failure(
        index.name,
        docId,
        esError(
          400,
          "document_parsing_exception",
          `[1:1] failed to parse: data stream timestamp field [@timestamp] is missing`,
          {
            caused_by: {
              type: "illegal_argument_exception",
              reason: "data stream timestamp field [@timestamp] is missing",
            },
          },
        ),
      );
    if (mapped.conflict) return failure(index.name, docId, mapped.conflict);
    mapped.commit();
    if (op === "create" && existing)
      return failure(
        index.name,
        docId,
        esError(
          409,
          "version_conflict_engine_exception",
          `[${docId}]: version conflict, document already exists (current version [${existing._version}])`,
          {
            index_uuid: index.uuid,
            shard: "0",
            index: index.name,
          },
        ),
      );
    const version = (existing?._version ?? 0) + 1;
    const seqNo = index.seqNo++;
    index.docs.set(docId, { _id: docId, _source: doc, _version: version, _seq_no: seqNo });
    return {
      status: existing ? 200 : 201,
      body: {
        _index: index.name,
        _id: docId,
        _version: version,
        result: existing ? "updated" : "created",
        _shards: SHARDS,
        _seq_no: seqNo,
        _primary_term: 1,
        status: existing ? 200 : 201,
      },
    };
  } catch (error) {
    if (error instanceof EsError) return failure(target, id, error);
    throw error;
  }
}

function deleteDocument(store: Store, target: string, id: string): ItemResult {
  const names = store.resolve(target, { ignoreUnavailable: true });
  const index = names.length === 1 ? store.indices.get(names[0]!) : undefined;
  const existing = index?.docs.get(id);
  if (!index || !existing)
    return {
      status: 404,
      body: {
        _index: index?.name ?? target,
        _id: id,
        _version: 1,
        result: "not_found",
        _shards: SHARDS,
        _seq_no: 0,
        _primary_term: 1,
        status: 404,
      },
    };
  index.docs.delete(id);
  const seqNo = index.seqNo++;
  return {
    status: 200,
    body: {
      _index: index.name,
      _id: id,
      _version: existing._version + 1,
      result: "deleted",
      _shards: SHARDS,
      _seq_no: seqNo,
      _primary_term: 1,
      status: 200,
    },
  };
}
