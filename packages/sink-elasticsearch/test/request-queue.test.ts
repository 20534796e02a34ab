import { describe, expect, it } from "vitest";
import { BulkBody } from "../src/bulk-body.js";
import { RequestQueue } from "../src/request-queue.js";
import { gate } from "./fakes.js";

/** A queue whose sends wait until the test answers them, one gate per body. */
function slowQueue(limit: { value: number }) {
  const answers: Array<ReturnType<typeof gate>> = [];
  let settled = 0;
  let peak = 0;
  const queue = new RequestQueue(
    () => limit.value,
    (_body) => {
      const answer = gate();
      answers.push(answer);
      peak = Math.max(peak, queue.sending);
      return answer.promise;
    },
    () => settled++,
  );
  return { queue, answers, settled: () => settled, peak: () => peak };
}

const body = () => new BulkBody(Buffer.alloc(16));
/** Lets settled sends' callbacks run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("RequestQueue", () => {
  it("never sends more than the limit at once while the service is slow; the rest wait in order", async () => {
    const { queue, answers, settled, peak } = slowQueue({ value: 2 });
    for (let i = 0; i < 6; i++) queue.push(body());
    expect(queue.sending).toBe(2);
    expect(queue.queued).toBe(4);
    answers[0]!.open();
    await turn();
    expect(settled()).toBe(1);
    expect(answers).toHaveLength(3);
    expect(queue.sending).toBe(2);
    for (let i = 1; i < 6; i++) {
      answers[i]!.open();
      await turn();
    }
    expect(peak()).toBe(2);
    expect(settled()).toBe(6);
    expect(queue.idle).toBe(true);
  });

  it("reads the limit before each send, so a limit that grows lets more through", async () => {
    const limit = { value: 1 };
    const { queue, answers } = slowQueue(limit);
    for (let i = 0; i < 4; i++) queue.push(body());
    expect(queue.sending).toBe(1);
    limit.value = 3;
    answers[0]!.open();
    await turn();
    expect(queue.sending).toBe(3);
    expect(queue.queued).toBe(0);
  });
});
