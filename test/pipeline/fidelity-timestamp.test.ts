// The Fluent Bit preset's documents, byte for byte, for records that carry their own @timestamp and for
// every number form Fluent Bit's kafka output prints: what Elasticsearch stores is what Fluent Bit's es
// output would have written. Bytes are compared as the real Elasticsearch returns a document's _source.

import { fluentBitToElasticsearch } from "@sluice/transforms";
import { beforeAll, describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { esOutputTimestamp, fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, topicPipeline, useTestbed, waitFor } from "./helpers.js";

interface Case {
  /** The Kafka value, as Fluent Bit's kafka output writes it. */
  kafka: string;
  /** The document Fluent Bit's es output writes for the same record (see ../shared/REFERENCE.md). */
  es: string;
}

/**
 * A record with its own @timestamp: Fluent Bit's JSON writer keeps the last occurrence of a key, so the
 * Kafka value holds the record's own (its place, its type) and the es output writes the same bytes.
 */
const own = (kafka: string): Case => ({ kafka, es: kafka });

const ownTimestamp: Record<string, Case> = {
  string: own('{"log":"GET /healthz 200\\n","@timestamp":"2024-06-10T06:13:20.123456Z","stream":"stdout"}'),
  number: own('{"log":"own number","@timestamp":1718000000.5,"stream":"stdout"}'),
  "string, first": own('{"@timestamp":"2024-06-10T06:13:20Z","log":"own string first"}'),
  "object, after nested objects": own(
    '{"kubernetes":{"pod_name":"gw-0","labels":{"app.kubernetes.io/name":"gw","@timestamp":"label"}},' +
      '"@timestamp":{"seconds":1718000000,"nanos":5},"log":"own object"}',
  ),
};

// Each form `%.1f` / `%.16g` gives the plugin's timestamp; the es output writes the event time's
// milliseconds, truncated, which the decimal text carries.
const forms: Record<string, string> = {
  "1718000000.0": "2024-06-10T06:13:20.000Z",
  "1718000000": "2024-06-10T06:13:20.000Z",
  "1718000000.001": "2024-06-10T06:13:20.001Z",
  "1e-06": "1970-01-01T00:00:00.000Z",
};
// Each form as the plugin's (converted) and as a record's own (kept as it is).
const numberForms = Object.entries(forms).map(([text, iso]): [string, Case, Case] => [
  text,
  {
    kafka: `{"@timestamp":${text},"log":"form ${text}","event":{"@timestamp":${text}}}`,
    es: `{"@timestamp":"${iso}","log":"form ${text}","event":{"@timestamp":${text}}}`,
  },
  own(`{"log":"own form ${text}","@timestamp":${text}}`),
]);

// Ordinary records, for company: the plugin's timestamp and nothing else of the record changed.
const ordinary = fluentBitRecords(3, { seed: 26 }).map((kafka): Case => {
  const leading = /^\{"@timestamp":[0-9.]+/.exec(kafka)![0];
  return { kafka, es: kafka.replace(leading, `{"@timestamp":"${esOutputTimestamp(kafka)}"`) };
});

describe(`Fluent Bit preset: documents as Fluent Bit's es output writes them ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  const topic = "fidelity-timestamp";
  const cases = [
    ...Object.values(ownTimestamp),
    ...numberForms.flatMap(([, plugin, itsOwn]) => [plugin, itsOwn]),
    ...ordinary,
  ];
  // The one record whose bytes cannot tell: its own numeric @timestamp as its first key reads as the
  // plugin's. Fluent Bit's es output writes `1718000000.5`; Sluice writes the ISO text (README says so).
  const ambiguous = '{"@timestamp":1718000000.5,"log":"own number first"}';
  const stored = new Map<string, string>();

  beforeAll(async () => {
    await bed.kafka.createTopic(topic, 1);
    // Mapping nothing: these documents hold @timestamp as text, number and object, which one mapping
    // would refuse in part; what is compared is the _source, which Elasticsearch keeps as sent.
    await bed.client.indices.create({ index: `${topic}-docs`, mappings: { dynamic: false } });
    const messages = [...cases.map((c) => c.kafka), ambiguous];
    await produceWithKcat({ brokers: bed.kafka.bootstrapServers, topic, messages });
    const pipeline = topicPipeline(bed, topic, { stages: [fluentBitToElasticsearch()] });
    await pipeline.start();
    await waitFor(
      "every record settled",
      async () =>
        (await countDocs(bed.client, `${topic}-docs`)) + (await countDocs(bed.client, `${topic}-letters`)),
      (n) => n >= messages.length,
    );
    const report = await pipeline.stop();
    expect(report.drained).toBe(true);
    expect(await countDocs(bed.client, `${topic}-letters`)).toBe(0);
    // The _source endpoint answers with the document's bytes as Elasticsearch stored them.
    for (const [offset, kafka] of messages.entries()) {
      const id = encodeURIComponent(`${topic}+0+${offset}`);
      const response = await fetch(`${bed.es.url}/${topic}-docs/_source/${id}`);
      expect(response.status).toBe(200);
      stored.set(kafka, await response.text());
    }
  }, 180_000);

  it.each(Object.entries(ownTimestamp))(
    "a record's own @timestamp (%s) is kept where it is, as it is",
    (_, c) => {
      expect(stored.get(c.kafka)).toBe(c.es);
    },
  );

  it.each(numberForms)(
    "the number form %s: the plugin's converted, a record's own kept",
    (_, plugin, itsOwn) => {
      expect(stored.get(plugin.kafka)).toBe(plugin.es);
      expect(stored.get(itsOwn.kafka)).toBe(itsOwn.es);
    },
  );

  it("ordinary records: only the plugin's timestamp changes", () => {
    for (const c of ordinary) expect(stored.get(c.kafka)).toBe(c.es);
  });

  it("a record's own number as its first key cannot be told from the plugin's: converted", () => {
    expect(stored.get(ambiguous)).toBe('{"@timestamp":"2024-06-10T06:13:20.500Z","log":"own number first"}');
  });
});
