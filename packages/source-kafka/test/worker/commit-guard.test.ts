import { describe, expect, it } from "vitest";
import { CommitGuard } from "../../src/worker/commit-guard.js";

const at = (partition: number, offset: number) => ({ topic: "t", partition, offset: String(offset) });

describe("CommitGuard", () => {
  it("passes every offset of a partition it has not committed on", () => {
    const guard = new CommitGuard();
    expect(guard.ahead([at(0, 0), at(1, 5)])).toEqual([at(0, 0), at(1, 5)]);
  });

  it("holds back a partition's offsets at or below the highest committed: a late commit of an earlier generation outran the next one's", () => {
    const guard = new CommitGuard();
    guard.committed([at(0, 900), at(1, 40)]);
    // The new generation started below 900 on partition 0 and commits its way back up.
    expect(guard.ahead([at(0, 700), at(1, 41)])).toEqual([at(1, 41)]);
    expect(guard.ahead([at(0, 900)])).toEqual([]);
    expect(guard.ahead([at(0, 901)])).toEqual([at(0, 901)]);
  });

  it("keeps the highest it was told, whatever the order, and tells topics apart", () => {
    const guard = new CommitGuard();
    guard.committed([at(0, 50)]);
    guard.committed([at(0, 20)]);
    expect(guard.ahead([at(0, 30), { topic: "u", partition: 0, offset: "30" }])).toEqual([
      { topic: "u", partition: 0, offset: "30" },
    ]);
  });
});
