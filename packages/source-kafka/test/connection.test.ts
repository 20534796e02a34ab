import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { kafkaClientConfig } from "../src/connection.js";
import { kafkaSource } from "../src/kafka-source.js";

describe("Kafka connection options", () => {
  it("passes SASL and TLS through to kafkajs, reading certificate files once", () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-tls-"));
    writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n");
    const config = kafkaClientConfig(
      "kafkaSource",
      {
        brokers: "a:9093, b:9093",
        clientId: "sluice",
        sasl: { mechanism: "scram-sha-512", username: "u", password: "p" },
        ssl: { caFile: join(dir, "ca.pem") },
      },
      silentLogger(),
    );
    expect(config.brokers).toEqual(["a:9093", "b:9093"]);
    expect(config.sasl).toEqual({ mechanism: "scram-sha-512", username: "u", password: "p" });
    expect(config.ssl).toEqual({
      ca: [expect.stringContaining("BEGIN CERTIFICATE")],
      rejectUnauthorized: true,
    });
  });

  it("names a missing certificate file and a bad SASL mechanism at construction", () => {
    expect(() =>
      kafkaClientConfig(
        "kafkaSource",
        { brokers: "a:1", clientId: "c", ssl: { caFile: "/nope.pem" } },
        silentLogger(),
      ),
    ).toThrow(/kafkaSource: option `ssl.caFile` cannot be read/);
    expect(() =>
      kafkaSource({
        brokers: "a:1",
        topics: ["t"],
        groupId: "g",
        sasl: { mechanism: "gssapi" as never, username: "u", password: "p" },
      }),
    ).toThrow(/option `sasl.mechanism` must be one of "plain", "scram-sha-256", "scram-sha-512"/);
  });
});
