// Bench mode's bulk answer: every item accepted (201) without its document parsed or stored, and the
// response written as text straight away, so the emulator costs the benchmarks as little as it can.
import { filterPath } from "./filter-path.js";

const NEWLINE = 0x0a;
const OPS = ["create", "index", "update", "delete"] as const;
type Op = (typeof OPS)[number];
/** `{"<op>":{"_index":"`: an action line naming its index, known without a parse. */
const PLAIN_PREFIX = new Map(OPS.map((op) => [op, Buffer.from(`{"${op}":{"_index":"`)]));
/** `{"create":{"_index":"x","_id":"y"}}`, names without escapes. */
const PLAIN_ACTION = /^\{"(?:create|index|update|delete)":\{"_index":"([^"\\]*)"(?:,"_id":"([^"\\]*)")?\}\}$/;

/** A bulk body's action lines, each read only as far as the answer needs. */
export class AcceptedItems {
  readonly ops: Op[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  constructor(
    private readonly body: Buffer,
    private readonly defaultIndex: string | undefined,
  ) {}

  get length(): number {
    return this.ops.length;
  }

  add(op: Op, start: number, end: number): void {
    this.ops.push(op);
    this.starts.push(start);
    this.ends.push(end);
  }

  /** Item i's index and id, parsed from its action line. */
  meta(i: number): { index: string; id: string | undefined } {
    const line = this.body.toString("utf8", this.starts[i], this.ends[i]);
    const plain = PLAIN_ACTION.exec(line);
    if (plain) return { index: plain[1]!, id: plain[2] };
    const action = JSON.parse(line) as Record<string, { _index?: unknown; _id?: unknown }>;
    const meta = action[this.ops[i]!] ?? {};
    return {
      index: typeof meta._index === "string" ? meta._index : this.defaultIndex!,
      id: meta._id === undefined ? undefined : String(meta._id),
    };
  }
}

/**
 * The items of a bulk body when bench mode can answer them all with 201, or undefined when the general
 * path must (a line that is not an action, an action without an index): that path has the errors.
 */
export function acceptedItems(body: Buffer, defaultIndex: string | undefined): AcceptedItems | undefined {
  if (body.length === 0 || body[body.length - 1] !== NEWLINE) return undefined;
  const items = new AcceptedItems(body, defaultIndex);
  let pos = 0;
  let expectAction = true;
  while (pos < body.length) {
    const end = body.indexOf(NEWLINE, pos);
    const start = pos;
    pos = end + 1;
    if (end === start || (end === start + 1 && body[start] === 0x0d)) continue;
    if (!expectAction) {
      expectAction = true;
      continue;
    }
    const op = plainOp(body, start, end) ?? parsedOp(body, start, end, defaultIndex);
    if (op === undefined) return undefined;
    items.add(op, start, end);
    expectAction = op === "delete";
  }
  return expectAction ? items : undefined;
}

/** The operation of an action line that starts `{"<op>":{"_index":"`, read from its bytes. */
function plainOp(body: Buffer, start: number, end: number): Op | undefined {
  if (body[start] !== 0x7b || body[start + 1] !== 0x22) return undefined;
  const op = OPS.find((o) => body[start + 2] === o.charCodeAt(0) && body[start + 2 + o.length] === 0x22);
  const prefix = op && PLAIN_PREFIX.get(op)!;
  if (!prefix || end - start < prefix.length + 3) return undefined;
  for (let i = 2; i < prefix.length; i++) if (body[start + i] !== prefix[i]) return undefined;
  return op;
}

/** The operation of any other action line, when it is one and has an index. */
function parsedOp(
  body: Buffer,
  start: number,
  end: number,
  defaultIndex: string | undefined,
): Op | undefined {
  let action: unknown;
  try {
    action = JSON.parse(body.toString("utf8", start, end));
  } catch {
    return undefined;
  }
  if (action === null || typeof action !== "object") return undefined;
  const op = Object.keys(action)[0] as Op | undefined;
  if (!op || !OPS.includes(op)) return undefined;
  const meta = (action as Record<string, { _index?: unknown } | undefined>)[op] ?? {};
  return typeof meta._index === "string" || defaultIndex !== undefined ? op : undefined;
}

function itemBody(meta: { index: string; id: string | undefined }): Record<string, unknown> {
  return { _index: meta.index, _id: meta.id ?? "auto", _version: 1, result: "created", status: 201 };
}

/**
 * The response JSON, `filter_path` applied: worked out on one item per operation, then each item is
 * written from the keys that survive (one shared string per operation when none of them is its own).
 */
export function acceptedResponse(items: AcceptedItems, took: number, filterParam: string | null): string {
  const all = Array.from({ length: items.length }, (_, i) => i);
  if (!filterParam)
    return JSON.stringify({
      took,
      errors: false,
      items: all.map((i) => ({ [items.ops[i]!]: itemBody(items.meta(i)) })),
    });
  const shapes = new Map<Op, { keys: string[]; constant: string | undefined } | null>();
  const parts: string[] = [];
  for (const i of all) {
    const op = items.ops[i]!;
    let shape = shapes.get(op);
    if (shape === undefined) {
      const sample = filterPath({ items: [{ [op]: itemBody(items.meta(i)) }] }, filterParam) as {
        items?: Array<Record<string, Record<string, unknown>>>;
      };
      const kept = sample.items?.[0];
      const keys = Object.keys(kept?.[op] ?? {});
      const ownValues = keys.includes("_index") || keys.includes("_id");
      shape = kept ? { keys, constant: ownValues ? undefined : JSON.stringify(kept) } : null;
      shapes.set(op, shape);
    }
    if (shape === null) continue;
    if (shape.constant !== undefined) {
      parts.push(shape.constant);
      continue;
    }
    const full = itemBody(items.meta(i));
    const picked: Record<string, unknown> = {};
    for (const key of shape.keys) picked[key] = full[key];
    parts.push(JSON.stringify({ [op]: picked }));
  }
  const top = JSON.stringify(filterPath({ took, errors: false }, filterParam));
  if (parts.length === 0) return top;
  return `${top === "{}" ? "{" : `${top.slice(0, -1)},`}"items":[${parts.join(",")}]}`;
}
