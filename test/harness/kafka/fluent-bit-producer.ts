// The Fluent Bit producer fixture: kcat (librdkafka) with the seed's producer settings.
import { spawn } from "node:child_process";
import { once } from "node:events";

/** Fluent Bit's kafka output settings from the seed: kcat with them sends exactly Fluent Bit's bytes. */
export const FLUENT_BIT_PRODUCER_SETTINGS = {
  "batch.size": "65536",
  "compression.level": "6",
  "linger.ms": "0",
  acks: "1",
  "message.max.bytes": "2097152",
} as const;

export interface ProduceOptions {
  brokers: string;
  topic: string;
  messages: ReadonlyArray<string | Buffer>;
  compression?: "lz4" | "snappy" | "gzip" | "zstd" | "none";
  partition?: number;
  key?: string;
  /** Message delimiter on kcat's stdin (default newline); messages may not contain it. */
  delimiter?: string;
}

/** Produces every message with kcat; resolves once kcat exited 0 with every delivery confirmed. */
export async function produceWithKcat(options: ProduceOptions): Promise<void> {
  const delimiter = options.delimiter ?? "\n";
  const delimiterBytes = Buffer.from(delimiter);
  const args = ["-P", "-b", options.brokers, "-t", options.topic, "-z", options.compression ?? "lz4"];
  for (const [name, value] of Object.entries(FLUENT_BIT_PRODUCER_SETTINGS))
    args.push("-X", `${name}=${value}`);
  if (options.partition !== undefined) args.push("-p", String(options.partition));
  if (options.key !== undefined) args.push("-k", options.key);
  if (delimiter !== "\n") args.push("-D", delimiter);
  for (const [i, message] of options.messages.entries()) {
    const bytes = typeof message === "string" ? Buffer.from(message) : message;
    if (bytes.includes(delimiterBytes))
      throw new Error(`message ${i} contains the delimiter ${JSON.stringify(delimiter)}; pick another one`);
  }

  const child = spawn("kcat", args, { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => resolve(code));
  });
  // Write in chunks, honouring stdin's backpressure.
  let chunk: Buffer[] = [];
  let size = 0;
  for (const message of options.messages) {
    const bytes = typeof message === "string" ? Buffer.from(message) : message;
    chunk.push(bytes, delimiterBytes);
    size += bytes.length + delimiterBytes.length;
    if (size >= 1 << 20) {
      if (!child.stdin.write(Buffer.concat(chunk))) await once(child.stdin, "drain");
      chunk = [];
      size = 0;
    }
  }
  child.stdin.end(Buffer.concat(chunk));
  const code = await exited;
  if (code !== 0 || /Delivery failed|% ERROR/.test(stderr))
    throw new Error(`kcat exited ${code} producing to ${options.topic}: ${stderr.trim()}`);
}
