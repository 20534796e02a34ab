// Sluice as a guest in the user's process: without the opt-in helpers a pipeline leaves V8's flags, the
// signal handlers and kafkajs's codec table as they were; the helpers do what they say; and a kafkajs
// release the record batch decoder and the group fault handling were not written for is said loudly.

import { describe, expect, it } from "vitest";
import { ConsumerThread } from "../../packages/source-kafka/src/worker/consumer-thread.js";
import { LOST_WITHOUT_GROUP_FAULTS } from "../../packages/source-kafka/src/worker/group-faults.js";
import type { FromConsumer } from "../../packages/source-kafka/src/worker/messages.js";
import { KAFKAJS_VERSION } from "../../packages/source-kafka/src/worker/record-batches.js";
import { workerEntry } from "../../packages/source-kafka/src/worker/start-thread.js";
import { runsOn } from "../harness/backends.js";
import { spawnScript } from "../harness/process.js";
import { committedTotal, countDocs, topicOfRecords, useTestbed, waitFor } from "./helpers.js";

interface Look {
  flagsSet: string[];
  signals: { SIGTERM: number; SIGINT: number };
  codecsChanged: number[];
}

/** The `REPORT` lines of guest-service.ts's output, by name. */
function reports(output: string): Map<string, Look & Record<string, unknown>> {
  const found = new Map<string, Look & Record<string, unknown>>();
  for (const line of output.split("\n"))
    if (line.startsWith("REPORT ")) {
      const { name, value } = JSON.parse(line.slice(7)) as { name: string; value: Look };
      // Several "running" reports would each be a change seen while records flowed: keep the first.
      if (!found.has(name)) found.set(name, value as Look & Record<string, unknown>);
    }
  return found;
}

