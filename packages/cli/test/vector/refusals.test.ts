import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseVector } from "../../src/vector/load.js";
import { planVector } from "../../src/vector/plan.js";
import { config, refusal } from "./helpers.js";

const SEED = new URL("../../../../test/fixtures/seed/vector-configmap.yaml", import.meta.url).pathname;

describe("what Sluice cannot run is refused at plan time, naming component, option and position", () => {
  it("a VRL function Sluice lacks, at its line and column in the ConfigMap file", () => {
    const text = readFileSync(SEED, "utf8").replace(
      "            .@timestamp = now()\n      insight_event_kafka_remap:",
      "            .@timestamp = now()\n            .h = sha1(.log)\n      insight_event_kafka_remap:",
    );
    let error: unknown;
    try {
      planVector(parseVector(text, "vector-configmap.yaml"));
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).toBe(
      'vector-configmap.yaml:36:18 (data["aggregator.yaml"] transforms.insight_logs_remap.source): transform "insight_logs_remap" (remap) option `source`: call to undefined function `sha1`',
    );
    expect((error as { code: string }).code).toBe("SLUICE_ERR_CONFIG");
  });

  it("a source type other than kafka", () => {
    const error = refusal(config().replace("type: kafka", "type: file"));
    expect(error.message).toBe(
      'vector.yaml:3:5: source "in" (file) option `type` is "file"; Sluice reads kafka sources only',
    );
  });

  it("an option Sluice does not support, on source and sink", () => {
    expect(refusal(config({ source: "    sasl:\n      enabled: true\n" })).message).toBe(
      'vector.yaml:7:5: source "in" (kafka) option `sasl` is not supported by Sluice',
    );
    expect(refusal(config({ sink: "    bulk:\n      index: x\n    doc_type: _doc\n" })).message).toBe(
      'vector.yaml:14:5: sink "es" (elasticsearch) option `doc_type` is not supported by Sluice',
    );
    expect(refusal(config({ sink: "    bulk:\n      index: x\n      action: update\n" })).message).toContain(
      'option `bulk.action` is "update"',
    );
    expect(refusal(config({ sink: "    bulk:\n      index: x\n    compression: zstd\n" })).option).toBe(
      "sinks.es.compression",
    );
  });

  it("a transform type, a sink type, an unknown input and a strftime item Sluice lacks", () => {
    const transforms = "  last:\n    type: dedupe\n    inputs: [in]\n";
    expect(refusal(config({ transforms })).message).toBe(
      'vector.yaml:9:5: transform "last" (dedupe) option `type` is "dedupe"; Sluice runs the transforms remap, filter and route',
    );
    expect(refusal(config().replace("type: elasticsearch", "type: console")).message).toContain(
      'sink "es" (console) option `type` is "console"',
    );
    expect(refusal(config().replace("inputs: [in]", "inputs: [nope]")).message).toBe(
      'vector.yaml:10:14: sinks.es: input "nope" names no source or transform output Sluice knows',
    );
    expect(refusal(config({ sink: '    bulk:\n      index: "x-%F"\n' })).message).toContain(
      'has the strftime item "%F"',
    );
  });

  it("verify_hostname off while the certificate is verified, which Sluice cannot do", () => {
    expect(
      refusal(config({ sink: "    bulk:\n      index: x\n    tls:\n      verify_hostname: false\n" }))
        .message,
    ).toBe(
      'vector.yaml:15:7: sink "es" (elasticsearch) option `tls.verify_hostname` is false while verify_certificate is true: Sluice checks the hostname with the certificate, or neither',
    );
  });

  it("paths from one source through different remaps, which one chain of stages cannot run", () => {
    const text = `sources:
  in: { type: kafka, bootstrap_servers: "k:9092", group_id: g, topics: [logs] }
transforms:
  a: { type: remap, inputs: [in], source: ".a = 1" }
  b: { type: remap, inputs: [in], source: ".b = 1" }
sinks:
  x: { type: elasticsearch, inputs: [a], endpoint: "http://es:9200", bulk: { index: x } }
  y: { type: elasticsearch, inputs: [b], endpoint: "http://es:9200", bulk: { index: y } }
`;
    expect(refusal(text).message).toMatch(
      /^vector\.yaml:5:21: source "in" reaches sink "y" through transforms that differ/,
    );
  });

  it("a top-level section Sluice does not read", () => {
    expect(refusal(`${config()}enrichment_tables: {}\n`).message).toBe(
      "vector.yaml:14:1: `enrichment_tables` is not supported by Sluice's Vector form",
    );
  });
});
