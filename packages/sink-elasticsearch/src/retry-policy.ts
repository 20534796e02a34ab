// What is retried: whole-request failures and per-item statuses, as Logstash and Vector classify them.
import { errors } from "@elastic/elasticsearch";

/** Connection errors, timeouts, 429 and 5xx (but 501) answers to the whole request are worth retrying. */
export function isRetryableRequestError(error: unknown): boolean {
  if (error instanceof errors.ResponseError) return isRetryableStatus(error.statusCode ?? 0);
  return (
    error instanceof errors.ConnectionError ||
    error instanceof errors.TimeoutError ||
    error instanceof errors.NoLivingConnectionsError ||
    error instanceof errors.DeserializationError
  );
}

/** Answers that say the cluster is overloaded, which adaptive concurrency backs off from. */
export function isBackPressure(error: unknown): boolean {
  if (error instanceof errors.ResponseError) return error.statusCode === 429 || error.statusCode === 503;
  return error instanceof errors.TimeoutError;
}

/**
 * A whole request refused for what it holds: 413 (too large) or 400 (a line Elasticsearch cannot take).
 * Resending it as it is cannot succeed; its halves, down to single events, may.
 */
export function refusedStatus(error: unknown): 400 | 413 | undefined {
  if (!(error instanceof errors.ResponseError)) return undefined;
  const status = error.statusCode;
  return status === 400 || status === 413 ? status : undefined;
}

/** Credentials refused (401) or not allowed to write (403): retried, with health down meanwhile. */
export function isAuthRefusal(error: unknown): boolean {
  return error instanceof errors.ResponseError && (error.statusCode === 401 || error.statusCode === 403);
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501);
}

export type ItemVerdict = "delivered" | "retry" | "reject";

/**
 * One bulk item, for the sink's requests and the dead-letter writer's alike: 2xx is delivered, and so is a 409 on `create` (our deterministic _id is already there)
 * and a 404 on `delete` (the document is already gone).
 */
export function itemVerdict(status: number, action: string): ItemVerdict {
  if (status >= 200 && status < 300) return "delivered";
  if (status === 409 && action === "create") return "delivered";
  if (status === 404 && action === "delete") return "delivered";
  if (isRetryableStatus(status)) return "retry";
  return "reject";
}
