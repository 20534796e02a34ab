// What Sluice cannot run, and what Logstash itself refuses, is refused at plan time at the plugin's or option's position.
import { describe, expect, it } from "vitest";
import { LogstashConfigError } from "../../src/index.ts";
import { planOf } from "./plan-helpers.ts";

const IN = "input { kafka {} }";
const OUT = 'output { elasticsearch { index => "x" } }';

/** The error planning `text` throws, and where `needle` (its first occurrence, or the `nth`) is in the text. */
function refusal(text: string, needle: string, nth = 0, settings?: Record<string, unknown>) {
  let error: unknown;
  try {
    planOf(text, settings);
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(LogstashConfigError);
  const refused = error as LogstashConfigError;
  expect(refused.code).toBe("SLUICE_ERR_CONFIG");
  let offset = -1;
  for (let i = 0; i <= nth; i++) offset = text.indexOf(needle, offset + 1);
  expect(offset).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, offset).split("\n");
  const position = { file: "t.conf", line: before.length, column: before[before.length - 1]!.length + 1 };
  expect(refused.position).toEqual(position);
  expect(refused.message.startsWith(`t.conf:${position.line}:${position.column}: `)).toBe(true);
  return refused.message;
}

describe("plugins Sluice does not run", () => {
  it("refuses other inputs, filters and outputs, naming them", () => {
    expect(refusal(`input { beats { port => 5044 } } ${OUT}`, "beats")).toContain(
      "beats: Sluice runs the kafka input only",
    );
    expect(
      refusal(`${IN} filter { grok { match => { "message" => "%{WORD:w}" } } } ${OUT}`, "grok"),
    ).toContain("grok: Sluice runs the mutate, json and date filters");
    expect(refusal(`${IN} output { if [a] { stdout {} } }`, "stdout")).toContain(
      "stdout: Sluice runs the elasticsearch output only",
    );
  });

  it("refuses options it does not run, naming plugin and option", () => {
    expect(refusal(`input { kafka { security_protocol => "SSL" } } ${OUT}`, "security_protocol")).toContain(
      "kafka option `security_protocol`: Sluice does not run this option",
    );
    expect(
      refusal(`${IN} output { elasticsearch { index => "x" manage_template => false } }`, "manage_template"),
    ).toContain("elasticsearch option `manage_template`");
    expect(
      refusal(`${IN} filter { date { match => ["t", "UNIX"] precision => "ns" } } ${OUT}`, "precision"),
    ).toContain("date option `precision`");
  });

  it("refuses what the kafka input offers and Sluice cannot do", () => {
    expect(refusal(`input { kafka { auto_offset_reset => "none" } } ${OUT}`, "auto_offset_reset")).toContain(
      '"none"',
    );
    expect(refusal(`input { kafka { codec => line } } ${OUT}`, "codec")).toContain(
      "plain and json codecs only",
    );
    expect(refusal(`input { kafka { consumer_threads => 0 } } ${OUT}`, "consumer_threads")).toContain(
      "at least 1",
    );
  });

  it("refuses outputs Sluice's sink cannot express", () => {
    expect(
      refusal(`${IN} output { elasticsearch { index => "x" document_id => "%{a}-%{b}" } }`, "document_id"),
    ).toContain("one field");
    expect(refusal(`${IN} output { elasticsearch { index => "x" action => "update" } }`, "action")).toContain(
      '"update"',
    );
    expect(refusal(`${IN} output { elasticsearch { data_stream => false } }`, "elasticsearch")).toContain(
      "ILM",
    );
    expect(
      refusal(`${IN} output { elasticsearch { index => "x" pipeline => "%{p}" } }`, "pipeline"),
    ).toContain("template");
  });

  it("refuses conditions it cannot evaluate as Logstash does", () => {
    expect(refusal(`${IN} output { if [n] > 1 { elasticsearch { index => "x" } } }`, "[n]")).toContain(
      "the comparison `>`",
    );
    expect(
      refusal(`${IN} output { if [m] =~ /(?i)err/ { elasticsearch { index => "x" } } }`, "/(?i)"),
    ).toContain("inline options");
  });

  it("refuses [@metadata] in filter options: Sluice keeps it beside the document", () => {
    expect(
      refusal(`${IN} filter { mutate { add_field => { "[@metadata][x]" => "y" } } } ${OUT}`, "add_field"),
    ).toContain("[@metadata]");
  });

  it("places a stage's own refusal at its plugin", () => {
    expect(refusal(`${IN} filter { mutate { gsub => ["message", "a"] } } ${OUT}`, "mutate")).toContain(
      "mutate: ",
    );
    expect(refusal(`${IN} filter { json { target => "t" } } ${OUT}`, "json")).toContain(
      "`source` is required",
    );
  });

  it("refuses a pipeline without a kafka input or without an output", () => {
    expect(refusal(OUT, "output")).toContain("no kafka input");
    expect(refusal(`${IN} filter { mutate {} }`, "input")).toContain("no elasticsearch output");
  });
});

