// Elasticsearch-shaped errors: `{"error":{"root_cause":[…],"type","reason",…},"status"}`, and the few
// plain-string forms (`{"error":"…","status":N}`) the REST layer itself answers with.

export interface EsErrorBody {
  type: string;
  reason: string;
  caused_by?: EsErrorBody;
  [key: string]: unknown;
}

export class EsError extends Error {
  constructor(
    readonly status: number,
    readonly body: EsErrorBody,
    /** Response headers Elasticsearch sends with this error (e.g. WWW-Authenticate). */
    readonly headers: Record<string, string | string[]> = {},
    /** For the REST layer's own errors, whose `error` is a plain string. */
    readonly plain = false,
    /** The root causes when they are not the error itself (search shard failures). */
    readonly rootCauses?: EsErrorBody[],
  ) {
    super(body.reason);
  }

  /** The whole-response shape. */
  toResponse(): Record<string, unknown> {
    if (this.plain) return { error: this.body.reason, status: this.status };
    // Like ElasticsearchException.guessRootCauses: the error itself, without its cause chain.
    const { caused_by: _cause, ...root } = this.body;
    return { error: { root_cause: this.rootCauses ?? [root], ...this.body }, status: this.status };
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

/** The REST layer's string-valued errors: 405 wrong method, 406 content type, 400 no handler. */
export function plainError(status: number, reason: string, headers: Record<string, string> = {}): EsError {
  return new EsError(status, { type: "", reason }, headers, true);
}

export function indexNotFound(index: string): EsError {
  return esError(404, "index_not_found_exception", `no such index [${index}]`, {
    "resource.type": "index_or_alias",
    "resource.id": index,
    index_uuid: "_na_",
    index,
  });
}

/** 400 action_request_validation_exception, numbering the problems as Elasticsearch does. */
export function validationFailed(problems: string[]): EsError {
  return esError(
    400,
    "action_request_validation_exception",
    `Validation Failed: ${problems.map((p, i) => `${i + 1}: ${p};`).join("")}`,
  );
}

/**
 * A search that failed on every shard: Elasticsearch answers search_phase_execution_exception, with the
 * shard's own error as root cause and caused_by.
 */
export function allShardsFailed(status: number, cause: EsErrorBody, index: string): EsError {
  return new EsError(
    status,
    {
      type: "search_phase_execution_exception",
      reason: "all shards failed",
      phase: "query",
      grouped: true,
      failed_shards: [{ shard: 0, index, node: "emulator-node", reason: cause }],
      caused_by: cause,
    },
    {},
    false,
    [cause],
  );
}

export function isEsError(error: unknown): error is EsError {
  return error instanceof EsError;
}
