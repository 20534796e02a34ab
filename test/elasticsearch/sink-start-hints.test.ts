// What the sink says when it cannot start: a wrong scheme named as such (https:// to plain HTTP, http:// to
// TLS), and refused credentials with a hint at the `auth` option. The emulator serves TLS and auth.
import { ErrorCode, PipelineMetrics, type SluiceError, silentLogger } from "@sluice/core";
import { elasticsearchSink } from "@sluice/sink-elasticsearch";
import { describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { type EmulatorOptions, startElasticsearch, testCaFile } from "../harness/elasticsearch/index.js";

/** Starts a sink on `node` against an emulator with `options`; returns its start error. */
async function startError(
  options: EmulatorOptions,
  node: (url: string) => string,
  sinkOptions: Record<string, unknown> = {},
): Promise<SluiceError> {
  const es = await startElasticsearch({ backend: "emulator", ...options });
  const sink = elasticsearchSink({ node: node(es.url), index: "x", requestTimeoutMs: 5_000, ...sinkOptions });
  try {
    await sink.connect({
      pipeline: "hints",
      logger: silentLogger(),
      metrics: new PipelineMetrics(),
      signal: new AbortController().signal,
    });
    throw new Error("the sink started");
  } catch (error) {
    return error as SluiceError;
  } finally {
    await sink.close();
    await es.stop();
  }
}

describe(`Elasticsearch sink start hints ${runsOn({ es: "emulator" })}`, () => {
  it("https:// to a plain HTTP server: SLUICE_ERR_ES_TLS saying it does not speak TLS, use http://", async () => {
    const error = await startError({}, (url) => url.replace("http://", "https://"));
    expect(error.code).toBe(ErrorCode.ES_TLS);
    expect(error.message).toContain("does not speak TLS");
    expect(error.message).toContain("write the node as http://");
    expect(error.message).not.toContain("tls.caFile");
  });

  it("http:// to a TLS server: SLUICE_ERR_ES_TLS saying it speaks TLS, use https://", async () => {
    const error = await startError({ tls: true }, (url) => url.replace("https://", "http://"));
    expect(error.code).toBe(ErrorCode.ES_TLS);
    expect(error.message).toContain("speaks TLS");
    expect(error.message).toContain("write the node as https://");
  });

  it("https:// with the CA given starts on the TLS server", async () => {
    const es = await startElasticsearch({ backend: "emulator", tls: true });
    const sink = elasticsearchSink({ node: es.url, index: "x", tls: { caFile: testCaFile } });
    try {
      await sink.connect({
        pipeline: "hints",
        logger: silentLogger(),
        metrics: new PipelineMetrics(),
        signal: new AbortController().signal,
      });
    } finally {
      await sink.close();
      await es.stop();
    }
  });

  it("a 401 without credentials says to set the `auth` option; with wrong ones, to check it", async () => {
    const auth = { username: "elastic", password: "right" };
    const none = await startError({ auth }, (url) => url);
    expect(none.code).toBe(ErrorCode.ES_AUTH);
    expect(none.message).toContain("HTTP 401");
    expect(none.message).toContain("set the `auth` option");
    const wrong = await startError({ auth }, (url) => url, {
      auth: { username: "elastic", password: "wrong" },
    });
    expect(wrong.code).toBe(ErrorCode.ES_AUTH);
    expect(wrong.message).toContain("check the `auth` option");
  });
});
