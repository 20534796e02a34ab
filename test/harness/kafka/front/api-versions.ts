// The ApiVersions answer clients see through the front: the mock's, plus the SASL keys the front
// answers itself, and capped below the flexible versions of the requests the front reads.
import { Api, Reader, Writer } from "./wire.js";

/**
 * The highest version of each request the front parses: the last non-flexible one. Capping them here
 * keeps any client on layouts the front reads (kafkajs 2.2.4 stays below these anyway).
 */
const CAPS: ReadonlyMap<number, number> = new Map([
  [Api.Produce, 8],
  [Api.ListOffsets, 5],
  [Api.Metadata, 8],
  [Api.FindCoordinator, 2],
  [Api.ApiVersions, 2],
]);

/**
 * What the front answers when SASL is on. SaslHandshake v1 only: after v0 a client would send bare SASL
 * tokens instead of SaslAuthenticate requests (KIP-152), which the front does not read.
 */
const SASL_KEYS = [
  { apiKey: Api.SaslHandshake, min: 1, max: 1 },
  { apiKey: Api.SaslAuthenticate, min: 0, max: 1 },
];

/** Rewrites an ApiVersions response (v0–v2 layout); an error answer is left alone. */
export function rewriteApiVersions(body: Buffer, version: number, sasl: boolean): Buffer {
  const reader = new Reader(body);
  const errorCode = reader.int16();
  if (errorCode !== 0 || version > 2) return body;
  const keys = reader
    .array((r) => ({ apiKey: r.int16(), min: r.int16(), max: r.int16() }))
    .filter((k) => !sasl || (k.apiKey !== Api.SaslHandshake && k.apiKey !== Api.SaslAuthenticate))
    .map((k) => ({ ...k, max: Math.min(k.max, CAPS.get(k.apiKey) ?? k.max) }));
  if (sasl) keys.push(...SASL_KEYS);
  return new Writer()
    .int16(errorCode)
    .array(keys, (w, k) => w.int16(k.apiKey).int16(k.min).int16(k.max))
    .raw(reader.rest())
    .toBuffer();
}
