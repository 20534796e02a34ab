// Records/s per transform stage on Fluent Bit-like records, one thread, median of several runs.
// Run: pnpm bench:stages [records] [runs]
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { type AnyStage, eventOf, JsonBytes, mapValues, reject, type SluiceEvent } from "@sluice/core";
import {
  date,
  epochToIso,
  fluentBitToElasticsearch,
  json,
  mutate,
  parseJson,
  plain,
  remap,
  replaceDots,
  validateSchema,
  vectorKafkaEvent,
} from "@sluice/transforms";
import { lastValueFrom, from as observableFrom, toArray } from "rxjs";
import { CompactJson } from "../packages/transforms/src/compact-json/compact-json.js";
import { scanJsonObject, WordView } from "../packages/transforms/src/json-bytes.js";
import { fluentBitRecords } from "../test/harness/kafka/records.js";

const records = Number(process.argv[2] ?? 50_000);
const runs = Number(process.argv[3] ?? 5);
const batchSize = 500;

/** Each case: how its input is made from a record's bytes (outside the timing), and the stages timed. */
interface Case {
  name: string;
  input: "bytes" | "object" | "message";
  stages: () => AnyStage[];
}

const k8sSchema = {
  type: "object",
  required: ["@timestamp", "log", "kubernetes"],
  properties: {
    log: { type: "string" },
    stream: { enum: ["stdout", "stderr"] },
    kubernetes: { type: "object", required: ["pod_name", "namespace_name"] },
  },
};

export const cases: Case[] = [
  { name: "parseJson", input: "bytes", stages: () => [parseJson()] },
  { name: "parseJson + epochToIso", input: "bytes", stages: () => [parseJson(), epochToIso()] },
  // The sink serializes objects; the preset hands it finished bytes. These two end at the same place.
  {
    name: "parseJson + epochToIso + stringify",
    input: "bytes",
    stages: () => [parseJson(), epochToIso(), mapValues("stringify", (v) => Buffer.from(JSON.stringify(v)))],
  },
  { name: "fluentBitToElasticsearch", input: "bytes", stages: () => [fluentBitToElasticsearch()] },
  // The preset leaves most documents as JsonBytes, which the sink writes into its request: here into a
  // buffer of their own, to end where the row with stringify ends.
  {
    name: "fluentBitToElasticsearch + its bytes",
    input: "bytes",
    stages: () => [
      fluentBitToElasticsearch(),
      mapValues("bytes", (v: unknown) => (v instanceof JsonBytes ? v.toBuffer() : v)),
    ],
  },
  // The preset's JSON check alone, both ways: the full scan, and the compact check it tries first.
  {
    name: "JSON check: full scan",
    input: "bytes",
    stages: () => {
      const containers = new Uint8Array(1001);
      const words = new WordView();
      return [
        mapValues("full scan", (raw: Buffer) =>
          scanJsonObject(raw, 1000, containers, words).problem ? reject("bad", "refused") : raw,
        ),
      ];
    },
  },
  {
    name: "JSON check: compact (WebAssembly)",
    input: "bytes",
    stages: () => {
      const compact = CompactJson.create()!;
      return [
        mapValues("compact", (raw: Buffer) => (compact.accepts(raw, 1000) ? raw : reject("bad", "refused"))),
      ];
    },
  },
  { name: "epochToIso", input: "object", stages: () => [epochToIso()] },
  { name: "replaceDots", input: "object", stages: () => [replaceDots()] },
  { name: "validateSchema", input: "object", stages: () => [validateSchema({ schema: k8sSchema })] },
  { name: "plain", input: "bytes", stages: () => [plain()] },
  { name: "json (Logstash)", input: "message", stages: () => [json({ source: "message" })] },
  {
    name: "mutate (seed's gsub)",
    input: "message",
    stages: () => [mutate({ gsub: [["message", "@timestamp", "_@timestamp"]] })],
  },
  {
    name: "mutate (rename, convert, add_field, remove_field)",
    input: "object",
    stages: () => [
      mutate({
        rename: { stream: "[log_stream][name]" },
        convert: { "[kubernetes][host]": "string" },
        add_field: { app: "%{[kubernetes][container_name]}" },
        remove_field: ["[kubernetes][docker_id]"],
      }),
    ],
  },
  {
    name: "date (ISO8601 on time)",
    input: "object",
    stages: () => [date({ match: ["time", "ISO8601"], target: "t" })],
  },
  {
    name: "date (UNIX on @timestamp)",
    input: "object",
    stages: () => [date({ match: ["@timestamp", "UNIX"] })],
  },
  {
    name: "Logstash seed chain (plain→gsub→json→date→remove)",
    input: "bytes",
    stages: () => [
      plain(),
      mutate({ gsub: [["message", "@timestamp", "_@timestamp"]] }),
      json({ source: "message" }),
      date({ match: ["_@timestamp", "UNIX"] }),
      mutate({ remove_field: ["message", "_@timestamp"] }),
    ],
  },
  {
    name: "Vector seed chain (kafka event→remap)",
    input: "bytes",
    stages: () => [
      vectorKafkaEvent(),
      remap({ source: ". = parse_json!(string!(.message))\n.@timestamp = now()" }),
    ],
  },
];

function inputs(kind: Case["input"], raws: Buffer[]): SluiceEvent<unknown>[][] {
  const batches: SluiceEvent<unknown>[][] = [];
  for (let i = 0; i < raws.length; i += batchSize) {
    batches.push(
      raws.slice(i, i + batchSize).map((raw) => {
        const value =
          kind === "bytes"
            ? raw
            : kind === "object"
              ? JSON.parse(raw.toString())
              : { message: raw.toString() };
        return eventOf(value, { raw });
      }),
    );
  }
  return batches;
}

async function measure(c: Case, raws: Buffer[]): Promise<number> {
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const batches = inputs(c.input, raws);
    let pipe = observableFrom(batches);
    const started = performance.now();
    for (const stage of c.stages()) pipe = pipe.pipe(stage as never);
    const out = await lastValueFrom(pipe.pipe(toArray()));
    const seconds = (performance.now() - started) / 1000;
    const failed = out.flat().filter((e) => !e.ok).length;
    if (failed > 0) throw new Error(`${c.name}: ${failed} events failed on valid records`);
    rates.push(raws.length / seconds);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

const raws = fluentBitRecords(records, { seed: 1 }).map((r) => Buffer.from(r));
const meanBytes = Math.round(raws.reduce((n, r) => n + r.length, 0) / raws.length);
console.log(`stages: ${records} records of ~${meanBytes} bytes, median of ${runs} runs, one thread`);
const results: Array<{ stage: string; recordsPerSecond: number }> = [];
for (const c of cases) {
  const rate = await measure(c, raws);
  results.push({ stage: c.name, recordsPerSecond: Math.round(rate) });
  console.log(`${c.name.padEnd(52)} ${Math.round(rate).toLocaleString("en-US").padStart(12)} records/s`);
}
writeFileSync(
  new URL("./results/stages.json", import.meta.url),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: `${cpus().length} × ${cpus()[0]?.model}`,
      node: process.version,
      records,
      meanBytes,
      runs,
      results,
    },
    null,
    2,
  )}\n`,
);
