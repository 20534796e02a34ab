// ListOffsets by timestamp, which the mock cannot answer (it says -1 for any time): the front reads the
// partition's record offsets and timestamps with kcat and answers as a broker's time index would.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { Reader, Writer } from "./wire.js";

export interface TimestampQuery {
  topic: string;
  partition: number;
  timestamp: bigint;
}

export interface TimestampAnswer {
  /** The first offset whose record timestamp is >= the time asked, or -1 when there is none. */
  offset: bigint;
  /** That record's timestamp, or -1. */
  timestamp: bigint;
}

/**
 * The partitions of a ListOffsets request (v1–v5) that ask for a time (>= 0); -1 (latest), -2
 * (earliest) and the other special values stay the mock's. v0 (a list of offsets) is never rewritten.
 */
export function timestampQueries(body: Buffer, version: number): TimestampQuery[] {
  if (version < 1 || version > 5) return [];
  const reader = new Reader(body);
  reader.int32(); // replica_id
  if (version >= 2) reader.int8(); // isolation_level
  const queries: TimestampQuery[] = [];
  for (const topic of reader.array((r) => ({
    name: r.string(),
    partitions: r.array((p) => {
      const partition = p.int32();
      if (version >= 4) p.int32(); // current_leader_epoch
      return { partition, timestamp: p.int64() };
    }),
  })))
    for (const { partition, timestamp } of topic.partitions)
      if (timestamp >= 0n) queries.push({ topic: topic.name, partition, timestamp });
  return queries;
}

/**
 * The mock's ListOffsets response with the asked-for times answered. A partition the mock answered
 * with an error (unknown, not the leader) keeps that error.
 */
export async function answerTimestamps(
  body: Buffer,
  version: number,
  queries: readonly TimestampQuery[],
  lookup: (query: TimestampQuery) => Promise<TimestampAnswer>,
): Promise<Buffer> {
  const reader = new Reader(body);
  const throttle = version >= 2 ? reader.int32() : undefined;
  const topics = reader.array((r) => ({
    name: r.string(),
    partitions: r.array((p) => ({
      partition: p.int32(),
      errorCode: p.int16(),
      timestamp: p.int64(),
      offset: p.int64(),
      leaderEpoch: version >= 4 ? p.int32() : undefined,
    })),
  }));
  for (const topic of topics)
    for (const partition of topic.partitions) {
      const query = queries.find((q) => q.topic === topic.name && q.partition === partition.partition);
      if (!query || partition.errorCode !== 0) continue;
      Object.assign(partition, await lookup(query));
    }
  const writer = new Writer();
  if (throttle !== undefined) writer.int32(throttle);
  writer.array(topics, (w, topic) =>
    w.string(topic.name).array(topic.partitions, (pw, p) => {
      pw.int32(p.partition).int16(p.errorCode).int64(p.timestamp).int64(p.offset);
      if (p.leaderEpoch !== undefined) pw.int32(p.leaderEpoch);
    }),
  );
  return writer.raw(reader.rest()).toBuffer();
}

/**
 * Kafka's answer for one partition, exactly: the first record in offset order whose timestamp is >= the
 * time asked (what a broker's time index, built on each batch's max timestamp, leads to). kcat reads
 * the partition from the start (librdkafka decodes every codec) and is stopped at the first match.
 */
export function offsetForTimestamp(
  bootstrap: string,
  query: TimestampQuery,
  children: Set<ReturnType<typeof spawn>>,
): Promise<TimestampAnswer> {
  const { topic, partition, timestamp } = query;
  const args = ["-C", "-q", "-e", "-b", bootstrap, "-t", topic, "-p", String(partition)];
  // kcat itself turns the two characters \n of the format into a newline. The mock holds a fetch at
  // the end of a partition for fetch.wait.max.ms (500 ms by default) before kcat sees the end.
  args.push("-o", "beginning", "-f", "%o %T\\n", "-X", "fetch.wait.max.ms=1");
  const child = spawn("kcat", args, { stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise<TimestampAnswer>((resolve, reject) => {
    let answer: TimestampAnswer | undefined;
    createInterface({ input: child.stdout }).on("line", (line) => {
      const [offset, time] = line.split(" ").map((s) => BigInt(s));
      if (answer || time === undefined || time < timestamp) return;
      answer = { offset: offset!, timestamp: time };
      child.kill();
    });
    child.once("error", reject);
    // "close", not "exit": stdout may still hold lines when the process has exited.
    child.once("close", (code) => {
      children.delete(child);
      if (answer) resolve(answer);
      else if (code === 0) resolve({ offset: -1n, timestamp: -1n });
      else reject(new Error(`kcat exited ${code} reading ${topic}/${partition}: ${stderr.trim()}`));
    });
  });
}
