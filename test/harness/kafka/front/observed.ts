// What clients sent through the front, for tests that check an option reached the wire: every request's
// client id and when it came, and what each JoinGroup asked for.
import { Api, Reader, type RequestHeader } from "./wire.js";

export interface ObservedRequest {
  apiKey: number;
  clientId: string | null;
  /** Date.now() when the front read it. */
  at: number;
  /** A JoinGroup's group and timeouts (versions 0–5, all kafkajs speaks). */
  join?: { groupId: string; sessionTimeoutMs: number; rebalanceTimeoutMs: number | undefined };
}

export function observe(header: RequestHeader, body: Buffer): ObservedRequest {
  const seen: ObservedRequest = { apiKey: header.apiKey, clientId: header.clientId, at: Date.now() };
  if (header.apiKey === Api.JoinGroup) {
    const reader = new Reader(body);
    const groupId = reader.string();
    const sessionTimeoutMs = reader.int32();
    const rebalanceTimeoutMs = header.apiVersion >= 1 ? reader.int32() : undefined;
    seen.join = { groupId, sessionTimeoutMs, rebalanceTimeoutMs };
  }
  return seen;
}
