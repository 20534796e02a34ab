// Dead letters: the one interface every dead-letter destination implements, the letter itself, and what
// of a record's bytes and headers a letter may carry.

import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import type { Failure, HeaderValue, Origin, SluiceEvent } from "./event.js";
import type { Logger } from "./logger.js";

/** What a dead-letter destination receives: the record exactly as read, why it failed, and where from. */
export interface DeadLetter {
  /** The record's value, byte for byte as it was read from Kafka. */
  readonly raw: Buffer;
  /** Where the record came from: topic, partition, offset, key, headers and timestamp. */
  readonly origin: Origin;
  /** Why it failed: the code, type, reason and stage of the failure. */
  readonly error: Failure;
  /** ISO-8601 time at which the pipeline gave up on it. */
  readonly failedAt: string;
  /** The pipeline's name, to tell letters of several pipelines apart. */
  readonly pipeline: string;
  /**
   * `full` first; `minimal` once the destination refused the full form for good: then only the
   * coordinates, the error, the sizes and a hash of the bytes are stored, with `refusal` saying why.
   */
  readonly form: "full" | "minimal";
  /** Why the destination refused the full form (set on minimal letters). */
  readonly refusal?: string;
}

/** What the pipeline hands a dead-letter sink when it connects it. */
export interface DeadLetterContext {
  /** The pipeline's logger. */
  readonly logger: Logger;
  /** The pipeline's name. */
  readonly pipeline: string;
}

/** What became of one letter of a write. */
export type DeadLetterOutcome =
  /** Durably stored (or already there). */
  | {
      /** What became of the letter. */
      readonly status: "stored";
    }
  /** Refused for now (throttled, unavailable): the router sends it again after a backoff. */
  | {
      /** What became of the letter. */
      readonly status: "retry";
      /** Why the destination refused it. */
      readonly reason: string;
    }
  /** Refused for good (this letter can never be stored in this form). */
  | {
      /** What became of the letter. */
      readonly status: "refused";
      /** Why the destination refused it. */
      readonly reason: string;
    };

/**
 * A dead-letter destination. `write` resolves with one outcome per letter, in order; the router sends
 * again only the letters answered `retry`, and sends a letter `refused` in full form once more in
 * minimal form. A rejected write counts as `retry` for every letter, so writes must be idempotent
 * (e.g. by id).
 */
export interface DeadLetterSink {
  /** The destination's name, used in logs and errors. */
  readonly name: string;
  /** Checks the destination is reachable; rejects with a SluiceError saying why not. */
  connect(ctx: DeadLetterContext): Promise<void>;
  /** Stores `letters`; resolves with one outcome per letter, in the same order. */
  write(letters: readonly DeadLetter[]): Promise<readonly DeadLetterOutcome[]>;
  /** Releases the connection; called once as the pipeline stops, after the final commit. */
  close(): Promise<void>;
}

/**
 * The full-form dead letter of a failed event: its raw bytes, origin and failure (`SLUICE_ERR_UNKNOWN` when
 * none was recorded), failed at `now`.
 */
export function toDeadLetter(event: SluiceEvent, pipeline: string, now = new Date()): DeadLetter {
  return {
    raw: event.raw,
    origin: event.origin,
    error: event.failure ?? {
      code: "SLUICE_ERR_UNKNOWN",
      type: "unknown",
      reason: "no failure recorded",
      stage: "unknown",
    },
    failedAt: now.toISOString(),
    pipeline,
    form: "full",
  };
}

/** The same letter in minimal form, after its destination refused the full one for `refusal`. */
export function minimalLetter(letter: DeadLetter, refusal: string): DeadLetter {
  return { ...letter, form: "minimal", refusal };
}

/** What of a record's bytes and headers a dead letter keeps. */
export interface DeadLetterContentOptions {
  /**
   * The record's bytes: `full` (default), `truncate` (the first `rawMaxBytes`), `hash` (their SHA-256
   * only) or `omit`. The size is always kept.
   */
  raw?: "full" | "truncate" | "hash" | "omit";
  /** With `raw: "truncate"`: how many bytes are kept. Default 1024. */
  rawMaxBytes?: number;
  /** The record's Kafka headers: `keep` (default) or `omit`. */
  headers?: "keep" | "omit";
}

/** The options' JSON Schema properties, for a destination's own schema. */
export const deadLetterContentSchema = {
  /** JSON Schema of the `raw` option. */
  raw: { type: "string", enum: ["full", "truncate", "hash", "omit"], default: "full" },
  /** JSON Schema of the `rawMaxBytes` option. */
  rawMaxBytes: { type: "integer", minimum: 1, default: 1024 },
  /** JSON Schema of the `headers` option. */
  headers: { type: "string", enum: ["keep", "omit"], default: "keep" },
} as const;

/** Bytes as stored: as text when they are valid UTF-8, else base64. */
export interface EncodedBytes {
  /** The bytes as UTF-8 text or base64, as `encoding` says. */
  readonly data: string;
  /** How `data` encodes the bytes. */
  readonly encoding: "utf8" | "base64";
}

/** The bytes as text when they are valid UTF-8, else as base64. */
export function encodeBytes(bytes: Buffer): EncodedBytes {
  return isUtf8(bytes)
    ? { data: bytes.toString("utf8"), encoding: "utf8" }
    : { data: bytes.toString("base64"), encoding: "base64" };
}

/** A record's bytes as a letter keeps them. */
export interface RawContent {
  /** The record's size in bytes, whatever is kept. */
  readonly bytes: number;
  /** The bytes kept (all, or the first `rawMaxBytes`); absent with `hash` and `omit`. */
  readonly kept?: Buffer;
  /**
   * True when `kept` holds only the first `rawMaxBytes` of the record (cut back to a whole character for
   * UTF-8 text).
   */
  readonly truncated: boolean;
  /** Hex SHA-256 of all the record's bytes (with `hash`, and on minimal letters). */
  readonly sha256?: string;
}

/**
 * What a letter keeps of its record's bytes under the `raw` and `rawMaxBytes` options; a minimal letter keeps
 * only the size and the SHA-256.
 */
export function rawContent(
  letter: DeadLetter,
  options: Required<Pick<DeadLetterContentOptions, "raw" | "rawMaxBytes">>,
): RawContent {
  const raw = letter.raw;
  const bytes = raw.length;
  if (letter.form === "minimal" || options.raw === "hash")
    return { bytes, truncated: false, sha256: createHash("sha256").update(raw).digest("hex") };
  if (options.raw === "omit") return { bytes, truncated: false };
  if (options.raw === "truncate" && bytes > options.rawMaxBytes)
    return { bytes, kept: cutAtCharacter(raw, options.rawMaxBytes), truncated: true };
  return { bytes, kept: raw, truncated: false };
}

/** The first `max` bytes, shortened to a whole character when the bytes are UTF-8 text. */
function cutAtCharacter(raw: Buffer, max: number): Buffer {
  let end = max;
  if (isUtf8(raw)) while (end > 0 && (raw[end]! & 0xc0) === 0x80) end--;
  return raw.subarray(0, end);
}

/** A record's headers as a list of {key, value}: one entry per value, in order, whatever their names. */
export function headerList(headers: Readonly<Record<string, HeaderValue>>): Array<{
  /** The header's name. */
  key: string;
  /** One of its values. */
  value: Buffer | string;
}> {
  const list: Array<{ key: string; value: Buffer | string }> = [];
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) list.push({ key, value: one });
  }
  return list;
}
