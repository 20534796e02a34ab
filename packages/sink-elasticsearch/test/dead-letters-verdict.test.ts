import type { Client } from "@elastic/elasticsearch";
import { toDeadLetter } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { ElasticsearchDeadLetters } from "../src/elasticsearch-dead-letters.js";
import { itemVerdict } from "../src/retry-policy.js";
import { events } from "./fakes.js";

/** The writer with a client that answers each letter's item with the next of `statuses` (undefined: no item). */
function writerAnswering(statuses: Array<number | undefined>): ElasticsearchDeadLetters {
  const writer = new ElasticsearchDeadLetters({ node: "http://fake:9200" });
  const client: Pick<Client, "bulk"> = {
    bulk: (async () => ({
      errors: true,
      took: 1,
      items: statuses.map((status) =>
        status === undefined ? {} : { create: { status, error: { type: `type_${status}`, reason: "r" } } },
      ),
    })) as never,
  };
  // The writer's client is made by connect() from a node address; this stands in for it.
  Object.assign(writer, { client });
  return writer;
}

describe("ElasticsearchDeadLetters item outcomes", () => {
  it("follow the sink's itemVerdict for create: stored, retried or refused alike", async () => {
    const statuses = [201, 409, 429, 500, 501, 503, 400, 404];
    const letters = events(statuses.length).map((event) => toDeadLetter(event, "test"));
    const outcomes = await writerAnswering(statuses).write(letters);
    const expected = statuses.map((status) => {
      const verdict = itemVerdict(status, "create");
      return verdict === "delivered" ? "stored" : verdict === "retry" ? "retry" : "refused";
    });
    expect(outcomes.map((o) => o.status)).toEqual(expected);
    expect(expected).toEqual([
      "stored",
      "stored",
      "retry",
      "retry",
      "refused",
      "retry",
      "refused",
      "refused",
    ]);
  });

  it("retries a letter its answer has no item for", async () => {
    const [letter] = events(1).map((event) => toDeadLetter(event, "test"));
    expect(await writerAnswering([undefined]).write([letter!])).toEqual([
      { status: "retry", reason: "no answer for this item" },
    ]);
  });
});
