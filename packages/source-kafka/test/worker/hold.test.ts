import { describe, expect, it } from "vitest";
import { Hold } from "../../src/worker/hold.js";

describe("the consumer thread's hold", () => {
  it("holds while paused and while too much is posted and not yet taken", () => {
    const hold = new Hold({ events: 100, bytes: 1000 });
    expect(hold.holding).toBe(false);
    hold.posted(60, 100);
    expect(hold.holding).toBe(false);
    hold.posted(40, 100);
    expect(hold.holding).toBe(true); // 100 events
    hold.taken(50, 100);
    expect(hold.holding).toBe(false);
    hold.posted(1, 900);
    expect(hold.holding).toBe(true); // 1000 bytes
    hold.taken(51, 900);
    hold.pause();
    expect(hold.holding).toBe(true);
    hold.resume();
    expect(hold.holding).toBe(false);
  });

  it("wakes a waiter when the hold lifts, and lets one go after the time it gave", async () => {
    const hold = new Hold({ events: 10, bytes: 1000 });
    hold.pause();
    let woke = false;
    const waiting = hold.changedOr(60_000).then(() => {
      woke = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(woke).toBe(false);
    hold.resume();
    await waiting;
    expect(woke).toBe(true);

    hold.pause();
    const started = Date.now();
    await hold.changedOr(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(hold.holding).toBe(true);
  });
});
