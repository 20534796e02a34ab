// SIGKILL the pipeline process at random moments while it consumes; every record still lands once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runsOn } from "../harness/backends.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { prng, seedFromEnv } from "../harness/prng.js";
import {
  type ChildPipeline,
  countDocs,
  sliceEnv,
  spawnSlicePipeline,
  useTestbed,
  waitFor,
  waitForCommits,
  waitForDocs,
} from "./helpers.js";

const TOPIC = "insight-logs-crash";
const NAME = "crash";
const RECORDS = 60_000;
const KILLS = 4;
// The kill moments come from this seed: a failing run prints it, and CRASH_SEED=<seed> replays that run.
const SEED = seedFromEnv("CRASH_SEED");

// The emulator slows Elasticsearch down, so that kills land with requests in flight.
describe(`crash safety ${runsOn({ kafka: true, es: "emulator" })}`, () => {
  const bed = useTestbed({ es: "emulator" });
  const children: ChildPipeline[] = [];

  beforeAll(async () => {
    await bed.kafka.createTopic(TOPIC, 6);
  });

  afterAll(() => {
    for (const { child } of children) if (child.exitCode === null) child.kill("SIGKILL");
  });

  const env = () =>
    sliceEnv(bed, TOPIC, NAME, {
      // Small batches in flight and a short session, so kills land mid-stream and restarts are quick.
      SLICE_MAX_IN_FLIGHT_EVENTS: "3000",
      SLICE_SESSION_TIMEOUT_MS: "6000",
    });

  it(`survives ${KILLS} SIGKILLs mid-stream with every record in Elasticsearch exactly once`, async () => {
    const records = fluentBitRecords(RECORDS, { seed: 11 });
    for (let i = 0; i < records.length; i += 20_000)
      await produceWithKcat({
        brokers: bed.kafka.bootstrapServers,
        topic: TOPIC,
        messages: records.slice(i, i + 20_000),
      });
    // Elasticsearch answers each bulk request after 400 ms while the kills happen: every run dies with
    // requests in flight and answered records not yet committed, and no run can catch up with the end
    // (at most 3000 events in flight: ~7500 records/s).
    bed.es.faults.latency(400, { paths: /_bulk/ });

    console.log(`crash safety: seed ${SEED} (replay with CRASH_SEED=${SEED})`);
    const random = prng(SEED);
    const seenAtKill: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const run = spawnSlicePipeline(env());
      children.push(run);
      await run.started;
      // Wait until this run has moved some records, then kill it at a random moment.
      const before = await countDocs(bed.client, NAME);
      await waitFor(
        `run ${k} to make progress`,
        () => countDocs(bed.client, NAME),
        (n) => n > before,
        60_000,
        100,
      );
      await new Promise((r) => setTimeout(r, 100 + Math.floor(random() * 900)));
      run.child.kill("SIGKILL");
      await run.exited;
      seenAtKill.push(await countDocs(bed.client, NAME));
    }
    console.log(`crash safety: documents at each kill ${seenAtKill.join(", ")} of ${RECORDS}`);
    // Kills happened mid-stream: after each, work was left to do.
    for (const count of seenAtKill) expect(count).toBeLessThan(RECORDS);
    bed.es.faults.clear();

    const last = spawnSlicePipeline(env());
    children.push(last);
    await last.started;
    await waitForDocs(bed.client, NAME, RECORDS, 120_000, 500);
    await waitForCommits(bed.kafka.brokers, NAME, TOPIC, RECORDS, 30_000);
    last.child.kill("SIGTERM");
    expect(await last.exited).toBe(0);

    // Each record has its own _id (<topic>+<partition>+<offset>): the count is exact only if none was lost,
    // and a replayed record is answered 409 instead of being stored twice.
    expect(await countDocs(bed.client, NAME)).toBe(RECORDS);
  }, 300_000);
});
