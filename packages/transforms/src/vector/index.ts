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
  parseJson,
  parseTimestamp,
  formatTimestamp,
  toUnixTimestamp,
  /** VRL's to_string. */
  toString: coerceToString,
  merge,
  now,
  /** A VRL timestamp from a JavaScript Date or epoch milliseconds. */
  timestamp(value: Date | number): VrlTimestamp {
    const ms = typeof value === "number" ? value : value.getTime();
    if (!Number.isFinite(ms)) throw new VrlError("invalid timestamp");
    const whole = Math.floor(ms);
    return new VrlTimestamp(whole, Math.round((ms - whole) * 1e6));
  },
} as const;
