// The bulk API: NDJSON parsing by scanning newlines in the buffer, then one result per action.

import { type ItemResult, type WriteOp, writeDocument } from "./documents.js";
import { esError } from "./errors.js";
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
const NEWLINE = 0x0a;

export function executeBulk(store: Store, body: Buffer, options: BulkOptions): BulkResponse {
  const started = Date.now();
  if (body.length === 0)
    throw esError(400, "action_request_validation_exception", "Validation Failed: 1: no requests added;");
  if (body[body.length - 1] !== NEWLINE)
    throw esError(
      400,
      "illegal_argument_exception",
      "The bulk request must be terminated by a newline [\\n]",
    );
  const items: BulkResponse["items"] = [];
  let errors = false;
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
  for (let actionLine = nextLine(); actionLine !== undefined; actionLine = nextLine()) {
    let action: Record<string, { _index?: string; _id?: string | number }>;
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
        `Malformed action/metadata line [${line}], expected one of [create, delete, index, update] but found [${op}]`,
      );
    const meta = action[op] ?? {};
    const index = meta._index ?? options.defaultIndex;
    const id = meta._id === undefined ? undefined : String(meta._id);
    let source: unknown;
    let sourceError: ItemResult | undefined;
    if (op !== "delete") {
      const docLine = nextLine();
      if (docLine === undefined)
        throw esError(
          400,
          "illegal_argument_exception",
          `The bulk request must be terminated by a newline [\\n]`,
        );
      if (!options.acceptAll) {
        try {
          source = JSON.parse(docLine.toString("utf8"));
        } catch (error) {
          sourceError = {
            status: 400,
            body: {
              _index: index,
              _id: id,
              status: 400,
              error: {
                type: "document_parsing_exception",
                reason: `[1:1] failed to parse: ${(error as Error).message}`,
              },
            },
          };
        }
      }
    }
    let result: ItemResult;
    const rejected = options.rejectItem?.();
    if (index === undefined) {
      result = {
        status: 400,
        body: {
          status: 400,
          error: {
            type: "action_request_validation_exception",
            reason: "Validation Failed: 1: index is missing;",
          },
        },
      };
    } else if (rejected !== undefined) {
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
      result = sourceError ?? writeDocument(store, op as WriteOp, index, id, source);
    }
    if (result.status >= 300) errors = true;
    items.push({ [op]: result.body });
  }
  return { took: Date.now() - started, errors, items };
}
