// Prints, as JSON, whether this process has the preset's WebAssembly JSON check, and the Fluent Bit
// preset's outcome for every record given on stdin (a JSON array of strings): the document's text, or
// the failure. to-elasticsearch.test.ts runs it under `node --jitless` (no WebAssembly) and without.
import { readFileSync } from "node:fs";
import { CompactJson } from "../../src/compact-json/compact-json.js";
import { fluentBitToElasticsearch } from "../../src/fluent-bit/to-elasticsearch.js";
import { runStage } from "../run.js";

const records = JSON.parse(readFileSync(0, "utf8")) as string[];
const events = await runStage(
  fluentBitToElasticsearch(),
  records.map((r) => Buffer.from(r, "utf8")),
);
process.stdout.write(
  JSON.stringify({
    webAssembly: CompactJson.create() !== undefined,
    outcomes: events.map((e) => (e.ok ? { doc: String(e.value) } : { failure: e.failure })),
  }),
);
