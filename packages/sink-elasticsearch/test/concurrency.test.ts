import { describe, expect, it } from "vitest";
import { AdaptiveConcurrency } from "../src/concurrency.js";

/** Drives the limiter as a sink would: `requests` answers of `rtt` ms, each with the limit in use. */
function drive(
  limiter: AdaptiveConcurrency,
  clock: { t: number },
  requests: number,
  rtt: number,
  backPressure = false,
) {
  for (let i = 0; i < requests; i++) {
    clock.t += rtt / Math.max(1, limiter.limit);
    limiter.record(rtt, backPressure, limiter.limit);
  }
}

describe("AdaptiveConcurrency", () => {
  it("grows one step per window while round trips stay flat and the limit is used", () => {
    const clock = { t: 0 };
    const limiter = new AdaptiveConcurrency({ initial: 1, max: 10 }, () => clock.t);
    drive(limiter, clock, 200, 50);
    expect(limiter.limit).toBe(10);
  });

  it("does not grow when the limit is not in use", () => {
    const clock = { t: 0 };
    const limiter = new AdaptiveConcurrency({ initial: 2 }, () => clock.t);
    for (let i = 0; i < 100; i++) {
      clock.t += 50;
      limiter.record(50, false, 1);
    }
    expect(limiter.limit).toBe(2);
  });

  it("shrinks multiplicatively on back-pressure, never below one", () => {
    const clock = { t: 0 };
    const limiter = new AdaptiveConcurrency({ initial: 20 }, () => clock.t);
    drive(limiter, clock, 1, 50, true);
    expect(limiter.limit).toBe(18);
    drive(limiter, clock, 100, 50, true);
    expect(limiter.limit).toBe(1);
  });

  it("shrinks when round trips rise well above their average", () => {
    const clock = { t: 0 };
    const limiter = new AdaptiveConcurrency({ initial: 1, max: 16 }, () => clock.t);
    drive(limiter, clock, 400, 20);
    expect(limiter.limit).toBe(16);
    drive(limiter, clock, 3, 400);
    expect(limiter.limit).toBeLessThan(16);
  });
});
