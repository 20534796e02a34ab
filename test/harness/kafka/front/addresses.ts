// Broker addresses in Metadata and FindCoordinator responses, rewritten to the front's listeners so
// clients never learn the mock's plaintext ports.
import { Reader, Writer } from "./wire.js";

/** The front's listener for a broker id, or undefined for ids it does not know (-1: none). */
export type Advertised = (nodeId: number) => { host: string; port: number } | undefined;

/** Metadata response v0–v8: only the brokers array changes; everything after it is copied. */
export function rewriteMetadata(body: Buffer, version: number, advertised: Advertised): Buffer {
  const reader = new Reader(body);
  const writer = new Writer();
  if (version >= 3) writer.int32(reader.int32()); // throttle_time_ms
  const brokers = reader.array((r) => ({
    nodeId: r.int32(),
    host: r.string(),
    port: r.int32(),
    rack: version >= 1 ? r.nullableString() : null,
  }));
  writer.array(brokers, (w, broker) => {
    const { host, port } = advertised(broker.nodeId) ?? broker;
    w.int32(broker.nodeId).string(host).int32(port);
    if (version >= 1) w.nullableString(broker.rack);
  });
  return writer.raw(reader.rest()).toBuffer();
}

/** FindCoordinator response v0–v2: the coordinator's address, when there is one. */
export function rewriteFindCoordinator(body: Buffer, version: number, advertised: Advertised): Buffer {
  const reader = new Reader(body);
  const writer = new Writer();
  if (version >= 1) writer.int32(reader.int32()); // throttle_time_ms
  writer.int16(reader.int16()); // error_code
  if (version >= 1) writer.nullableString(reader.nullableString()); // error_message
  const nodeId = reader.int32();
  const original = { host: reader.string(), port: reader.int32() };
  const { host, port } = advertised(nodeId) ?? original;
  return writer.int32(nodeId).string(host).int32(port).raw(reader.rest()).toBuffer();
}
