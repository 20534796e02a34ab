// The parent's handle on a contestant process (contestant-process.ts): one round at a time.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { repoRoot, scriptArgv } from "./child.js";
import type { Round } from "./contestants.js";

export interface RoundResult {
  seconds: number;
  /** Sluice's adaptive bulk concurrency at the end of the round. */
  concurrency?: number;
}

export class Contestant {
  private readonly child;
  private readonly answers: AsyncIterator<string>;
  private output = "";

  private readonly closed: Promise<void>;

  /**
   * `name` is the contestant's (contestants.ts); `nodeArgs`, Node's own flags for its process. `root`: the
   * checkout whose code it runs (with its own node_modules), this one by default; `env`: variables added
   * to this process's; `onLine`: every other line it writes to stdout (e.g. V8's `--trace-gc`).
   */
  constructor(
    readonly name: string,
    readonly nodeArgs: readonly string[] = [],
    options: { root?: string; env?: Record<string, string>; onLine?: (line: string) => void } = {},
  ) {
    this.child = spawn(
      process.execPath,
      scriptArgv("bench/lib/contestant-process.ts", { nodeArgs, args: [name] }),
      {
        cwd: options.root ?? repoRoot,
        env: { ...process.env, ...options.env },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    this.child.stderr.on("data", (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-4000);
    });
    const lines = createInterface({ input: this.child.stdout });
    const { onLine } = options;
    if (onLine)
      lines.on("line", (line) => {
        if (!line.startsWith("ROUND ")) onLine(line);
      });
    this.closed = new Promise((resolve) => lines.once("close", resolve));
    this.answers = lines[Symbol.asyncIterator]();
  }

  async round(round: Round): Promise<RoundResult> {
    this.child.stdin.write(`${JSON.stringify(round)}\n`);
    for (;;) {
      const next = await this.answers.next();
      if (next.done) throw new Error(`contestant ${this.name} exited:\n${this.output}`);
      if (next.value.startsWith("ROUND ")) return JSON.parse(next.value.slice(6)) as RoundResult;
    }
  }

  /** Ends the process; resolves once it exited and everything it wrote to stdout was read. */
  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin.end();
    await Promise.all([exited, this.closed]);
  }
}
