// Elasticsearch-shaped errors: `{"error":{"root_cause":[…],"type","reason",…},"status"}`.

export interface EsErrorBody {
  type: string;
  reason: string;
  [key: string]: unknown;
}

export class EsError extends Error {
  constructor(
    readonly status: number,
    readonly body: EsErrorBody,
  ) {
    super(body.reason);
  }

  /** The whole-response shape. */
  toResponse(): { error: Record<string, unknown>; status: number } {
    const { caused_by: _cause, ...root } = this.body;
    return { error: { root_cause: [root], ...this.body }, status: this.status };
  }
}

export function esError(
  status: number,
  type: string,
  reason: string,
  extra: Record<string, unknown> = {},
): EsError {
  return new EsError(status, { type, reason, ...extra });
}

export function indexNotFound(index: string, extra: Record<string, unknown> = {}): EsError {
  return esError(404, "index_not_found_exception", `no such index [${index}]`, {
    "resource.type": "index_or_alias",
    ...extra,
    "resource.id": index,
    index_uuid: "_na_",
    index,
  });
}
