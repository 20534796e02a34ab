// Credentials never reach a log line, an error, /health or a dead letter: keys that name one are redacted
// at any depth and in any case, and the strings components declare are scrubbed wherever they appear.
import { pino } from "pino";
import { map } from "rxjs";
import { describe, expect, it } from "vitest";
import { ErrorCode, SluiceError } from "../src/errors.js";
import type { Batch } from "../src/event.js";
import { createLogger } from "../src/logger.js";
import { createPipeline } from "../src/pipeline.js";
import { Secrets } from "../src/secrets.js";
import { mapValues, namedStage, reject } from "../src/stage.js";
import { LogCapture, MemoryDeadLetters, MemorySink, MemorySource, until } from "./memory-components.js";

describe("secrets", () => {
  it("the logger redacts credential keys at any depth and in any case", () => {
    const log = new LogCapture();
    const logger = createLogger({ destination: log, level: "info" });
    logger.child({ component: "x" }).info(
      {
        options: { es: { connection: { auth: { username: "elastic", password: "deep-pw-1" } } } },
        headers: { Authorization: "Basic ZWxhc3RpYzpodW50ZXIy" },
        ssl: { key: "-----BEGIN PRIVATE KEY-----MIIEvQ", passphrase: "pem-pass-2" },
        list: [{ ApiKey: "api-key-3" }, { SASL: { mechanism: "plain", password: "sasl-pw-4" } }],
        X_Auth_Token: "token-5",
      },
      "configured",
    );
    logger.warn(new Error("failed with Authorization: hunter2"));
    expect(log.text).toContain("configured");
    expect(log.text).toContain("elastic");
    for (const secret of [
      "deep-pw-1",
      "ZWxhc3RpYzpodW50ZXIy",
      "MIIEvQ",
      "pem-pass-2",
      "api-key-3",
      "sasl-pw-4",
      "token-5",
    ])
      expect(log.text).not.toContain(secret);
    // A key can be redacted, not a word in a message: that needs the secret declared (below).
    expect(log.text).toContain("hunter2");
  });

  it("scrubs a URL's password, and declared secrets in any text, JSON-escaped or URL-encoded", () => {
    const secrets = new Secrets(['p"w/1', "tok"]);
    expect(secrets.scrub("GET http://elastic:anything@es:9200/ failed")).toBe(
      "GET http://elastic:[redacted]@es:9200/ failed",
    );
    expect(secrets.scrub('{"a":"p\\"w/1"} p%22w%2F1 tok')).toBe('{"a":"[redacted]"} [redacted] [redacted]');
  });

  it("a pipeline keeps the secrets its components declare out of log lines, errors, /health and dead letters", async () => {
    const sasl = "sasl-S3cr3t";
    const es = "es-pa55word";
    const source = Object.assign(new MemorySource(), { secrets: [sasl] });
    const sink = Object.assign(new MemorySink(), { secrets: [es] });
    const dlq = new MemoryDeadLetters();
    const log = new LogCapture();
    const leaky = mapValues<Buffer, Buffer>("leaky", (raw) => {
      const text = raw.toString();
      if (text === "reject") return reject("auth", `the header said Basic ${es}`);
      if (text === "throw") throw new Error(`cannot log in with ${sasl}`);
      return raw;
    });
    // A stage that crashes the stream, with a secret in its error.
    const crash = namedStage(
      "crash",
      map((batch: Batch<unknown>) => {
        if (batch.some((e) => e.raw.toString() === "crash")) throw new Error(`lost ${es} and ${sasl}`);
        return batch;
      }),
    );
    // The application's own pino logger: the pipeline scrubs what goes through it too.
    const pipeline = createPipeline({
      source,
      sink,
      deadLetters: dlq,
      stages: [leaky, crash],
      logger: pino({ level: "info", base: undefined }, log),
      http: { port: 0 },
    });
    await pipeline.start();
    // What a component logs through its context, and what it reports in health.
    source.ctx.logger.child({ node: `http://elastic:${es}@es:9200` }).warn(`retrying with ${sasl}`);
    source.healthDetail = { lastError: `SASL as sluice/${sasl} failed`, url: `http://elastic:${es}@es:9200` };
    const health = JSON.stringify(await (await fetch(`${pipeline.httpUrl}/health`)).json());
    expect(health).toContain("SASL as sluice/");
    source.push(["ok", "reject", "throw"]);
    await until(() => dlq.letters.length === 2);
    source.push(["crash"]);
    const report = await pipeline.stopped;
    const error = report.error!;
    expect(error.code).toBe(ErrorCode.STAGE_CRASHED);
    const reported = [
      log.text,
      health,
      JSON.stringify(pipeline.health()),
      error.message,
      error.stack,
      (error.cause as Error).message,
      (error.cause as Error).stack,
      JSON.stringify(dlq.letters.map((l) => l.error)),
    ].join("\n");
    expect(reported).toContain('stage "crash" failed: lost [redacted] and [redacted]');
    expect(reported).toContain("cannot log in with [redacted]");
    expect(reported).toContain("the header said Basic [redacted]");
    expect(reported).not.toContain(sasl);
    expect(reported).not.toContain(es);
  });

  it("a failed start's error has the declared secrets taken out", async () => {
    const es = "es-pa55word";
    const source = new MemorySource();
    const sink = Object.assign(new MemorySink(), {
      secrets: [es],
      connect: async () => {
        throw new SluiceError(
          ErrorCode.ES_AUTH,
          `Elasticsearch at http://elastic:${es}@es:9200 refused (${es})`,
        );
      },
    });
    const log = new LogCapture();
    const pipeline = createPipeline({
      source,
      sink,
      deadLetters: new MemoryDeadLetters(),
      logger: pino({ level: "info" }, log),
    });
    const error = (await pipeline.start().catch((e: unknown) => e)) as SluiceError;
    expect(error.code).toBe(ErrorCode.ES_AUTH);
    expect(error.message).toBe("Elasticsearch at http://elastic:[redacted]@es:9200 refused ([redacted])");
    expect(`${error.stack}${log.text}`).not.toContain(es);
  });
});
