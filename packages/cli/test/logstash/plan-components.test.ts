// The planned options are options the real components accept: each source and sink is built (nothing connects).
import { fileURLToPath } from "node:url";
import { elasticsearchSink } from "@sluice/sink-elasticsearch";
import { kafkaSource } from "@sluice/source-kafka";
import { describe, expect, it } from "vitest";
import { loadLogstash, type Plan, planLogstash } from "../../src/index.ts";
import { planOf } from "./plan-helpers.ts";

const seed = fileURLToPath(new URL("../../../../test/fixtures/seed/logstash-values.yaml", import.meta.url));

function build(plan: Plan): number {
  let built = 0;
  for (const pipeline of plan.pipelines) {
    expect(kafkaSource(pipeline.source as unknown as Parameters<typeof kafkaSource>[0]).name).toBeTypeOf(
      "string",
    );
    for (const target of pipeline.targets) {
      expect(
        elasticsearchSink(target.sink as unknown as Parameters<typeof elasticsearchSink>[0]).name,
      ).toBeTypeOf("string");
      built++;
    }
  }
  return built;
}

describe("planned options build real components", () => {
  it("the seed's three sources and their targets", () => {
    expect(build(planLogstash(loadLogstash([seed])))).toBe(9);
  });

  it("index, data stream and TLS variants", () => {
    const plan =
      planOf(`input { kafka { auto_offset_reset => "earliest" consumer_threads => 2 codec => json } }
      output {
        elasticsearch { hosts => ["es:9200"] index => "logs-%{[app]}-%{+yyyy.MM.dd}" document_id => "%{[id]}" action => "create" }
        elasticsearch { hosts => ["https://es:9200"] api_key => "id:key" data_stream => true data_stream_auto_routing => false }
        elasticsearch { hosts => ["https://es:9200"] data_stream_sync_fields => false pipeline => "p" }
      }`);
    expect(build(plan)).toBe(3);
  });
});
