// A Dockerfile read into its build stages and instructions, enough to check the rules an image must follow.
import { readFileSync } from "node:fs";

/** One instruction: its keyword in upper case and the rest of its logical line. */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** A `FROM` and the instructions up to the next one. */
export interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  /** The `ARG`s before the first `FROM`, which a `FROM` line may use. */
  readonly globalArgs: readonly Instruction[];
  readonly stages: readonly Stage[];
}

/** Reads `path`: comments dropped, lines continued with a trailing backslash joined. */
export function readDockerfile(path: string): Dockerfile {
  const logical: string[] = [];
  let pending = "";
  for (const raw of readFileSync(path, "utf8").split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.startsWith("#")) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(`${pending}${line}`.trim());
    pending = "";
  }
  if (pending !== "") logical.push(pending.trim());

  const globalArgs: Instruction[] = [];
  const stages: Array<{ from: string; name: string | undefined; instructions: Instruction[] }> = [];
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const instruction = { keyword: match[1]!.toUpperCase(), args: match[2]! };
    if (instruction.keyword === "FROM") {
      const [from, as, name] = instruction.args.split(/\s+/);
      stages.push({ from: from!, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
    } else if (stages.length === 0) globalArgs.push(instruction);
    else stages.at(-1)!.instructions.push(instruction);
  }
  return { globalArgs, stages };
}

/** The instructions of `stage` with `keyword`. */
export function instructions(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/** The JSON array of an exec-form instruction (`ENTRYPOINT ["node", …]`), or an error for the shell form. */
export function execForm(instruction: Instruction): string[] {
  const value: unknown = JSON.parse(instruction.args);
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    throw new Error(`${instruction.keyword} ${instruction.args} is not in exec form`);
  return value;
}

/** The variables an `ENV` or `ARG` instruction sets or declares (`A=1 B=2`, `A 1`, `ARG A`). */
export function names(instruction: Instruction): string[] {
  if (!instruction.args.includes("=")) return [instruction.args.split(/\s+/)[0]!];
  return [...instruction.args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]!);
}
