// The bulk API: NDJSON parsing by scanning newlines in the buffer, the whole request validated, then one
// result per action.

import { type ItemResult, type WriteOp, writeDocument } from "./documents.js";
import { type EsError, esError } from "./errors.js";
import { DuplicateKeyError, JsonSyntaxError, type NumberLiterals, parseDocument } from "./json-document.js";
import type { Store } from "./store.js";

export interface BulkOptions {
  /** The index from the URL (`/{index}/_bulk`), used when an action names none. */
  defaultIndex?: string;
  /** Bench mode: answer 201 without parsing or storing documents. */
  acceptAll: boolean;
  /** Decides, per item, whether a fault rejects it (429). */
  rejectItem?: () => number | undefined;
}

export interface BulkResponse {
  took: number;
  errors: boolean;
  items: Array<Record<string, Record<string, unknown>>>;
}

const ACTIONS = new Set(["index", "create", "delete", "update"]);
/** What an action line may say (BulkRequestParser's fields); anything else refuses the whole request. */
const ACTION_PARAMETERS = new Set([
  "_index",
  "_id",
  "routing",
  "op_type",
  "version",
  "version_type",
  "retry_on_conflict",
  "pipeline",
  "_source",
  "if_seq_no",
  "if_primary_term",
  "require_alias",
  "require_data_stream",
  "list_executed_pipelines",
  "dynamic_templates",
]);
const NEWLINE = 0x0a;
/** IndexRequest.MAX_DOCUMENT_ID_LENGTH_IN_BYTES */
const MAX_ID_BYTES = 512;

interface BulkItem {
  op: WriteOp;
  index: string | undefined;
  id: string | undefined;
  source?: unknown;
  numbers?: NumberLiterals;
  sourceError?: EsError;
}

/** Why a document line is refused, as Elasticsearch words it (document_parsing_exception). */
function sourceError(error: unknown): EsError {
  if (error instanceof DuplicateKeyError) {
    const reason = `[1:${error.column}] Duplicate field '${error.key}'`;
    return esError(400, "document_parsing_exception", `[1:2] failed to parse: ${reason}`, {
      caused_by: {
        type: "x_content_parse_exception",
        reason,
        caused_by: { type: "json_parse_exception", reason: `Duplicate field '${error.key}'` },
      },
    });
  }
  const syntax = error instanceof JsonSyntaxError ? error : undefined;
  const reason = `[1:${syntax?.column ?? 1}] ${(error as Error).message}`;
  return esError(400, "document_parsing_exception", `[1:2] failed to parse: ${reason}`, {
    caused_by: { type: syntax?.eof ? "x_content_e_o_f_exception" : "x_content_parse_exception", reason },
  });
}

/** A document line parsed as Elasticsearch parses it, or why it is refused. */
export function readSource(text: string): Pick<BulkItem, "source" | "numbers" | "sourceError"> {
  try {
    const { value, numbers } = parseDocument(text);
    return { source: value, numbers };
  } catch (error) {
    if (error instanceof DuplicateKeyError || error instanceof JsonSyntaxError)
      return { sourceError: sourceError(error) };
    throw error;
  }
}

export function executeBulk(store: Store, body: Buffer, options: BulkOptions): BulkResponse {
  const started = Date.now();
  if (body.length === 0) throw esError(400, "parse_exception", "request body is required");
  if (body[body.length - 1] !== NEWLINE)
    throw esError(
      400,
      "illegal_argument_exception",
      "The bulk request must be terminated by a newline [\\n]",
    );
  let pos = 0;
  let line = 0;
  const nextLine = (): Buffer | undefined => {
    while (pos < body.length) {
      const end = body.indexOf(NEWLINE, pos);
      const slice = body.subarray(pos, end);
      pos = end + 1;
      line++;
      if (slice.length > 0 && !(slice.length === 1 && slice[0] === 0x0d)) return slice;
    }
    return undefined;
  };
  // Every action is read before any runs: one malformed or invalid refuses the whole request.
  const requests: BulkItem[] = [];
  for (let actionLine = nextLine(); actionLine !== undefined; actionLine = nextLine()) {
    let action: Record<string, Record<string, unknown>>;
    try {
      action = JSON.parse(actionLine.toString("utf8"));
    } catch (error) {
      throw esError(
        400,
        "x_content_parse_exception",
        `[${line}:1] Unexpected token: ${(error as Error).message}`,
      );
    }
    const op = Object.keys(action ?? {})[0];
    if (!op || !ACTIONS.has(op))
      throw esError(
        400,
        "illegal_argument_exception",
        `Malformed action/metadata line [${line}], expected field [create], [delete], [index] or [update] but found [${op}]`,
      );
    const meta = action[op] ?? {};
    for (const key of Object.keys(meta))
      if (!ACTION_PARAMETERS.has(key))
        throw esError(
          400,
          "illegal_argument_exception",
          `Action/metadata line [${line}] contains an unknown parameter [${key}]`,
        );
    const index = typeof meta._index === "string" ? meta._index : options.defaultIndex;
    const id = meta._id === undefined || meta._id === null ? undefined : String(meta._id);
    const item: BulkItem = {
      op: (op === "index" && meta.op_type === "create" ? "create" : op) as WriteOp,
      index,
      id,
    };
    if (op !== "delete") {
      const docLine = nextLine();
      // An action without its document line is dropped, as Elasticsearch's parser does.
      if (docLine === undefined) break;
      if (!options.acceptAll) Object.assign(item, readSource(docLine.toString("utf8")));
    }
    requests.push(item);
  }
  const invalid: string[] = [];
  for (const { op, index, id } of requests) {
    if (index === undefined) invalid.push("index is missing");
    if ((op === "delete" || op === "update") && !id) invalid.push("id is missing");
    if (id !== undefined && Buffer.byteLength(id) > MAX_ID_BYTES)
      invalid.push(
        `id [${id}] is too long, must be no longer than ${MAX_ID_BYTES} bytes but was: ${Buffer.byteLength(id)}`,
      );
  }
  if (requests.length === 0) invalid.push("no requests added");
  if (invalid.length > 0)
    throw esError(
      400,
      "action_request_validation_exception",
      `Validation Failed: ${invalid.map((why, i) => `${i + 1}: ${why};`).join("")}`,
    );

  const items: BulkResponse["items"] = [];
  let errors = false;
  const resolvedByCreate = new Set<string>();
  for (const request of requests) {
    const index = request.index!;
    const { op, id } = request;
    let result: ItemResult;
    const rejected = options.rejectItem?.();
    if (rejected !== undefined) {
      result = {
        status: rejected,
        body: {
          _index: index,
          _id: id,
          status: rejected,
          error: {
            type: "es_rejected_execution_exception",
            reason:
              "rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1024, max_coordinating_and_primary_bytes=107374182]",
          },
        },
      };
    } else if (options.acceptAll) {
      result = {
        status: 201,
        body: { _index: index, _id: id ?? "auto", _version: 1, result: "created", status: 201 },
      };
    } else {
      result = writeDocument(store, op, index, id, request.source, {
        ...(request.numbers ? { numbers: request.numbers } : {}),
        ...(request.sourceError ? { sourceError: request.sourceError } : {}),
        resolvedByCreate: resolvedByCreate.has(index),
      });
      if (op === "create") resolvedByCreate.add(index);
    }
    if (result.status >= 300) errors = true;
    items.push({ [op]: result.body });
  }
  return { took: Date.now() - started, errors, items };
}