describe(`Sluice as a guest in the user's process ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();

  const service = (topic: string, mode: "plain" | "signal", records: number, nodeArgs: string[] = []) =>
    spawnScript("test/pipeline/guest-service.ts", {
      nodeArgs,
      env: {
        KAFKA_BROKERS: bed.kafka.bootstrapServers,
        ES_URL: bed.es.url,
        SERVICE_TOPIC: topic,
        SERVICE_MODE: mode,
        SERVICE_RECORDS: String(records),
      },
    });

  it("a service using no opt-in helper keeps its V8 flags, signal handlers and kafkajs codec table", async () => {
    // Fluent Bit's records, LZ4-compressed by librdkafka: the consumer thread decodes them with codecs
    // of its own, never the main thread's table.
    await topicOfRecords(bed, "guest-plain", 3000, 91);
    const run = service("guest-plain", "plain", 3000);
    expect(await run.exited, run.output()).toBe(0);
    const seen = reports(run.output());
    const before = seen.get("before")!;
    expect(before.flagsSet).toEqual([]);
    expect(before.codecsChanged).toEqual([]);
    // Built, started, delivering every record, stopped: nothing of the process's changed at any point.
    for (const moment of ["built", "started", "delivered", "stopped", "after"]) {
      const look = seen.get(moment);
      expect(look, moment).toBeDefined();
      expect(look!.flagsSet, `V8 flags set by ${moment}`).toEqual([]);
      expect(look!.signals, `signal handlers at ${moment}`).toEqual(before.signals);
      expect(look!.codecsChanged, `codec table entries changed by ${moment}`).toEqual([]);
    }
    // Sampled every 50 ms while records flowed: no sample saw a change.
    expect(seen.has("running"), JSON.stringify(seen.get("running"))).toBe(false);
    expect(seen.get("delivered")!.delivered).toBe(3000);
    expect((seen.get("stopped")!.stop as { drained: boolean }).drained).toBe(true);
    expect(await countDocs(bed.client, "guest-plain")).toBe(3000);
    // With kafkajs 2.2.4 the source's own decoder is in place, and /health and /metrics say so.
    expect(seen.get("decoder")).toEqual({
      health: {
        patched: true,
        kafkajs: KAFKAJS_VERSION,
        writtenFor: KAFKAJS_VERSION,
        bundled: false,
        lost: [],
      },
      metric: [{ value: 1, labels: { kafkajs: KAFKAJS_VERSION } }],
    });
    // The opt-in helper sets V8's flag, and its undo gives V8 its own factor back.
    expect(seen.get("tuned")!.flagsSet).toEqual(["--heap-growing-percent=150"]);
    expect(seen.get("untuned")!.flagsSet).toEqual(["--heap-growing-percent=150", "--heap-growing-percent=0"]);
  }, 180_000);

  it("tuneProcess() leaves a process started with its own --heap-growing-percent alone", async () => {
    await topicOfRecords(bed, "guest-own-flag", 200, 92);
    const run = service("guest-own-flag", "plain", 200, ["--heap-growing-percent=50"]);
    expect(await run.exited, run.output()).toBe(0);
    const seen = reports(run.output());
    expect(seen.get("tuned")!.flagsSet).toEqual([]);
    expect(seen.get("untuned")!.flagsSet).toEqual([]);
  }, 180_000);

  it("runUntilSignal(): a SIGTERM stops the service gracefully; it exits with the report, its handlers gone", async () => {
    await topicOfRecords(bed, "guest-signal", 2000, 93);
    const run = service("guest-signal", "signal", 2000);
    await run.line(/^running$/);
    await waitFor(
      "the records",
      () => countDocs(bed.client, "guest-signal"),
      (n) => n === 2000,
    );
    run.child.kill("SIGTERM");
    expect(await run.exited, run.output()).toBe(0);
    const seen = reports(run.output());
    const before = seen.get("before")!;
    // Its handlers are there while it runs, one per signal, and gone once it stopped.
    expect(seen.get("running")!.signals).toEqual({
      SIGTERM: before.signals.SIGTERM + 1,
      SIGINT: before.signals.SIGINT + 1,
    });
    const stopped = seen.get("stopped")!;
    expect(stopped.signals).toEqual(before.signals);
    expect(stopped.stop).toEqual({ drained: true, unsettled: 0 });
    expect(stopped.exitCode).toBe(0);
    expect(await committedTotal(bed.kafka.brokers, "guest", "guest-signal")).toBe(2000);
  }, 180_000);

  it("with a kafkajs release the decoder was not written for, the consumer thread says what is lost", async () => {
    await topicOfRecords(bed, "guest-other-kafkajs", 500, 94);
    const messages: FromConsumer[] = [];
    const thread = new ConsumerThread(
      workerEntry(),
      {
        client: { brokers: bed.kafka.brokers, clientId: "guest-other-kafkajs", logLevel: 0 },
        consumer: {
          groupId: "guest-other-kafkajs",
          sessionTimeout: 30_000,
          heartbeatInterval: 3000,
          maxBytesPerPartition: 1024 * 1024,
          maxBytes: 8 * 1024 * 1024,
          maxWaitTimeInMs: 500,
        },
        topics: ["guest-other-kafkajs"],
        topicPattern: undefined,
        fromBeginning: true,
        startAt: undefined,
        partitionsConsumedConcurrently: 1,
        window: { events: 5000, bytes: 4 * 1024 * 1024 },
        // The thread takes this for the installed release: kafkajs 2.2.4 is what runs, unpatched.
        kafkajsVersion: "2.2.5",
      },
      { message: (message) => messages.push(message), failed: () => {} },
    );
    try {
      await thread.ready();
      expect(thread.decoder).toEqual({
        patched: false,
        kafkajs: "2.2.5",
        writtenFor: KAFKAJS_VERSION,
        bundled: false,
        lost: [
          "the CRC-32C check of record batches",
          "the linear header fold",
          "the refusal of records claiming more headers than their bytes hold",
        ],
      });
      const warnings = messages.filter((m) => m.type === "log" && m.level === "warn");
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatchObject({
        namespace: "sluice",
        message: expect.stringMatching(
          /kafkajs 2\.2\.5 is not the release .* \(2\.2\.4\): .*CRC-32C check of record batches, the linear header fold/,
        ),
        extra: { kafkajs: "2.2.5", writtenFor: KAFKAJS_VERSION },
      });
      // The consumer-group fault handling is pinned to the same release, and says so too.
      expect(warnings[1]).toMatchObject({
        namespace: "sluice",
        message: expect.stringMatching(
          /kafkajs 2\.2\.5 is not the release Sluice's consumer-group fault handling was written for \(2\.2\.4\): .*new coordinator/,
        ),
        extra: { kafkajs: "2.2.5", writtenFor: KAFKAJS_VERSION, lost: LOST_WITHOUT_GROUP_FAULTS },
      });
      // kafkajs's own decoder reads the records all the same.
      thread.send({ type: "run" });
      await waitFor(
        "records decoded by kafkajs",
        () =>
          messages.filter((m) => m.type === "batch").reduce((n, m) => n + (m as { count: number }).count, 0),
        (n) => n === 500,
      );
    } finally {
      await thread.close();
    }
  }, 120_000);
});
