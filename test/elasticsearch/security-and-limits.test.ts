// Basic and API-key auth, gzip request bodies and the request size limit, through the official client.
import { Client, type errors } from "@elastic/elasticsearch";
import { describe, expect, it } from "vitest";
import { startElasticsearch } from "../harness/elasticsearch/index.js";

describe("Elasticsearch emulator: security and limits [the Elasticsearch emulator]", () => {
  it("requires basic auth when configured", async () => {
    const es = await startElasticsearch({
      backend: "emulator",
      auth: { username: "elastic", password: "changeme" },
    });
    const good = new Client({
      node: es.url,
      auth: { username: "elastic", password: "changeme" },
      maxRetries: 0,
    });
    const bad = new Client({ node: es.url, auth: { username: "elastic", password: "nope" }, maxRetries: 0 });
    const none = new Client({ node: es.url, maxRetries: 0 });
    try {
      expect((await good.info()).version.number).toMatch(/^8\./);
      const wrong = (await bad.info().catch((e: unknown) => e)) as errors.ResponseError;
      expect(wrong.statusCode).toBe(401);
      expect((wrong.body as { error: { type: string; reason: string } }).error).toMatchObject({
        type: "security_exception",
        reason: expect.stringMatching(/unable to authenticate user \[elastic\]/),
      });
      const missing = (await none.info().catch((e: unknown) => e)) as errors.ResponseError;
      expect(missing.statusCode).toBe(401);
      expect(missing.headers?.["www-authenticate"]).toMatch(/Basic realm="security"/);
    } finally {
      await Promise.all([good.close(), bad.close(), none.close()]);
      await es.stop();
    }
  });

  it("requires the API key when configured", async () => {
    const apiKey = Buffer.from("key-id:key-secret").toString("base64");
    const es = await startElasticsearch({ backend: "emulator", auth: { apiKey } });
    const good = new Client({ node: es.url, auth: { apiKey }, maxRetries: 0 });
    const pair = new Client({
      node: es.url,
      auth: { apiKey: { id: "key-id", api_key: "key-secret" } },
      maxRetries: 0,
    });
    const bad = new Client({ node: es.url, auth: { apiKey: "d3Jvbmc6a2V5" }, maxRetries: 0 });
    try {
      expect((await good.info()).tagline).toBe("You Know, for Search");
      expect((await pair.info()).tagline).toBe("You Know, for Search");
      expect(((await bad.info().catch((e: unknown) => e)) as errors.ResponseError).statusCode).toBe(401);
    } finally {
      await Promise.all([good.close(), pair.close(), bad.close()]);
      await es.stop();
    }
  });

  it("accepts gzip request bodies (the client's compression option)", async () => {
    const es = await startElasticsearch({ backend: "emulator" });
    const client = new Client({ node: es.url, compression: true, maxRetries: 0 });
    try {
      const docs = Array.from({ length: 500 }, (_, i) => ({ i, text: "compress me ".repeat(20) }));
      const response = await client.bulk({
        operations: docs.flatMap((d) => [{ create: { _index: "gz" } }, d]),
      });
      expect(response.errors).toBe(false);
      expect((await client.count({ index: "gz" })).count).toBe(500);
    } finally {
      await client.close();
      await es.stop();
    }
  });

  it("answers 413 to a body over the configured limit, and serves the next request", async () => {
    const es = await startElasticsearch({ backend: "emulator", maxContentLength: 64 * 1024 });
    const client = new Client({ node: es.url, maxRetries: 0 });
    try {
      const big = Array.from({ length: 200 }, (_, i) => ({ i, text: "x".repeat(1000) }));
      const error = (await client
        .bulk({ operations: big.flatMap((d) => [{ create: { _index: "big" } }, d]) })
        .catch((e: unknown) => e)) as errors.ResponseError;
      expect(error.statusCode).toBe(413);
      const small = await client.bulk({ operations: [{ create: { _index: "big" } }, { ok: 1 }] });
      expect(small.errors).toBe(false);
    } finally {
      await client.close();
      await es.stop();
    }
  });
});
