// The messages between the Kafka source (main thread) and its consumer thread, both ways.
import type { KafkaConfig } from "kafkajs";
import type { WireBatch } from "./wire-batch.js";

/** What the consumer thread hosts a source with (structured-cloned: no functions). */
export interface ConsumerThreadData {
  /** kafkajs's client configuration without its log creator (the thread forwards its logs). */
  client: Omit<KafkaConfig, "logCreator">;
  consumer: {
    groupId: string;
    sessionTimeout: number;
    heartbeatInterval: number;
    maxBytesPerPartition: number;
    maxBytes: number;
    maxWaitTimeInMs: number;
  };
  /** Topic names, and the source text of a topic pattern. */
  topics: string[];
  topicPattern: string | undefined;
  fromBeginning: boolean;
  /** Where a partition without a committed offset starts, when `startFrom` is a time (ms since the epoch). */
  startAt: number | undefined;
  partitionsConsumedConcurrently: number;
  /** How far the thread may run ahead of the main thread taking its batches. */
  window: { events: number; bytes: number };
  /**
   * The kafkajs release the thread takes for the installed one (which it reads when absent): how a test
   * shows what another release loses.
   */
  kafkajsVersion?: string;
}

/** Whether the thread's kafkajs decodes record batches with Sluice's decoder (record-batches.ts). */
export interface DecoderStatus {
  /** True when Sluice's decoder is in place; false when kafkajs decodes them itself. */
  patched: boolean;
  /** The kafkajs release the thread runs. */
  kafkajs: string;
  /** The release Sluice's decoder was written for. */
  writtenFor: string;
  /** True when kafkajs was bundled into the thread's file, out of reach of Sluice's changes. */
  bundled: boolean;
  /** What is off while kafkajs decodes (empty when patched). */
  lost: string[];
}

/** An error as it crosses threads: enough to describe it and to tell permanent ones apart. */
export interface WireError {
  name: string;
  message: string;
  /** kafkajs's error type (`SASL_AUTHENTICATION_FAILED`), when it has one. */
  type?: string;
  /**
   * The name of the error this one wraps with the same message, as kafkajs's retrier wraps the one it
   * gave up on (`KafkaJSNumberOfRetriesExceeded` around a `CorruptRecordError`).
   */
  causeName?: string;
  /** True when rejoining cannot fix it (authentication, authorization). */
  permanent: boolean;
}

/** Main thread → consumer thread. */
export type ToConsumer =
  /** Host the source: connect and subscribe with `data`. */
  | { type: "init"; data: ConsumerThreadData }
  | { type: "run" }
  | { type: "pause" }
  | { type: "resume" }
  /** The main thread took batches of this many records and bytes off its queue. */
  | { type: "taken"; events: number; bytes: number }
  | { type: "commit"; id: number; offsets: Array<{ topic: string; partition: number; offset: string }> }
  /** Stop fetching until "unsuspend" (the source's pause(), not backpressure); the member stays in its group. */
  | { type: "suspend"; id: number }
  | { type: "unsuspend"; id: number }
  /** Stop fetching for good; commits still work until "close". */
  | { type: "stop"; id: number }
  | { type: "close"; id: number };

/** Consumer thread → main thread. */
export type FromConsumer =
  /** Connected and subscribed (or not: `error`), in answer to starting the thread. */
  | { type: "ready"; error?: WireError; decoder: DecoderStatus }
  | WireBatch
  /** A new group generation began with this assignment: what the last one fetched can no longer commit. */
  | { type: "joined"; generation: number; assignment: Record<string, number[]> }
  /** The group is rebalancing: partitions may be taken away. */
  | { type: "rebalancing" }
  /**
   * The consumer crashed. `kafkajs`: kafkajs restarts it itself. `rebuild`: a new consumer joins after
   * `delayMs`, and the generation is over. `none`: it stays down (the error is permanent).
   */
  | { type: "crashed"; error: WireError; restart: "kafkajs" | "none" }
  | { type: "crashed"; error: WireError; restart: "rebuild"; delayMs: number; generation: number }
  /** No broker answered for a while (`reachable` false), or one answers again. */
  | { type: "reachability"; reachable: boolean; lastContactAt: number }
  | {
      type: "log";
      level: "error" | "warn" | "info" | "debug";
      namespace: string;
      message: string;
      extra: object;
    }
  | { type: "reply"; id: number; error?: WireError };
