import { SluiceError } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { snappyCodec } from "../src/codecs/snappy.js";
import { ConsumerThreadError } from "../src/worker/consumer-thread.js";
import { CorruptBatchError, CorruptRecordError } from "../src/worker/record-batches.js";

describe("the Kafka source's errors are SluiceErrors with a code", () => {
  it("a consumer that failed: SLUICE_ERR_KAFKA_AUTH for refused credentials, else SLUICE_ERR_KAFKA_CONSUMER", () => {
    const gaveUp = new ConsumerThreadError({
      name: "KafkaJSNumberOfRetriesExceeded",
      message: "x",
      permanent: false,
    });
    expect(gaveUp).toBeInstanceOf(SluiceError);
    expect(gaveUp).toMatchObject({
      code: "SLUICE_ERR_KAFKA_CONSUMER",
      name: "KafkaJSNumberOfRetriesExceeded",
    });
    const refused = new ConsumerThreadError({
      name: "KafkaJSProtocolError",
      message: "SASL Authentication failed",
      type: "SASL_AUTHENTICATION_FAILED",
      permanent: true,
    });
    expect(refused.code).toBe("SLUICE_ERR_KAFKA_AUTH");
  });

  it("corrupt records, batches and Snappy blocks: SLUICE_ERR_KAFKA_CORRUPT, their names kept", async () => {
    expect(new CorruptRecordError("30", 8_388_608, 40)).toMatchObject({
      code: "SLUICE_ERR_KAFKA_CORRUPT",
      name: "CorruptRecordError",
    });
    expect(new CorruptBatchError("30", 1, 2)).toMatchObject({
      code: "SLUICE_ERR_KAFKA_CORRUPT",
      name: "CorruptBatchError",
    });
    // xerial framing: magic, version, compatible version, then a block claiming more bytes than follow.
    const xerial = Buffer.concat([
      Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]),
      Buffer.from([0, 0, 0, 1, 0, 0, 0, 1]),
      Buffer.from([0, 0, 1, 0]),
      Buffer.from("short"),
    ]);
    await expect(snappyCodec().decompress(xerial)).rejects.toMatchObject({
      code: "SLUICE_ERR_KAFKA_CORRUPT",
    });
  });
});
