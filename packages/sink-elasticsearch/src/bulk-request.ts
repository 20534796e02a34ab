// Sends one bulk request and sorts its items into delivered, to retry, and rejected.
import type { Client } from "@elastic/elasticsearch";
import { ErrorCode, type SluiceEvent } from "@sluice/core";
import type { BulkAction } from "./encoder.js";
import { itemVerdict } from "./retry-policy.js";

export interface BulkOutcome {
  delivered: SluiceEvent[];
  /** Positions in the events sent of those to send again. */
  retry: number[];
  rejected: SluiceEvent[];
}

/** The part of the client a bulk request needs: a fake of it lets the sink run without a cluster. */
export interface BulkClient {
  readonly transport: Pick<Client["transport"], "request">;
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
 * Sends `body` (the events' lines, in their order). Throws what the client throws for the whole
 * request; item results come back sorted.
 */
export async function sendBulk(
  client: BulkClient,
  events: readonly SluiceEvent[],
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
    outcome.delivered = events.slice();
    return outcome;
  }
  const results = response.items ?? [];
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const item = results[i] ?? {};
    // The item's own action: a tombstone's is `delete` whatever the sink's action.
    const itemAction = item[action] ? action : (Object.keys(item)[0] ?? action);
    const result = item[itemAction];
    const status = result?.status ?? 0;
    const verdict = itemVerdict(status, itemAction);
    if (verdict === "delivered") outcome.delivered.push(event);
    else if (verdict === "retry") outcome.retry.push(i);
    else {
      const error = result?.error;
      const cause = error?.caused_by?.reason ? ` (caused by: ${error.caused_by.reason})` : "";
      event.fail({
        code: ErrorCode.REJECTED,
        type: error?.type ?? `http_${status}`,
        reason: `${error?.reason ?? `status ${status}`}${cause}`,
        stage,
      });
      outcome.rejected.push(event);
    }
  }
  return outcome;
}