describe("what Logstash itself refuses", () => {
  it("data stream identifiers, as data_stream_support.rb validates them", () => {
    expect(
      refusal(`${IN} output { elasticsearch { data_stream_dataset => "a b" } }`, "data_stream_dataset"),
    ).toContain("Invalid characters detected");
    expect(
      refusal(`${IN} output { elasticsearch { data_stream_namespace => "" } }`, "data_stream_namespace"),
    ).toContain("empty string");
    expect(
      refusal(
        `${IN} output { elasticsearch { data_stream_namespace => "${"n".repeat(101)}" } }`,
        "data_stream_namespace",
      ),
    ).toContain("too long (101 bytes");
    expect(
      refusal(`${IN} output { elasticsearch { data_stream_type => "events" } }`, "data_stream_type"),
    ).toContain('"events" is not one of');
  });

  it("data stream options that contradict the mode", () => {
    expect(refusal(`${IN} output { elasticsearch { data_stream => true index => "x" } }`, "index")).toContain(
      'Invalid data stream configuration: ["index"]',
    );
    expect(
      refusal(
        `${IN} output { elasticsearch { data_stream => false index => "x" data_stream_dataset => "d" } }`,
        "data_stream_dataset",
      ),
    ).toContain("Ambiguous configuration");
    expect(
      refusal(
        `${IN} output { elasticsearch { index => "x" data_stream_dataset => "d" } }`,
        "data_stream_dataset",
      ),
    ).toContain("Ambiguous configuration");
    expect(
      refusal(`${IN} output { elasticsearch { data_stream => true } }`, "data_stream", 0, {
        "pipeline.ecs_compatibility": "disabled",
      }),
    ).toContain("ecs_compatibility => disabled");
  });

  it("two plugins with one id", () => {
    expect(
      refusal(
        `${IN} filter { mutate { id => "m" } } output { elasticsearch { id => "m" index => "x" } }`,
        "id",
        1,
      ),
    ).toContain("Two plugins have the id 'm'");
  });

  it("TLS and credential options given twice or without TLS", () => {
    expect(refusal(`${IN} output { elasticsearch { ssl => true ssl_enabled => true } }`, "ssl")).toContain(
      "either",
    );
    expect(
      refusal(`${IN} output { elasticsearch { hosts => ["http://es:9200"] api_key => "id:k" } }`, "api_key"),
    ).toContain("requires SSL/TLS");
    expect(
      refusal(
        `${IN} output { elasticsearch { hosts => ["https://es:9200"] user => "u" password => "p" api_key => "id:k" } }`,
        "api_key",
      ),
    ).toContain("Multiple authentication options");
    expect(refusal(`${IN} output { elasticsearch { user => "u" } }`, "user")).toContain(
      "both `user` and `password`",
    );
  });
});
