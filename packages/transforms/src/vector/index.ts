// Vector parity: the remap transform (a VRL subset), the kafka source's event shape, and VRL functions for JS.
import {
  coerceToString,
  formatTimestamp,
  merge,
  now,
  parseJson,
  parseTimestamp,
  type TimestampUnit,
  toUnixTimestamp,
} from "./functions.js";
import { VrlError, VrlTimestamp } from "./value.js";

export { type VectorKafkaEventOptions, vectorKafkaEvent } from "./kafka-event.js";
export { compileVrl, type RemapOptions, remap } from "./remap.js";
export { VrlAbort, VrlError, VrlTimestamp } from "./value.js";
export type { TimestampUnit };

/**
 * VRL functions as plain JavaScript, for custom transforms: same semantics and messages as in a remap
 * program; failures throw VrlError.
 */
export const vrl = {
  /** VRL's parse_json: any JSON value; `maxDepth` (1..128) keeps deeper levels as their JSON text. */
  parseJson,
  /**
   * VRL's parse_timestamp (chrono strptime); a format without an offset is read in `timezone` (UTC by
   * default).
   */
  parseTimestamp,
  /** VRL's format_timestamp (chrono strftime); `timezone` an IANA name or "local"; UTC by default. */
  formatTimestamp,
  /** VRL's to_unix_timestamp, in `unit` (default seconds). */
  toUnixTimestamp,
  /** VRL's to_string. */
  toString: coerceToString,
  /** VRL's merge: a copy of `to` with `from`'s keys; with `deep`, objects on both sides merge recursively. */
  merge,
  /** The current time (millisecond precision: what JavaScript's clock gives). */
  now,
  /** A VRL timestamp from a JavaScript Date or epoch milliseconds. */
  timestamp(value: Date | number): VrlTimestamp {
    const ms = typeof value === "number" ? value : value.getTime();
    if (!Number.isFinite(ms)) throw new VrlError("invalid timestamp");
    const whole = Math.floor(ms);
    return new VrlTimestamp(whole, Math.round((ms - whole) * 1e6));
  },
} as const;
