// What users get from npm: the four packages packed as `npm publish` would upload them, clean under publint
// and attw, installed with npm into an application outside the workspace, where a strict ES module consumer
// and a strict CommonJS one type-check against the installed types and, run with plain `node`, move records
// from Kafka to Elasticsearch; and a bundled service, which fails at start without the consumer thread's
// file and delivers by each of the fixes the error names.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { repoRoot } from "../harness/process.js";
import { committedTotal, countDocs, type Testbed, useTestbed } from "../pipeline/helpers.js";
import { bundleService } from "./bundle.js";
import { type CommandResult, described, runCommand } from "./command.js";
import { type Consumer, type ConsumerApp, compile, createConsumerApp, entry } from "./consumer-app.js";
import { attw, PACKAGES, packAll, publint } from "./tarballs.js";

/** Kafka's codecs: each consumer reads records of every one (the native ones and zstd's WebAssembly load). */
const CODECS = ["lz4", "snappy", "gzip", "zstd"] as const;
/** Records each consumer delivers, from a topic of its own: this many of each codec. */
const PER_CODEC = 500;
const RECORDS = PER_CODEC * CODECS.length;

/** Creates `topic` (two partitions) and writes Fluent Bit's records to it with kcat, PER_CODEC in each codec. */
async function topicOfEveryCodec(bed: Testbed, topic: string, seed: number): Promise<void> {
  await bed.kafka.createTopic(topic, 2);
  for (const [i, compression] of CODECS.entries())
    await produceWithKcat({
      brokers: bed.kafka.bootstrapServers,
      topic,
      compression,
      messages: fluentBitRecords(PER_CODEC, { seed: seed + i }),
    });
}

let packDir: string;
let tarballs: string[] = [];
let app: ConsumerApp | undefined;
const compiled = new Map<Consumer, CommandResult>();

beforeAll(async () => {
  packDir = mkdtempSync(join(tmpdir(), "sluice-tarballs-"));
  tarballs = await packAll(packDir);
  app = await createConsumerApp(tarballs);
  console.log(described("npm install (tarballs, rxjs, typescript, @types/node)", app.install));
  if (app.install.code !== 0) return;
  for (const consumer of ["esm", "cjs"] as const) compiled.set(consumer, await compile(app, consumer));
}, 300_000);

afterAll(() => {
  if (packDir) rmSync(packDir, { recursive: true, force: true });
  if (app) rmSync(app.dir, { recursive: true, force: true });
});

describe("the packed tarballs", () => {
  it("are one per package", () => {
    const expected = PACKAGES.map((dir) => {
      const { version } = JSON.parse(
        readFileSync(join(repoRoot, "packages", dir, "package.json"), "utf8"),
      ) as { version: string };
      return `sluice-${dir}-${version}.tgz`;
    });
    expect(tarballs.map((t) => basename(t)).sort()).toEqual(expected.sort());
  });

  it("hold only what users need: the built JavaScript and types, README, LICENSE, CHANGELOG", () => {
    for (const tarball of tarballs) {
      const listing = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).trim().split("\n");
      const extra = listing.filter(
        (path) =>
          !/^package\/(package\.json|README\.md|LICENSE|CHANGELOG\.md)$/.test(path) &&
          !/^package\/dist\/[\w/.-]+\.(js|d\.ts)$/.test(path),
      );
      expect(extra, basename(tarball)).toEqual([]);
      for (const needed of [
        "package/README.md",
        "package/LICENSE",
        "package/dist/index.js",
        "package/dist/index.d.ts",
      ])
        expect(listing, `${basename(tarball)} lacks ${needed}`).toContain(needed);
    }
  });

  it("publint finds nothing to say about any of them", async () => {
    for (const tarball of tarballs) {
      const result = await publint(tarball);
      console.log(described(`publint run ${basename(tarball)} --strict`, result));
      expect(result.code, result.output).toBe(0);
      expect(result.output, result.output).toContain("All good!");
    }
  }, 120_000);

  it("attw finds no problem with the types of any of them, for ES module consumers and bundlers", async () => {
    for (const tarball of tarballs) {
      const result = await attw(tarball);
      console.log(described(`attw ${basename(tarball)} --profile esm-only`, result));
      expect(result.code, result.output).toBe(0);
      // Every entry point resolves to types and JavaScript for Node's ESM resolution and for bundlers.
      const verdicts = result.output
        .split("\n")
        .filter((line) => /^(node16 \(from ESM\)|bundler):/.test(line));
      expect(verdicts.length, result.output).toBeGreaterThan(0);
      for (const verdict of verdicts) expect(verdict, result.output).toContain("🟢");
    }
  }, 120_000);

  it("install with npm into an application outside the workspace", () => {
    expect(app?.install.code, app?.install.output).toBe(0);
    for (const name of PACKAGES) {
      const installed = JSON.parse(
        readFileSync(join(app!.dir, "node_modules", "@sluice", name, "package.json"), "utf8"),
      ) as { exports: Record<string, unknown> };
      // What npm installed is the published manifest: no entry point leads to TypeScript sources.
      expect(JSON.stringify(installed.exports), name).not.toMatch(/"source"|\.\/src\//);
    }
  });

  for (const consumer of ["esm", "cjs"] as const)
    it(`type-check a strict ${consumer === "esm" ? "ES module" : "CommonJS"} consumer (nodenext)`, () => {
      const result = compiled.get(consumer);
      expect(result, "not compiled: the install failed").toBeDefined();
      console.log(described(`tsc -p ${consumer}/tsconfig.json`, result!));
      expect(result!.code, result!.output).toBe(0);
    });
});

