// The pipeline's per-partition accounting: tickets, the flow, generations and what may commit.
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../src/errors.js";
import { eventOf } from "../src/event.js";
import { FlowController } from "../src/flow.js";
import { SourcePartitions } from "../src/partitions.js";

const at = (partition: number, offset: number) =>
  eventOf(Buffer.from("xy"), { origin: { topic: "t", partition, offset: String(offset) } });

describe("SourcePartitions", () => {
  it("counts a batch in the flow and offers the next offset once every event settled", () => {
    const flow = new FlowController();
    const partitions = new SourcePartitions(flow);
    const events = [at(0, 4), at(0, 5)];
    expect(partitions.open({ events })).toBe(4);
    expect(flow.events).toBe(2);
    events[0]!.settle("delivered");
    expect(partitions.due().offsets).toEqual([]);
    events[1]!.settle("dropped");
    const due = partitions.due();
    expect(due.offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset }))).toEqual([
      { topic: "t", partition: 0, offset: "6" },
    ]);
    expect(partitions.committed(due)).toBe(true);
    expect(partitions.due().offsets).toEqual([]);
    expect(flow.events).toBe(0);
    expect(flow.bytes).toBe(0);
  });

  it("leaves out a batch of an ended generation; the old one's events settle but never commit", () => {
    const flow = new FlowController();
    const partitions = new SourcePartitions(flow);
    partitions.assigned(1, { t: [0] });
    const old = [at(0, 0)];
    partitions.open({ events: old, generation: 1 });
    const due = partitions.due();
    partitions.assigned(2, { t: [0] });
    expect(partitions.open({ events: [at(0, 1)], generation: 1 })).toBe(-1);
    old[0]!.settle("delivered");
    expect(flow.events).toBe(0);
    expect(partitions.due().offsets).toEqual([]);
    expect(partitions.committed(due)).toBe(false);
  });

  it("while stopping, keeps the progress of a partition still held and reports one taken away", () => {
    const partitions = new SourcePartitions(new FlowController());
    partitions.assigned(1, { t: [0, 1] });
    const kept = [at(0, 0)];
    const lost = [at(1, 0)];
    partitions.open({ events: kept, generation: 1 });
    partitions.open({ events: lost, generation: 1 });
    kept[0]!.settle("delivered");
    lost[0]!.settle("delivered");
    partitions.stopping = true;
    expect(partitions.open({ events: [at(0, 1)], generation: 1 })).toBe(-1);
    partitions.assigned(2, { t: [0] });
    expect(partitions.due().offsets.map((o) => `${o.partition}@${o.offset}`)).toEqual(["0@1"]);
    expect(partitions.reassignedError()?.code).toBe(ErrorCode.OFFSETS_REASSIGNED);
    expect(partitions.reassignedError()?.message).toContain("t/1");
  });
});
