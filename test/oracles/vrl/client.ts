// The VRL oracle (test/oracles/vrl: the `vrl` crate behind a JSON-lines protocol) as the tests use it:
// where its build lives, how to start it, and its answers typed.
//
// Protocol, one JSON line each way per request, answered in order (src/main.rs says the same):
//   {"program", "events": [<value>...], "timezone"?: "UTC"} →
//     {"compile": "error", "message"} | {"results": [{"event", "value"} | {"error": "runtime"|"abort", "message"}]}
//   a malformed request → {"error": "request", "message"}; a panic inside the crate → {"error": "panic", "message"}
//   {"examples": true} → {"functions": [{"name", "category", "examples": [{"title", "source", "input"?,
//     "result": {"ok": "<as the crate states it>"} | {"error"}, "expected"?, "deterministic", "skip"}]}]}
// Values are JSON, with what JSON cannot tell apart as one-key objects: {"$float": n} ("inf"/"-inf" when
// infinite), {"$timestamp": "<RFC 3339 UTC>"}, {"$bytes": "<hex>"} (not UTF-8), {"$regex": "<pattern>"},
// and {"$object": {...}} for an object whose only key is one of these five. Integers are plain numbers.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { VrlTimestamp } from "@sluice/transforms";
import { type OracleBuild, OracleProcess, oracleBuild, oracleDir, oracleKey } from "../oracle.js";

/** The oracle's crate folder. */
export const VRL_ORACLE_CRATE = fileURLToPath(new URL(".", import.meta.url));

/** The files whose content decides the build (Cargo.lock pins the vrl crate's version). */
const SOURCES = ["Cargo.toml", "Cargo.lock", "src/main.rs"].map((file) => join(VRL_ORACLE_CRATE, file));

/** The vrl crate's version the oracle is built with, as Cargo.lock pins it. */
export function vrlCrateVersion(): string {
  const lock = readFileSync(join(VRL_ORACLE_CRATE, "Cargo.lock"), "utf8");
  const version = /\[\[package\]\]\nname = "vrl"\nversion = "([^"]+)"/.exec(lock)?.[1];
  if (!version) throw new Error("test/oracles/vrl/Cargo.lock pins no vrl crate");
  return version;
}

/** Where the built oracle's binary lives (in the cache, outside the work tree). */
export function vrlOraclePath(): string {
  return join(oracleDir("vrl", oracleKey(SOURCES)), "sluice-vrl-oracle");
}

/** The oracle's build as describeWithOracle() wants it. */
export function vrlOracleBuild(): OracleBuild {
  const path = vrlOraclePath();
  return oracleBuild("vrl", [path], path, []);
}

/** A value in the protocol's encoding (see the file's opening comment). */
export type OracleValue = unknown;

/** One event's outcome. */
export type VrlEventResult =
  | { readonly event: OracleValue; readonly value: OracleValue }
  | { readonly error: "runtime" | "abort"; readonly message: string };

/** A program's outcome: refused at compile time, or one result per event; or the request failed. */
export type VrlRunAnswer =
  | { readonly compile: "error"; readonly message: string }
  | { readonly results: readonly VrlEventResult[] }
  | { readonly error: "request" | "panic"; readonly message: string };

/** One documented example of a function, as the crate declares it. */
export interface VrlExample {
  readonly title: string;
  readonly source: string;
  /** The event the example runs on (an empty object when absent). */
  readonly input?: unknown;
  /** The stated result: the value's text as the crate writes it, or the error's message. */
  readonly result: { readonly ok: string } | { readonly error: string };
  /** The stated value read as the crate's own example tests read it (only with `ok`). */
  readonly expected?: OracleValue;
  /** False when only the kind of the result can be checked (random, clock...). */
  readonly deterministic: boolean;
  /** The crate's own tests only compile it (it needs the network or similar). */
  readonly skip: boolean;
}

