import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ErrorCode, silentLogger } from "@sluice/core";
import kafkajs from "kafkajs";
import { describe, expect, it } from "vitest";
import { connectFailure, kafkaClientConfig } from "../src/connection.js";
import { kafkaSource } from "../src/kafka-source.js";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { KafkaJSConnectionError, KafkaJSProtocolError } = kafkajs;

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

  it("refuses a broker without a valid port at construction, naming the option", () => {
    for (const brokers of ["localhost", "host:abc", "host:99999", "host:0", "a:9092,b", ["a:9092", ":9092"]])
      expect(() => kafkaSource({ brokers, topics: ["t"], groupId: "g" }), String(brokers)).toThrow(
        expect.objectContaining({
          code: ErrorCode.CONFIG,
          option: "brokers",
          message: expect.stringMatching(
            /^kafkaSource: option `brokers` has ".*": each broker must be host:port/,
          ),
        }),
      );
    expect(
      kafkaSource({ brokers: "a:9092, [::1]:9093", topics: ["t"], groupId: "g" }).options.brokers,
    ).toEqual(["a:9092", "[::1]:9093"]);
  });

  describe("a failed start's error", () => {
    const brokers = ["127.0.0.1:9092"];

    it("is KAFKA_AUTH, not UNREACHABLE, when SASL meets a listener without it (ILLEGAL_SASL_STATE)", () => {
      // What kafkajs throws when a real Kafka 4.4 broker's PLAINTEXT listener answers a SaslHandshake.
      const refused = new KafkaJSProtocolError(
        Object.assign(new Error("Request is not valid given the current SASL state"), {
          type: "ILLEGAL_SASL_STATE",
          code: 34,
          retriable: false,
        }),
      );
      for (const cause of [refused, new Error(refused.message, { cause: refused })]) {
        const error = connectFailure("dead letters: ", brokers, cause);
        expect(error.code).toBe(ErrorCode.KAFKA_AUTH);
        expect(error.message).toBe(
          "dead letters: Kafka at 127.0.0.1:9092 refused the SASL authentication: Request is not valid given " +
            "the current SASL state (that listener takes no SASL: give the address of a SASL_PLAINTEXT or " +
            "SASL_SSL listener, or drop sasl)",
        );
      }
    });

    it("is KAFKA_TLS for a certificate the client cannot verify, KAFKA_UNREACHABLE for a closed connection", () => {
      const unverified = Object.assign(new Error("unable to verify the first certificate"), {
        code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      });
      expect(
        connectFailure("", brokers, new KafkaJSConnectionError(unverified, { broker: brokers[0] })).code,
      ).toBe(ErrorCode.KAFKA_TLS);
      expect(connectFailure("", brokers, new KafkaJSConnectionError("Closed connection")).code).toBe(
        ErrorCode.KAFKA_UNREACHABLE,
      );
    });
  });
});
