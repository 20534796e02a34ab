// Bench mode's bulk answer: every item accepted (201) without its document parsed or stored, and the
// response written as text straight away, so the emulator costs the benchmarks as little as it can.
import { filterPath } from "./filter-path.js";

const NEWLINE = 0x0a;
/** `{"create":{"_index":"x","_id":"y"}}`, names without escapes. */
const PLAIN_ACTION = /^\{"(create|index|update|delete)":\{"_index":"([^"\\]*)"(?:,"_id":"([^"\\]*)")?\}\}$/;

interface Item {
  op: string;
  index: string;
  id: string | undefined;
}

/**
 * The items of a bulk body when bench mode can answer them all with 201, or undefined when the general
 * path must (a line that is not an action, an action without an index): that path has the errors.
 */
export function acceptedItems(body: Buffer, defaultIndex: string | undefined): Item[] | undefined {
  if (body.length === 0 || body[body.length - 1] !== NEWLINE) return undefined;
  const items: Item[] = [];
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
    const line = body.toString("utf8", start, end);
    // The usual action line, read without a parse; anything else goes through JSON.parse.
    const plain = PLAIN_ACTION.exec(line);
    if (plain) {
      items.push({ op: plain[1]!, index: plain[2]!, id: plain[3] });
      expectAction = plain[1] === "delete";
      continue;
    }
    let action: unknown;
    try {
      action = JSON.parse(line);
    } catch {
      return undefined;
    }
    if (action === null || typeof action !== "object") return undefined;
    const op = Object.keys(action)[0];
    if (op !== "create" && op !== "index" && op !== "update" && op !== "delete") return undefined;
    const meta = (action as Record<string, { _index?: unknown; _id?: unknown } | undefined>)[op] ?? {};
    const index = typeof meta._index === "string" ? meta._index : defaultIndex;
    if (index === undefined) return undefined;
    items.push({ op, index, id: meta._id === undefined ? undefined : String(meta._id) });
    expectAction = op === "delete";
  }
  return expectAction ? items : undefined;
}

function itemBody(item: Item): Record<string, unknown> {
  return { _index: item.index, _id: item.id ?? "auto", _version: 1, result: "created", status: 201 };
}

/**
 * The response JSON, `filter_path` applied: worked out on one item per operation, then each item is
 * written from the keys that survive (one shared string per operation when none of them is its own).
 */
export function acceptedResponse(items: Item[], took: number, filterParam: string | null): string {
  if (!filterParam)
    return JSON.stringify({
      took,
      errors: false,
      items: items.map((item) => ({ [item.op]: itemBody(item) })),
    });
  const shapes = new Map<string, { keys: string[]; constant: string | undefined } | null>();
  const parts: string[] = [];
  for (const item of items) {
    let shape = shapes.get(item.op);
    if (shape === undefined) {
      const sample = filterPath({ items: [{ [item.op]: itemBody(item) }] }, filterParam) as {
        items?: Array<Record<string, Record<string, unknown>>>;
      };
      const kept = sample.items?.[0];
      const keys = Object.keys(kept?.[item.op] ?? {});
      shape = kept
        ? {
            keys,
            constant: keys.includes("_index") || keys.includes("_id") ? undefined : JSON.stringify(kept),
          }
        : null;
      shapes.set(item.op, shape);
    }
    if (shape === null) continue;
    if (shape.constant !== undefined) {
      parts.push(shape.constant);
      continue;
    }
    const full = itemBody(item);
    const picked: Record<string, unknown> = {};
    for (const key of shape.keys) picked[key] = full[key];
    parts.push(JSON.stringify({ [item.op]: picked }));
  }
  const top = JSON.stringify(filterPath({ took, errors: false }, filterParam));
  if (parts.length === 0) return top;
  return `${top === "{}" ? "{" : `${top.slice(0, -1)},`}"items":[${parts.join(",")}]}`;
}
