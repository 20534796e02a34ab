import { describe, expect, it } from "vitest";
import { kafkaSource } from "../src/kafka-source.js";
import type { KafkaSourceOptions } from "../src/options.js";

const source = (startFrom: unknown) =>
  kafkaSource({
    brokers: "k:9092",
    topics: ["t"],
    groupId: "g",
    startFrom: startFrom as KafkaSourceOptions["startFrom"],
  });

describe("startFrom", () => {
  it("takes earliest (the default), latest, or a timestamp as milliseconds or ISO-8601 with a zone", () => {
    expect(kafkaSource({ brokers: "k:9092", topics: ["t"], groupId: "g" }).options.startFrom).toBe(
      "earliest",
    );
    expect(source("latest").options.startFrom).toBe("latest");
    expect(source({ timestamp: 1_795_593_600_000 }).options.startFrom).toEqual({
      timestamp: 1_795_593_600_000,
    });
    expect(source({ timestamp: 0 }).options.startFrom).toEqual({ timestamp: 0 });
    expect(source({ timestamp: "2026-11-25T08:00:00Z" }).options.startFrom).toEqual({
      timestamp: Date.UTC(2026, 10, 25, 8),
    });
    expect(source({ timestamp: "2026-11-25T09:30+01:30" }).options.startFrom).toEqual({
      timestamp: Date.UTC(2026, 10, 25, 8),
    });
    // The ISO-8601 parser the date stage uses: hours alone, compact offsets, ordinal dates, a comma.
    expect(source({ timestamp: "2026-11-25T09+01" }).options.startFrom).toEqual({
      timestamp: Date.UTC(2026, 10, 25, 8),
    });
    expect(source({ timestamp: "2026-329T08:00:00,5Z" }).options.startFrom).toEqual({
      timestamp: Date.UTC(2026, 10, 25, 8, 0, 0, 500),
    });
    // A fraction longer than milliseconds is truncated, as Kafka's timestamps are milliseconds.
    expect(source({ timestamp: "2024-02-29T23:59:59.123999-00:00" }).options.startFrom).toEqual({
      timestamp: Date.UTC(2024, 1, 29, 23, 59, 59, 123),
    });
  });

  it("refuses anything else at construction, naming the option and what it takes", () => {
    for (const bad of ["newest", 5, { timestamp: -1 }, { timestamp: 1.5 }, { timestamp: "" }, { at: 5 }, {}])
      expect(() => source(bad), JSON.stringify(bad)).toThrow(
        /kafkaSource: option `startFrom` must be "earliest", "latest" or \{ timestamp: milliseconds since the epoch or an ISO-8601 date-time with a zone/,
      );
    for (const bad of [
      "2026-11-25", // no time
      "2026-11-25T08:00:00", // no zone: it would depend on the machine's
      "2026-02-30T08:00:00Z", // no such day (Date.parse would say March 2)
      "2026-11-25T24:00:00Z",
      "2026-11-25 08:00:00Z",
      "1969-12-31T23:59:59Z", // before the epoch: Kafka reads negative times as "latest"/"earliest"
      "2026-11-25Z",
      "yesterday",
    ])
      expect(() => source({ timestamp: bad }), bad).toThrow(
        /kafkaSource: option `startFrom.timestamp` must be milliseconds since the epoch or an ISO-8601 date-time with a zone \("2026-11-25T08:00:00Z"\)/,
      );
  });
});
