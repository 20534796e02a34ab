// How kafkajs's consumer group meets two faults, changed in the consumer thread (which hosts only its
// source's consumer):
// - A broker that cannot be reached stops only its own fetcher. kafkajs stops every fetcher on any fetch
//   error and, after its retries, crashes the consumer, so partitions that healthy brokers lead stopped
//   too. Here that broker's fetcher waits, refreshes the metadata (its partitions get new leaders, or it
//   answers again) and tries again; the others go on.
// - A commit refused because the group's coordinator moved goes, next time, to the one that has it.
// - A consumer started again after a crash joins as the member that crashed. A crashed member whose
//   coordinator was lost never left (its LeaveGroup went nowhere), and the coordinator that takes over
//   the group loads it from the log: a new member would wait for that session to expire before its
//   rebalance completed. A known member id takes its place at once; an unknown one is answered
//   UNKNOWN_MEMBER_ID, and kafkajs joins as a new member.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { KAFKAJS_VERSION } from "./record-batches.js";

const require = createRequire(import.meta.url);

export interface GroupFaultHooks {
  /** The member id to join `groupId` with when kafkajs has none (the crashed member's), if any. */
  rejoinAs(groupId: string): string | undefined;
  /** A fetch from broker `nodeId` failed because it cannot be reached; returns how long to wait (ms). */
  unreachable(nodeId: number, error: Error): number;
  /** A fetch from broker `nodeId` succeeded. */
  reached(nodeId: number): void;
}

// kafkajs's consumer group class (CommonJS, untyped): what is changed of it.
interface ConsumerGroupLike {
  groupId: string;
  memberId: string | null;
  cluster: { refreshMetadata(): Promise<void> };
  fetch(nodeId: number): Promise<unknown[]>;
  joinAndSync(): Promise<void>;
}

// kafkajs's offset manager (one per generation): where it sends commits.
interface OffsetManagerLike {
  groupId: string;
  coordinator: unknown;
  cluster: { findGroupCoordinator(options: { groupId: string }): Promise<unknown> };
  commitOffsets(offsets: unknown): Promise<unknown>;
}

/** Errors of a broker that does not answer (refused, reset, timed out), as kafkajs names them. */
const UNREACHABLE = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSBrokerNotFound",
]);

function isUnreachable(error: unknown): error is Error {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if (UNREACHABLE.has(e.name)) return true;
  return false;
}

/** The hooks of the source the thread hosts now (one at a time). */
let current: GroupFaultHooks | undefined;
let installed: boolean | undefined;

/** What a consumer group does without this module's handling (for a kafkajs release it was not written for). */
export const LOST_WITHOUT_GROUP_FAULTS = [
  "waiting for a broker that does not answer while the other partitions go on (the consumer crashes and kafkajs restarts it)",
  "asking the group's new coordinator after a commit was refused by the old one",
  "rejoining as the member that crashed",
];

/**
 * Makes this thread's kafkajs consumer groups meet faults as above, asking `hooks`; returns whether the
 * change is in place (false for a kafkajs release, `kafkajsVersion`, other than the one it was written for).
 */
export function handleGroupFaults(hooks: GroupFaultHooks, kafkajsVersion: string, bundled = false): boolean {
  current = hooks;
  if (installed !== undefined) return installed;
  installed = kafkajsVersion === KAFKAJS_VERSION && !bundled;
  if (!installed) return false;
  const root = dirname(require.resolve("kafkajs/package.json"));
  const proto = (require(join(root, "src/consumer/consumerGroup.js")) as { prototype: ConsumerGroupLike })
    .prototype;
  const fetch = proto.fetch;
  proto.fetch = async function (this: ConsumerGroupLike, nodeId: number) {
    try {
      const batches = await fetch.call(this, nodeId);
      current?.reached(nodeId);
      return batches;
    } catch (error) {
      if (!isUnreachable(error) || !current) throw error;
      const waitMs = current.unreachable(nodeId, error);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      await this.cluster.refreshMetadata().catch(() => {});
      return [];
    }
  };
  const managerProto = (
    require(join(root, "src/consumer/offsetManager/index.js")) as { prototype: OffsetManagerLike }
  ).prototype;
  const commitOffsets = managerProto.commitOffsets;
  managerProto.commitOffsets = async function (this: OffsetManagerLike, offsets: unknown) {
    try {
      return await commitOffsets.call(this, offsets);
    } catch (error) {
      // kafkajs refreshes the metadata but asks the same broker again: after the group's coordinator
      // moved (a restart of its node, of the cluster) every commit would be refused until a rejoin.
      if ((error as { type?: unknown }).type === "NOT_COORDINATOR_FOR_GROUP")
        this.coordinator = await this.cluster
          .findGroupCoordinator({ groupId: this.groupId })
          .catch(() => this.coordinator);
      throw error;
    }
  };
  const joinAndSync = proto.joinAndSync;
  proto.joinAndSync = function (this: ConsumerGroupLike) {
    if (!this.memberId) this.memberId = current?.rejoinAs(this.groupId) ?? null;
    return joinAndSync.call(this);
  };
  return true;
}
