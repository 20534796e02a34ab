// A subscription-aware round-robin partition assigner for the consumer thread's kafkajs consumer.
// kafkajs's own round robin deals only the leader's topics over every member, and members drop what they
// did not subscribe, so a group whose members read different topics leaves topics unread.
import kafkajs, {
  type Assigner,
  type GroupMember,
  type GroupMemberAssignment,
  type PartitionAssigner,
} from "kafkajs";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { AssignerProtocol } = kafkajs;

/** The group protocol's name: distinct from kafkajs's, since members with kafkajs's assigner deal differently. */
export const SLUICE_ASSIGNER = "SluiceRoundRobin";
const VERSION = 0;

/** What a leader needs of its cluster: the partitions of a topic, and a way to learn topics it does not read. */
export interface AssignerCluster {
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number }>;
}

/**
 * Deals each topic's partitions round-robin over only the members subscribed to it (members and
 * partitions sorted, so every leader deals alike). `partitions` gives a topic's partition ids.
 */
export function dealPartitions(
  subscriptions: ReadonlyMap<string, readonly string[]>,
  partitions: (topic: string) => readonly number[],
): Map<string, Record<string, number[]>> {
  const plan = new Map<string, Record<string, number[]>>();
  const memberIds = [...subscriptions.keys()].sort();
  for (const memberId of memberIds) plan.set(memberId, Object.create(null) as Record<string, number[]>);
  const topics = [...new Set([...subscriptions.values()].flat())].sort();
  // One cursor over the whole deal, as kafkajs's round robin, so single-partition topics spread over members.
  let turn = 0;
  for (const topic of topics) {
    const readers = memberIds.filter((id) => subscriptions.get(id)!.includes(topic));
    for (const partition of [...partitions(topic)].sort((a, b) => a - b)) {
      const assignment = plan.get(readers[turn++ % readers.length]!)!;
      assignment[topic] = [...(assignment[topic] ?? []), partition];
    }
  }
  return plan;
}

/** The topics each member subscribed, from the metadata its protocol announced. */
export function memberSubscriptions(members: readonly GroupMember[]): Map<string, string[]> {
  return new Map(
    members.map(({ memberId, memberMetadata }) => [
      memberId,
      AssignerProtocol.MemberMetadata.decode(memberMetadata)?.topics ?? [],
    ]),
  );
}

/**
 * The kafkajs partition assigner: as leader, it makes its cluster metadata know every member's topics
 * (it may read none of them itself) and deals them with {@link dealPartitions}. A topic-pattern member
 * announces the topics its pattern matched, so it is dealt those.
 */
export const subscriptionRoundRobin: PartitionAssigner = ({ cluster }) => {
  const leader = cluster as unknown as AssignerCluster;
  const assigner: Assigner = {
    name: SLUICE_ASSIGNER,
    version: VERSION,
    async assign({ members }): Promise<GroupMemberAssignment[]> {
      const subscriptions = memberSubscriptions(members);
      const topics = [...new Set([...subscriptions.values()].flat())];
      if (topics.length > 0) await leader.addMultipleTargetTopics(topics);
      const plan = dealPartitions(subscriptions, (topic) =>
        leader.findTopicPartitionMetadata(topic).map((p) => p.partitionId),
      );
      return [...plan].map(([memberId, assignment]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: VERSION,
          assignment,
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: SLUICE_ASSIGNER,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: VERSION,
          topics,
          userData: Buffer.alloc(0),
        }),
      };
    },
  };
  return assigner;
};
