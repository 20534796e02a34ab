import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ErrorCode, SluiceConfigError, SluiceError } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { kafkaSource } from "../src/index.js";
import { workerEntry } from "../src/worker/start-thread.js";

const options = { brokers: "localhost:9092", topics: ["t"], groupId: "g" };

function refusal(run: () => unknown): SluiceError {
  try {
    run();
  } catch (error) {
    if (error instanceof SluiceError) return error;
    throw error;
  }
  throw new Error("expected a SluiceError");
}

describe("the consumer thread's file", () => {
  it("defaults to the module beside the source's own, which exists", () => {
    const entry = workerEntry();
    expect(entry.protocol).toBe("file:");
    expect(entry.pathname).toMatch(/\/worker\/consumer-worker\.(ts|js)$/);
  });

  it("is taken from workerFile as a path, a file: URL string or a URL", () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-worker-"));
    const file = join(dir, "worker.js");
    writeFileSync(file, "");
    expect(workerEntry(file).href).toBe(pathToFileURL(file).href);
    expect(workerEntry(pathToFileURL(file).href).href).toBe(pathToFileURL(file).href);
    expect(workerEntry(pathToFileURL(file)).href).toBe(pathToFileURL(file).href);
  });

  it("missing, is refused at construction with its own code, naming the file and the fix", () => {
    const missing = join(tmpdir(), "no-such-dir", "consumer-worker.js");
    const error = refusal(() => kafkaSource({ ...options, workerFile: missing }));
    expect(error.code).toBe(ErrorCode.KAFKA_WORKER_MISSING);
    expect(error.message).toContain(missing);
    expect(error.message).toContain("@sluice/source-kafka/consumer-worker");
  });

  it("refuses a URL that is not a file", () => {
    const error = refusal(() => kafkaSource({ ...options, workerFile: new URL("https://example.com/w.js") }));
    expect(error).toBeInstanceOf(SluiceConfigError);
    expect((error as SluiceConfigError).option).toBe("workerFile");
  });
});
