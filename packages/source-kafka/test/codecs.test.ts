import { compressSync } from "snappy";
import { describe, expect, it } from "vitest";
import { lz4Codec } from "../src/codecs/lz4.js";
import { snappyCodec } from "../src/codecs/snappy.js";
import { zstdCodec } from "../src/codecs/zstd.js";

const payload = Buffer.from(JSON.stringify({ log: "x".repeat(5000), n: [1, 2, 3], text: "é日本" }));

describe("codecs", () => {
  for (const [name, codec] of [
    ["lz4", lz4Codec()],
    ["lz4 (decompressing on the calling thread)", lz4Codec({ syncDecompress: true })],
    ["snappy", snappyCodec()],
    ["snappy (decompressing on the calling thread)", snappyCodec({ syncDecompress: true })],
    ["zstd", zstdCodec()],
  ] as const) {
    it(`${name} round-trips`, async () => {
      const compressed = await codec.compress({ buffer: payload });
      expect(compressed.length).toBeLessThan(payload.length);
      expect((await codec.decompress(compressed)).equals(payload)).toBe(true);
    });
  }

  it("snappy reads the xerial framing the Java producer writes", async () => {
    const half = payload.length >> 1;
    const blocks = [compressSync(payload.subarray(0, half)), compressSync(payload.subarray(half))];
    const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
    const framed = Buffer.concat([
      header,
      ...blocks.flatMap((b) => {
        const len = Buffer.alloc(4);
        len.writeUInt32BE(b.length);
        return [len, b];
      }),
    ]);
    expect((await snappyCodec().decompress(framed)).equals(payload)).toBe(true);
    expect((await snappyCodec({ syncDecompress: true }).decompress(framed)).equals(payload)).toBe(true);
  });

  it("snappy refuses a truncated xerial block instead of returning short data", async () => {
    const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(1000);
    await expect(snappyCodec().decompress(Buffer.concat([header, len, Buffer.alloc(10)]))).rejects.toThrow(
      /truncated/,
    );
  });
});
