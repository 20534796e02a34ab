// Sends one bulk request and sorts its items into delivered, to retry, and rejected.
import type { Client } from "@elastic/elasticsearch";
import { ErrorCode, type SluiceEvent } from "@sluice/core";
import type { BulkAction, Encoded } from "./encoder.js";
import { itemVerdict } from "./retry-policy.js";

export interface BulkOutcome {
  delivered: SluiceEvent[];
  retry: Encoded[];
  rejected: SluiceEvent[];
}

interface BulkItemResult {
  status?: number;
  error?: { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } };
}

interface BulkResponse {
  errors?: boolean;
  items?: Array<Record<string, BulkItemResult>>;
}

/**
 * Sends `body` (the items' lines, from bodyOf). Throws what the client throws for the whole request;
 * item results come back sorted.
 */
export async function sendBulk(
  client: Client,
  items: readonly Encoded[],
  body: Buffer,
  action: BulkAction,
  stage: string,
  signal?: AbortSignal,
): Promise<BulkOutcome> {
  const response = (await client.transport.request(
    {
      method: "POST",
      path: "/_bulk",
      bulkBody: body,
      querystring: { filter_path: "errors,items.*.status,items.*.error" },
    },
    signal ? { signal } : {},
  )) as BulkResponse;
  const outcome: BulkOutcome = { delivered: [], retry: [], rejected: [] };
  if (!response.errors) {
    for (const item of items) outcome.delivered.push(item.event);
    return outcome;
  }
  const results = response.items ?? [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const result = results[i]?.[action] ?? Object.values(results[i] ?? {})[0];
    const status = result?.status ?? 0;
    const verdict = itemVerdict(status, action);
    if (verdict === "delivered") outcome.delivered.push(item.event);
    else if (verdict === "retry") outcome.retry.push(item);
    else {
      const error = result?.error;
      const cause = error?.caused_by?.reason ? ` (caused by: ${error.caused_by.reason})` : "";
      item.event.fail({
        code: ErrorCode.REJECTED,
        type: error?.type ?? `http_${status}`,
        reason: `${error?.reason ?? `status ${status}`}${cause}`,
        stage,
      });
      outcome.rejected.push(item.event);
    }
  }
  return outcome;
}