/** The consumer's JSON summary: the last line of its stdout. */
interface Summary {
  module: string;
  commonjs?: boolean;
  delivered: number;
  drained: boolean;
  unsettled: number;
  error: string | null;
  decoderPatched: number | null;
}

/** Sluice's own code is in the bundle, not loaded from node_modules. */
function expectSluiceInside(bundle: string): void {
  expect(readFileSync(bundle, "utf8")).not.toMatch(/(from|require\(|import\()\s*["']@sluice\//);
}

function summaryOf(run: CommandResult): Summary {
  const last = run.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(last) as Summary;
  } catch {
    throw new Error(`no JSON summary; output:\n${run.output}`);
  }
}

describe(`services installed from the tarballs ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  // Topics of this run alone, also on an external Kafka (KAFKA_BROKERS) that keeps earlier runs' topics.
  const run = Date.now().toString(36);
  const topicFor = (name: string) => `packaging-${name}-${run}`;

  /** Runs `file` with plain `node` (no loader, no --conditions) on the testbed, reading `topic`. */
  const runService = (file: string, topic: string, env: Record<string, string> = {}) =>
    runCommand(process.execPath, [file], {
      cwd: app!.dir,
      env: {
        NODE_OPTIONS: undefined,
        KAFKA_BROKERS: bed.kafka.bootstrapServers,
        ES_URL: bed.es.url,
        SLUICE_TOPIC: topic,
        SLUICE_RECORDS: String(RECORDS),
        ...env,
      },
      timeoutMs: 90_000,
    });

  /** Every record of `topic` is a document (Fluent Bit's timestamp turned ISO) and its offset committed. */
  async function expectDelivered(
    testbed: Testbed,
    topic: string,
    result: CommandResult,
    decoderPatched = 1,
  ): Promise<Summary> {
    console.log(described(`node … (${topic})`, result));
    expect(result.code, result.output).toBe(0);
    const summary = summaryOf(result);
    expect(summary).toMatchObject({
      delivered: RECORDS,
      drained: true,
      unsettled: 0,
      error: null,
      decoderPatched,
    });
    expect(await countDocs(testbed.client, topic)).toBe(RECORDS);
    const found = await testbed.client.search<Record<string, unknown>>({ index: topic, size: 1 });
    expect(found.hits.hits[0]?._source?.["@timestamp"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await committedTotal(testbed.kafka.brokers, topic, topic)).toBe(RECORDS);
    return summary;
  }

  for (const consumer of ["esm", "cjs"] as const)
    it(`the ${consumer === "esm" ? "ES module" : "CommonJS"} consumer delivers its records`, async () => {
      expect(compiled.get(consumer)?.code, "not compiled").toBe(0);
      const topic = topicFor(consumer);
      await topicOfEveryCodec(bed, topic, 28);
      const summary = await expectDelivered(bed, topic, await runService(entry(app!, consumer), topic));
      expect(summary.module).toBe(consumer);
      if (consumer === "cjs") expect(summary.commonjs).toBe(true);
    }, 120_000);

  it("a bundle without the consumer thread's file fails at start, saying how to fix it", async () => {
    expect(compiled.get("esm")?.code, "not compiled").toBe(0);
    const bundle = await bundleService(app!, "bundle-alone");
    expectSluiceInside(bundle.service);
    const result = await runService(bundle.service, topicFor("bundle-alone"));
    console.log(described(`node bundle-alone/${basename(bundle.service)}`, result));
    expect(result.code, result.output).not.toBe(0);
    expect(result.stdout, "it ran on").toBe("");
    expect(result.output).toContain("code: 'SLUICE_ERR_KAFKA_WORKER_MISSING'");
    // The fix: keep the package external, or bundle its worker entry and name it in workerFile.
    expect(result.output).toContain("external");
    expect(result.output).toContain("@sluice/source-kafka/consumer-worker");
    expect(result.output).toContain("workerFile");
  }, 60_000);

  it("a bundle keeping @sluice/source-kafka external (loaded from node_modules) delivers", async () => {
    expect(compiled.get("esm")?.code, "not compiled").toBe(0);
    const topic = topicFor("bundle-external");
    await topicOfEveryCodec(bed, topic, 58);
    const bundle = await bundleService(app!, "bundle-external", { external: ["@sluice/source-kafka"] });
    expect(readFileSync(bundle.service, "utf8")).toMatch(/from\s*["']@sluice\/source-kafka["']/);
    await expectDelivered(bed, topic, await runService(bundle.service, topic));
  }, 120_000);

  it("a bundle naming the installed package's consumer thread (import.meta.resolve) in workerFile delivers", async () => {
    expect(compiled.get("esm")?.code, "not compiled").toBe(0);
    const topic = topicFor("bundle-installed");
    await topicOfEveryCodec(bed, topic, 48);
    const bundle = await bundleService(app!, "bundle-installed");
    await expectDelivered(
      bed,
      topic,
      await runService(bundle.service, topic, { SLUICE_WORKER_FILE: "installed" }),
    );
  }, 120_000);

  it("a bundle with the consumer thread's file as an entry of its own, named by workerFile, delivers", async () => {
    expect(compiled.get("esm")?.code, "not compiled").toBe(0);
    const topic = topicFor("bundle");
    await topicOfEveryCodec(bed, topic, 38);
    const bundle = await bundleService(app!, "bundle", { worker: true });
    for (const file of [bundle.service, bundle.worker!]) expectSluiceInside(file);
    await expectDelivered(
      bed,
      topic,
      await runService(bundle.service, topic, { SLUICE_WORKER_FILE: bundle.worker! }),
    );
  }, 120_000);

  it("a bundle with kafkajs inside its consumer thread's file delivers, and says loudly what is off", async () => {
    expect(compiled.get("esm")?.code, "not compiled").toBe(0);
    const topic = topicFor("bundle-kafkajs");
    await topicOfEveryCodec(bed, topic, 68);
    const bundle = await bundleService(app!, "bundle-kafkajs", { worker: true, inlineKafkajs: true });
    expect(readFileSync(bundle.worker!, "utf8")).not.toMatch(/from\s*["']kafkajs["']/);
    const result = await runService(bundle.service, topic, { SLUICE_WORKER_FILE: bundle.worker! });
    // Sluice's decoder and group fault handling change the kafkajs in Node's module cache, not this copy.
    await expectDelivered(bed, topic, result, 0);
    expect(result.output).toContain("kafkajs is bundled into the Kafka consumer thread's file");
    expect(result.output).toContain("CRC-32C");
  }, 120_000);
});
