// What Elasticsearch said in an error answer, in one line, for logs, health and dead letters.
import type { errors } from "@elastic/elasticsearch";
import { describeError } from "@sluice/core";

interface ErrorBody {
  error?: { type?: string; reason?: string; caused_by?: { reason?: string } } | string;
}

/** The error's `type` and `reason` as Elasticsearch gave them (undefined when its body had none). */
export function errorAnswer(error: errors.ResponseError): { type?: string; reason?: string; cause?: string } {
  const answer = (error.body as ErrorBody | undefined)?.error;
  if (typeof answer === "string") return { reason: answer };
  return {
    ...(answer?.type ? { type: answer.type } : {}),
    ...(answer?.reason ? { reason: answer.reason } : {}),
    ...(answer?.caused_by?.reason ? { cause: answer.caused_by.reason } : {}),
  };
}

/** `type: reason` as Elasticsearch gave them, else the client's message. */
export function elasticsearchReason(error: errors.ResponseError): string {
  const { type, reason } = errorAnswer(error);
  if (!reason) return describeError(error);
  return type ? `${type}: ${reason}` : reason;
}
