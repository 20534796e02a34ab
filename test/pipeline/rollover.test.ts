// What exactly-once covers: a replayed record is a 409 in the index that holds its first copy, and a new
// document once its data stream or rollover alias has rolled over (Elasticsearch keeps _id unique per index).
import { silentLogger } from "@sluice/core";
import { beforeAll, describe, expect, it } from "vitest";
import { slicePipeline } from "../fixtures/slice-pipeline.js";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { countDocs, type Testbed, useTestbed, waitForCommits } from "./helpers.js";

const RECORDS = 600;

/** Reads all of `topic` as a new group (a replay from the earliest offset) into `index`, to the end. */
async function drain(bed: Testbed, topic: string, group: string, index: string, dataStream?: string) {
  const pipeline = slicePipeline({
    brokers: bed.kafka.bootstrapServers,
    esUrl: bed.es.url,
    topics: [topic],
    groupId: group,
    index,
    deadLetterIndex: `${group}-letters`,
    logger: silentLogger(),
    ...(dataStream ? { sink: { dataStream: { template: { name: dataStream } } } } : {}),
  });
  await pipeline.start();
  try {
    await waitForCommits(bed.kafka.brokers, group, topic, RECORDS);
  } finally {
    await pipeline.stop();
  }
  expect(await countDocs(bed.client, `${group}-letters`)).toBe(0);
}

/** How many backing indices of `target` hold a document of each _id. */
async function copiesById(bed: Testbed, target: string): Promise<Map<string, Set<string>>> {
  await bed.client.indices.refresh({ index: target });
  const { hits } = await bed.client.search({ index: target, size: 10_000, _source: false });
  const copies = new Map<string, Set<string>>();
  for (const hit of hits.hits) {
    const where = copies.get(hit._id!) ?? new Set<string>();
    where.add(hit._index);
    copies.set(hit._id!, where);
  }
  return copies;
}

describe(`replays across a rollover ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();

  beforeAll(async () => {
    for (const topic of ["rollover-ds", "rollover-alias"]) {
      await bed.kafka.createTopic(topic, 2);
      await produceWithKcat({
        brokers: bed.kafka.bootstrapServers,
        topic,
        messages: fluentBitRecords(RECORDS, { seed: 61 }),
      });
    }
  }, 120_000);

  it("a data stream: a replay before the rollover adds nothing; after it, every record again", async () => {
    const stream = "logs-rollover-test";
    await drain(bed, "rollover-ds", "ds-first", stream, "rollover-test");
    expect(await countDocs(bed.client, stream)).toBe(RECORDS);

    // The same records again, as after a crash or an offset reset: each a 409 on its own _id.
    await drain(bed, "rollover-ds", "ds-replay", stream, "rollover-test");
    expect(await countDocs(bed.client, stream)).toBe(RECORDS);

    const rolled = await bed.client.indices.rollover({ alias: stream });
    expect(rolled.rolled_over).toBe(true);
    // The next write index has none of those _ids: the replay is written again, in full.
    await drain(bed, "rollover-ds", "ds-replay-after", stream, "rollover-test");
    expect(await countDocs(bed.client, stream)).toBe(2 * RECORDS);
    const copies = await copiesById(bed, stream);
    expect(copies.size).toBe(RECORDS);
    for (const [id, indices] of copies)
      expect([...indices].sort(), id).toEqual([rolled.old_index, rolled.new_index].sort());
  }, 180_000);

  it("a rollover alias: the same, for an alias with a write index", async () => {
    const alias = "rollover-alias";
    await bed.client.indices.create({
      index: `${alias}-000001`,
      aliases: { [alias]: { is_write_index: true } },
    });
    await drain(bed, "rollover-alias", "alias-first", alias);
    await drain(bed, "rollover-alias", "alias-replay", alias);
    expect(await countDocs(bed.client, alias)).toBe(RECORDS);

    const rolled = await bed.client.indices.rollover({ alias });
    expect(rolled.new_index).toBe(`${alias}-000002`);
    await drain(bed, "rollover-alias", "alias-replay-after", alias);
    expect(await countDocs(bed.client, alias)).toBe(2 * RECORDS);
    const copies = await copiesById(bed, alias);
    expect(copies.size).toBe(RECORDS);
    for (const indices of copies.values()) expect(indices.size).toBe(2);
  }, 180_000);
});
