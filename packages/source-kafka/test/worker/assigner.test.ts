import kafkajs from "kafkajs";
import { describe, expect, it } from "vitest";
import { type AssignerCluster, dealPartitions, subscriptionRoundRobin } from "../../src/worker/assigner.js";

const { AssignerProtocol, PartitionAssigners } = kafkajs;

const PARTITIONS: Record<string, number> = { logs: 4, events: 3, audit: 1 };

/** A leader's cluster that knows a topic's partitions only once it was asked to target it. */
function fakeCluster(known: string[] = []) {
  const targeted = new Set(known);
  const cluster: AssignerCluster = {
    async addMultipleTargetTopics(topics) {
      for (const topic of topics) targeted.add(topic);
    },
    findTopicPartitionMetadata(topic) {
      if (!targeted.has(topic)) return [];
      return Array.from({ length: PARTITIONS[topic] ?? 0 }, (_, i) => ({
        partitionId: PARTITIONS[topic]! - 1 - i,
      }));
    },
  };
  return { cluster, targeted };
}

function member(memberId: string, topics: string[], protocol = subscriptionRoundRobin) {
  const { metadata } = protocol({
    cluster: fakeCluster().cluster as never,
    groupId: "g",
    logger: {} as never,
  }).protocol({
    topics,
  });
  return { memberId, memberMetadata: metadata as Buffer };
}

async function assign(members: ReturnType<typeof member>[], known: string[] = []) {
  const { cluster, targeted } = fakeCluster(known);
  const assigner = subscriptionRoundRobin({ cluster: cluster as never, groupId: "g", logger: {} as never });
  // kafkajs passes the leader's own topics; the assigner must not rely on them.
  const result = await assigner.assign({ members, topics: known });
  const plan = Object.fromEntries(
    result.map(({ memberId, memberAssignment }) => [
      memberId,
      AssignerProtocol.MemberAssignment.decode(memberAssignment)!.assignment,
    ]),
  );
  return { plan, targeted };
}

describe("the subscription-aware assigner", () => {
  it("gives each member only partitions of topics it subscribed, every partition once", async () => {
    const { plan, targeted } = await assign([member("b", ["events"]), member("a", ["logs"])], ["logs"]);
    expect(plan).toEqual({ a: { logs: [0, 1, 2, 3] }, b: { events: [0, 1, 2] } });
    // The leader read only "logs": it learned the other members' topics before dealing them.
    expect([...targeted].sort()).toEqual(["events", "logs"]);
  });

  it("deals a topic round-robin over its subscribers only, in sorted order", async () => {
    const { plan } = await assign([
      member("c", ["logs"]),
      member("a", ["logs", "audit"]),
      member("b", ["events"]),
    ]);
    // Topics sorted (audit, events, logs) and one cursor over the deal.
    expect(plan).toEqual({
      a: { audit: [0], logs: [0, 2] },
      b: { events: [0, 1, 2] },
      c: { logs: [1, 3] },
    });
  });

  it("deals alike whatever order the members come in", async () => {
    const members = [member("x", ["logs", "events"]), member("y", ["events"]), member("z", ["logs"])];
    const first = await assign(members);
    const second = await assign([...members].reverse());
    expect(second.plan).toEqual(first.plan);
  });

  it("answers every member, also one left without partitions", async () => {
    const { plan } = await assign([member("a", ["audit"]), member("b", ["audit"])]);
    expect(plan).toEqual({ a: { audit: [0] }, b: {} });
  });

  it("announces the member's topics under its own protocol name, distinct from kafkajs's", () => {
    const cluster = fakeCluster().cluster as never;
    const ours = subscriptionRoundRobin({ cluster, groupId: "g", logger: {} as never }).protocol({
      topics: ["logs"],
    });
    const theirs = PartitionAssigners.roundRobin({ cluster, groupId: "g", logger: {} as never });
    expect(ours.name).toBe("SluiceRoundRobin");
    expect(ours.name).not.toBe(theirs.name);
    expect(AssignerProtocol.MemberMetadata.decode(ours.metadata as Buffer)!.topics).toEqual(["logs"]);
  });

  it("deals nothing to a member that subscribed nothing", () => {
    const plan = dealPartitions(
      new Map([
        ["a", []],
        ["b", ["logs"]],
      ]),
      () => [1, 0],
    );
    expect(Object.fromEntries(plan)).toEqual({ a: {}, b: { logs: [0, 1] } });
  });
});