export interface VrlFunction {
  readonly name: string;
  readonly category: string;
  readonly examples: readonly VrlExample[];
}

/** The running oracle. */
export class VrlOracle {
  constructor(private readonly process: OracleProcess) {}

  /** Runs `program` on each event (in the protocol's encoding; see toOracle). */
  run(program: string, events: readonly OracleValue[], timezone = "UTC"): Promise<VrlRunAnswer> {
    return this.process.ask<VrlRunAnswer>({ program, events, timezone });
  }

  /** Every function the oracle's stdlib holds, with its documented examples. */
  async functions(): Promise<readonly VrlFunction[]> {
    const answer = await this.process.ask<{ functions: VrlFunction[] }>({ examples: true });
    return answer.functions;
  }

  close(): Promise<void> {
    return this.process.close();
  }
}

/** Starts the built oracle; throws when it is not built (describeWithOracle() checks that first). */
export function startVrlOracle(build: OracleBuild = vrlOracleBuild()): VrlOracle {
  if (!build.present) throw new Error(build.missing);
  return new VrlOracle(new OracleProcess("vrl", build.command, build.args));
}

const TAGS = new Set(["$float", "$timestamp", "$bytes", "$regex", "$object"]);

function tagOf(value: object): [string, unknown] | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1 || !TAGS.has(keys[0]!)) return undefined;
  return [keys[0]!, (value as Record<string, unknown>)[keys[0]!]];
}

/**
 * A Sluice value (what a remap program holds) in the protocol's encoding, for an event sent to the
 * oracle: whole numbers go as integers and the rest as floats, as Vector reads JSON numbers.
 */
export function toOracle(value: unknown): OracleValue {
  if (value instanceof VrlTimestamp) return { $timestamp: value.toString() };
  if (Array.isArray(value)) return value.map(toOracle);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toOracle(item);
    return Object.keys(out).length === 1 && TAGS.has(Object.keys(out)[0]!) ? { $object: out } : out;
  }
  return value;
}

/** How a timestamp in an oracle answer becomes a Sluice value. */
export type TimestampAs = "timestamp" | "text";

/**
 * An oracle value as Sluice holds it: floats as numbers (Sluice's run-time numbers do not keep 1.0
 * apart from 1), timestamps as VrlTimestamp or, with `"text"`, as the RFC 3339 text Sluice writes into
 * events, regexes as their pattern, bytes that are not UTF-8 as their hex.
 */
export function fromOracle(value: OracleValue, timestamps: TimestampAs = "timestamp"): unknown {
  if (Array.isArray(value)) return value.map((item) => fromOracle(item, timestamps));
  if (value === null || typeof value !== "object") return value;
  const tag = tagOf(value);
  if (tag) {
    const [name, inner] = tag;
    switch (name) {
      case "$float":
        return inner === "inf"
          ? Number.POSITIVE_INFINITY
          : inner === "-inf"
            ? Number.NEGATIVE_INFINITY
            : inner;
      case "$timestamp":
        return timestamps === "text" ? inner : timestampOf(inner as string);
      case "$object":
        return fromObject(inner as Record<string, unknown>, timestamps);
      default:
        return inner;
    }
  }
  return fromObject(value as Record<string, unknown>, timestamps);
}

function fromObject(object: Record<string, unknown>, timestamps: TimestampAs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(object)) out[key] = fromOracle(item, timestamps);
  return out;
}

/** The VrlTimestamp of the oracle's RFC 3339 UTC text (nanosecond precision kept). */
export function timestampOf(text: string): VrlTimestamp {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!match) throw new Error(`the oracle wrote a timestamp this client cannot read: ${text}`);
  const seconds = Date.parse(`${match[1]}Z`);
  const nanos = Number((match[2] ?? "").padEnd(9, "0"));
  return new VrlTimestamp(seconds + Math.floor(nanos / 1_000_000), nanos % 1_000_000);
}
