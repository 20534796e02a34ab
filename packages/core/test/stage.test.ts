import { lastValueFrom, of, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { eventOf, type SluiceEvent } from "../src/event.js";
import { filterEvents, mapValues, reject } from "../src/stage.js";

function event(value: unknown, offset = 0): SluiceEvent {
  return eventOf(value, { origin: { offset: String(offset) } });
}

describe("mapValues", () => {
  it("maps ok events and fails only the one that throws or rejects", async () => {
    const stage = mapValues<number, number>("double", (n) => {
      if (n === 2) throw new TypeError("two is not allowed");
      if (n === 3) return reject("odd_three", "three rejected");
      return n * 2;
    });
    const batch = [event(1), event(2), event(3), event(4)] as SluiceEvent<number>[];
    const [out] = await lastValueFrom(of(batch).pipe(stage, toArray()));
    expect(out!.map((e) => e.value)).toEqual([2, 2, 3, 8]);
    expect(out![1]!.failure).toMatchObject({
      type: "TypeError",
      reason: "two is not allowed",
      stage: "double",
    });
    expect(out![2]!.failure).toMatchObject({ type: "odd_three", stage: "double" });
    expect(out![0]!.ok && out![3]!.ok).toBe(true);
  });

  it("skips events an earlier stage failed or dropped", async () => {
    let calls = 0;
    const stage = mapValues<number, number>("count", (n) => {
      calls++;
      return n;
    });
    const failed = event(1) as SluiceEvent<number>;
    failed.fail({ code: "X", type: "x", reason: "x", stage: "earlier" });
    const dropped = event(2) as SluiceEvent<number>;
    dropped.drop();
    await lastValueFrom(of([failed, dropped, event(3) as SluiceEvent<number>]).pipe(stage));
    expect(calls).toBe(1);
    expect(failed.failure?.stage).toBe("earlier");
  });

  it("filterEvents marks events dropped instead of removing them", async () => {
    const stage = filterEvents<number>("evens", (n) => n % 2 === 0);
    const out = await lastValueFrom(of([event(1), event(2)] as SluiceEvent<number>[]).pipe(stage));
    expect(out.length).toBe(2);
    expect(out.map((e) => e.dropped)).toEqual([true, false]);
  });
});
