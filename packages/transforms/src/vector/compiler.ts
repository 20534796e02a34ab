// Compiles a VRL syntax tree to JavaScript closures, checking kinds and fallibility as Vector does.
import { type CallContext, expected, FUNCTIONS, type FunctionDef } from "./functions.js";
import { type Node, type PathNode, parse, type Segment, VrlCompileError } from "./parser.js";
import {
  deepClone,
  encodeTimestamps,
  getOwn,
  inheritedKey,
  isObject,
  type JsonObject,
  K,
  kindBit,
  kindNames,
  kindOf,
  setKey,
  VrlAbort,
  VrlError,
  VrlTimestamp,
  vrlEquals,
} from "./value.js";

/** The state one program run works on. */
export interface Ctx extends CallContext {
  root: JsonObject;
  vars: unknown[];
  /** Places that received a timestamp: encoded to text when the event leaves the program. */
  stamped: Array<(root: JsonObject) => JsonObject>;
}

type Ex = (c: Ctx) => unknown;

interface Compiled {
  readonly ev: Ex;
  readonly kind: number;
  /** Offset of an unhandled fallible expression inside, or -1. */
  readonly fallibleAt: number;
  /** May throw at run time (handled with `!`, abort, a non-object root...). */
  readonly raises: boolean;
  /** May change the event. */
  readonly mutates: boolean;
  /** May throw after having changed the event: the run then needs a snapshot to roll back. */
  readonly failsAfterMutation: boolean;
  /** May the value be or hold a timestamp? */
  readonly stamps: boolean;
  /** Is the value a new container nobody else references (no copy needed to store it)? */
  readonly fresh: boolean;
}

export interface Program {
  /** Runs on `ctx.root`; throws VrlError or VrlAbort. Returns the event's final root. */
  run(ctx: Ctx): JsonObject;
  readonly variables: number;
  /** True when a failure can follow a change to the event, so the caller must keep the original. */
  readonly needsSnapshot: boolean;
}

interface TypeState {
  event: Map<string, number>;
  vars: Map<string, number>;
}

const UNDEF: Ex = () => undefined;
const MAX_INDEX = 1 << 20;

export function compile(source: string): Program {
  const ast = parse(source);
  const slots = new Map<string, number>();
  const usesTimestamps = /\b(now|parse_timestamp)\s*!?\s*\(/.test(source);
  let state: TypeState = { event: new Map(), vars: new Map() };

  const slotOf = (name: string): number => {
    let slot = slots.get(name);
    if (slot === undefined) {
      slot = slots.size;
      slots.set(name, slot);
    }
    return slot;
  };

  const pathKey = (segs: readonly Segment[]): string => JSON.stringify(segs);

  function leaf(ev: Ex, kind: number, extra: Partial<Compiled> = {}): Compiled {
    return {
      ev,
      kind,
      fallibleAt: -1,
      raises: false,
      mutates: false,
      failsAfterMutation: false,
      stamps: false,
      fresh: false,
      ...extra,
    };
  }

  /** Flags of evaluating `parts` in order. */
  function sequence(
    parts: readonly Compiled[],
  ): Pick<Compiled, "fallibleAt" | "raises" | "mutates" | "failsAfterMutation"> {
    let fallibleAt = -1;
    let raises = false;
    let mutates = false;
    let failsAfterMutation = false;
    for (const part of parts) {
      if (fallibleAt < 0) fallibleAt = part.fallibleAt;
      if (part.failsAfterMutation || (mutates && part.raises)) failsAfterMutation = true;
      raises ||= part.raises;
      mutates ||= part.mutates;
    }
    return { fallibleAt, raises, mutates, failsAfterMutation };
  }

  function node(n: Node): Compiled {
    switch (n.t) {
      case "lit": {
        const v = n.value;
        const kind =
          typeof v === "number" ? (n.float || !Number.isInteger(v) ? K.FLOAT : K.INTEGER) : kindBit(v);
        return leaf(() => v, kind, { stamps: v instanceof VrlTimestamp });
      }
      case "path":
        return readPath(n);
      case "obj": {
        const parts = n.entries.map(([key, expr]) => [key, node(expr)] as const);
        const flags = sequence(parts.map(([, c]) => c));
        const evs = parts.map(([key, c]) => [key, storable(c)] as const);
        return leaf(
          (c) => {
            const out: JsonObject = {};
            for (let i = 0; i < evs.length; i++) setKey(out, evs[i]![0], evs[i]![1](c));
            return out;
          },
          K.OBJECT,
          { ...flags, stamps: parts.some(([, c]) => c.stamps), fresh: true },
        );
      }
      case "arr": {
        const parts = n.items.map(node);
        const evs = parts.map(storable);
        return leaf((c) => evs.map((ev) => ev(c)), K.ARRAY, {
          ...sequence(parts),
          stamps: parts.some((p) => p.stamps),
          fresh: true,
        });
      }
      case "block": {
        const parts: Compiled[] = [];
        for (const stmt of n.stmts) {
          const part = node(stmt);
          if (part.fallibleAt >= 0)
            throw new VrlCompileError(
              "unhandled fallible expression: handle its error with `!`, `??` or `value, err = …`",
              part.fallibleAt,
            );
          parts.push(part);
        }
        const evs = parts.map((p) => p.ev);
        const last = parts[parts.length - 1];
        const ev: Ex =
          evs.length === 0
            ? () => null
            : evs.length === 1
              ? evs[0]!
              : (c) => {
                  let result: unknown = null;
                  for (let i = 0; i < evs.length; i++) result = evs[i]!(c);
                  return result;
                };
        return leaf(ev, last?.kind ?? K.NULL, { ...sequence(parts), stamps: last?.stamps ?? false });
      }
      case "not": {
        const inner = node(n.expr);
        if ((inner.kind & K.BOOLEAN) === 0)
          throw new VrlCompileError(`\`!\` expects a boolean, got ${kindNames(inner.kind)}`, n.start);
        const checked = inner.kind !== K.BOOLEAN;
        const ev = inner.ev;
        return leaf(
          checked
            ? (c) => {
                const v = ev(c);
                if (typeof v !== "boolean") throw expected(K.BOOLEAN, v);
                return !v;
              }
            : (c) => !ev(c),
          K.BOOLEAN,
          {
            ...sequence([inner]),
            fallibleAt: inner.fallibleAt >= 0 ? inner.fallibleAt : checked ? n.start : -1,
            raises: inner.raises || checked,
          },
        );
      }
      case "bin":
        return binary(n);
      case "assign":
        return assign(n);
      case "if":
        return ifExpr(n);
      case "abort": {
        const message = n.message ? node(n.message) : undefined;
        const mev = message?.ev;
        return leaf(
          (c) => {
            const text = mev ? mev(c) : undefined;
            throw new VrlAbort(typeof text === "string" ? text : "aborted");
          },
          K.NULL,
          { ...sequence(message ? [message] : []), raises: true },
        );
      }
      case "call":
        return call(n);
      default:
        throw new VrlCompileError("unsupported expression", (n as Node).start);
    }
  }

  /** The value of `c`, copied when it may be referenced elsewhere (VRL values never alias). */
  function storable(c: Compiled): Ex {
    if (c.fresh || (c.kind & (K.OBJECT | K.ARRAY)) === 0) return c.ev;
    const ev = c.ev;
    return (ctx) => deepClone(ev(ctx));
  }

  function readPath(n: PathNode): Compiled {
    const segs = n.segs;
    let base: Ex;
    let kind: number;
    if (n.target === "event") {
      base = (c) => c.root;
      kind = segs.length === 0 ? K.OBJECT : (state.event.get(pathKey(segs)) ?? K.ANY);
    } else {
      if (!state.vars.has(n.name)) throw new VrlCompileError(`undefined variable \`${n.name}\``, n.start);
      const slot = slotOf(n.name);
      base = (c) => c.vars[slot];
      kind = segs.length === 0 ? state.vars.get(n.name)! : K.ANY;
    }
    return leaf(getter(base, segs), kind, { stamps: usesTimestamps });
  }

  function getter(base: Ex, segs: readonly Segment[]): Ex {
    if (segs.length === 0) return base;
    if (segs.length === 1 && typeof segs[0] === "string" && !inheritedKey(segs[0])) {
      const key = segs[0];
      return (c) => {
        const container = base(c) as JsonObject;
        if (container === null || typeof container !== "object" || Array.isArray(container)) return null;
        if (container instanceof VrlTimestamp) return null;
        const v = container[key];
        return v === undefined ? null : v;
      };
    }
    return (c) => {
      const v = walk(base(c), segs, segs.length);
      return v === undefined ? null : v;
    };
  }

  function assign(n: Extract<Node, { t: "assign" }>): Compiled {
    const value = node(n.value);
    if (n.err) {
      if (value.fallibleAt < 0)
        throw new VrlCompileError("unnecessary error assignment: the expression cannot fail", n.start);
    } else if (value.fallibleAt >= 0) {
      throw new VrlCompileError(
        "unhandled fallible assignment: handle its error with `!`, `??` or `value, err = …`",
        value.fallibleAt,
      );
    }
    if (n.target.target === "event" && n.target.segs.length === 0 && (value.kind & K.OBJECT) === 0)
      throw new VrlCompileError(
        `the event root can only be an object, got ${kindNames(value.kind)}`,
        n.start,
      );
    const fallback = defaultFor(value.kind);
    const set = setter(n.target, value.stamps);
    const setErr = n.err ? setter(n.err, false) : undefined;
    const ev = storable(value);
    const rootCheck = n.target.target === "event" && n.target.segs.length === 0 && value.kind !== K.OBJECT;
    const flags = sequence([value]);
    const mutates = flags.mutates || n.target.target === "event" || n.err?.target === "event";
    const raises = (n.err ? false : flags.raises) || rootCheck;
    let run: Ex;
    if (setErr) {
      run = (c) => {
        let v: unknown;
        try {
          v = ev(c);
        } catch (error) {
          if (error instanceof VrlAbort || !(error instanceof Error)) throw error;
          set(c, fallback());
          setErr(c, error.message);
          return fallback();
        }
        set(c, v);
        setErr(c, null);
        return v;
      };
    } else {
      run = (c) => {
        const v = ev(c);
        set(c, v);
        return v;
      };
    }
    // Record the targets' kinds for the statements that follow.
    record(n.target, n.err ? value.kind | kindBit(fallback()) : value.kind);
    if (n.err) record(n.err, K.BYTES | K.NULL);
    return leaf(run, value.kind, {
      fallibleAt: -1,
      raises,
      mutates,
      failsAfterMutation: flags.failsAfterMutation || (flags.mutates && rootCheck),
      stamps: value.stamps,
    });
  }

  function record(target: PathNode, kind: number): void {
    if (target.target === "var") {
      slotOf(target.name);
      if (target.segs.length === 0) state.vars.set(target.name, kind);
      else state.vars.set(target.name, (state.vars.get(target.name) ?? K.NULL) | K.OBJECT | K.ARRAY);
      return;
    }
    const key = pathKey(target.segs);
    const prefix = key.slice(0, -1);
    for (const existing of [...state.event.keys()])
      if (
        existing === key ||
        existing.startsWith(`${prefix},`) ||
        (target.segs.length === 0 && existing !== "[]")
      )
        state.event.delete(existing);
    // Ancestors of an assigned path are now containers.
    for (let i = 1; i < target.segs.length; i++) {
      const ancestor = pathKey(target.segs.slice(0, i));
      state.event.set(ancestor, typeof target.segs[i] === "number" ? K.ARRAY : K.OBJECT);
    }
    if (target.segs.length > 0) state.event.set(key, kind);
  }

  /** A closure storing a value at `target`. */
  function setter(target: PathNode, stamps: boolean): (c: Ctx, v: unknown) => void {
    const segs = target.segs;
    const finish = stamps ? stampFinisher(segs) : undefined;
    if (target.target === "var") {
      const slot = slotOf(target.name);
      if (segs.length === 0)
        return (c, v) => {
          c.vars[slot] = v;
        };
      return (c, v) => {
        c.vars[slot] = insert(c.vars[slot], segs, 0, v);
      };
    }
    if (segs.length === 0)
      return (c, v) => {
        if (!isObject(v)) throw new VrlError(`the event root can only be an object, got ${kindOf(v)}`);
        c.root = v;
        if (finish && v !== null && typeof v === "object") c.stamped.push(finish);
      };
    if (segs.length === 1 && typeof segs[0] === "string") {
      const key = segs[0];
      const unsafe = inheritedKey(key);
      return (c, v) => {
        if (unsafe) setKey(c.root, key, v);
        else c.root[key] = v;
        if (finish && (v instanceof VrlTimestamp || (v !== null && typeof v === "object")))
          c.stamped.push(finish);
      };
    }
    return (c, v) => {
      c.root = insert(c.root, segs, 0, v) as JsonObject;
      if (finish && (v instanceof VrlTimestamp || (v !== null && typeof v === "object")))
        c.stamped.push(finish);
    };
  }

  function stampFinisher(segs: readonly Segment[]): (root: JsonObject) => JsonObject {
    if (segs.length === 0) return (root) => encodeTimestamps(root) as JsonObject;
    return (root) => {
      const parent = walk(root, segs, segs.length - 1);
      const last = segs[segs.length - 1]!;
      if (parent === undefined || parent === null || typeof parent !== "object") return root;
      const index = Array.isArray(parent) && typeof last === "number" ? resolveIndex(parent, last) : -1;
      const current =
        index >= 0
          ? (parent as unknown[])[index]
          : typeof last === "string" && isObject(parent)
            ? getOwn(parent, last)
            : undefined;
      if (current instanceof VrlTimestamp) {
        if (index >= 0) (parent as unknown[])[index] = current.toString();
        else setKey(parent as JsonObject, last as string, current.toString());
      } else if (current !== null && typeof current === "object") encodeTimestamps(current);
      return root;
    };
  }

  function binary(n: Extract<Node, { t: "bin" }>): Compiled {
    const l = node(n.l);
    const saved = cloneState(state);
    const r = node(n.r);
    const le = l.ev;
    const re = r.ev;
    const flags = sequence([l, r]);
    switch (n.op) {
      case "??": {
        if (l.fallibleAt < 0) {
          // Vector refuses an unnecessary `??`; the right side would never run.
          throw new VrlCompileError("unnecessary error coalescing: the left side cannot fail", n.start);
        }
        state = mergeStates(saved, state);
        return leaf(
          (c) => {
            try {
              return le(c);
            } catch (error) {
              if (error instanceof VrlAbort || !(error instanceof Error)) throw error;
              return re(c);
            }
          },
          l.kind | r.kind,
          { ...flags, fallibleAt: r.fallibleAt, stamps: l.stamps || r.stamps },
        );
      }
      case "==":
        return leaf((c) => vrlEquals(le(c), re(c)), K.BOOLEAN, flags);
      case "!=":
        return leaf((c) => !vrlEquals(le(c), re(c)), K.BOOLEAN, flags);
      case "||": {
        // VRL: a null or false left side gives the right side; any other left side is the result.
        state = mergeStates(saved, state);
        return leaf(
          (c) => {
            const v = le(c);
            return v === null || v === undefined || v === false ? re(c) : v;
          },
          (l.kind & ~K.NULL) | r.kind,
          { ...flags, stamps: l.stamps || r.stamps },
        );
      }
      case "&&": {
        state = mergeStates(saved, state);
        // The left side must be a boolean (null counts as false); when it holds, the right side is the result.
        const lcheck = (l.kind & ~(K.BOOLEAN | K.NULL)) !== 0;
        if ((l.kind & (K.BOOLEAN | K.NULL)) === 0)
          throw new VrlCompileError(`\`&&\` expects a boolean, got ${kindNames(l.kind)}`, n.l.start);
        return leaf(
          (c) => {
            const v = le(c);
            if (v === null || v === undefined || v === false) return false;
            if (v !== true) throw expected(K.BOOLEAN | K.NULL, v);
            return re(c);
          },
          K.BOOLEAN | r.kind,
          {
            ...flags,
            fallibleAt: flags.fallibleAt >= 0 ? flags.fallibleAt : lcheck ? n.l.start : -1,
            raises: flags.raises || lcheck,
          },
        );
      }
      default:
        return arithmetic(n, l, r, flags);
    }
  }

  function arithmetic(
    n: Extract<Node, { t: "bin" }>,
    l: Compiled,
    r: Compiled,
    flags: ReturnType<typeof sequence>,
  ): Compiled {
    const le = l.ev;
    const re = r.ev;
    const NUM = K.INTEGER | K.FLOAT;
    const op = n.op;
    const strings = op === "+" && l.kind === K.BYTES && r.kind === K.BYTES;
    const numbers = (l.kind & ~NUM) === 0 && (r.kind & ~NUM) === 0;
    const compare = op === "<" || op === "<=" || op === ">" || op === ">=";
    const fallible =
      !(strings || (numbers && op !== "/")) &&
      !(compare && ((l.kind === K.BYTES && r.kind === K.BYTES) || numbers));
    const ev: Ex = (c) => {
      const a = le(c);
      const b = re(c);
      const bothNum = typeof a === "number" && typeof b === "number";
      const bothStr = typeof a === "string" && typeof b === "string";
      switch (op) {
        case "+":
          if (bothNum) return a + b;
          if (bothStr) return a + b;
          break;
        case "-":
          if (bothNum) return a - b;
          break;
        case "*":
          if (bothNum) return a * b;
          break;
        case "/":
          if (bothNum) {
            if (b === 0) throw new VrlError("can't divide by zero");
            return a / b;
          }
          break;
        case "<":
          if (bothNum || bothStr) return (a as number) < (b as number);
          break;
        case "<=":
          if (bothNum || bothStr) return (a as number) <= (b as number);
          break;
        case ">":
          if (bothNum || bothStr) return (a as number) > (b as number);
          break;
        case ">=":
          if (bothNum || bothStr) return (a as number) >= (b as number);
          break;
        default:
          break;
      }
      throw new VrlError(`can't apply \`${op}\` to ${kindOf(a)} and ${kindOf(b)}`);
    };
    const kind = compare
      ? K.BOOLEAN
      : strings
        ? K.BYTES
        : op === "/"
          ? K.FLOAT
          : numbers
            ? l.kind | r.kind
            : K.ANY;
    return leaf(ev, kind, {
      ...flags,
      fallibleAt: flags.fallibleAt >= 0 ? flags.fallibleAt : fallible ? n.start : -1,
      raises: flags.raises || fallible,
    });
  }

  function ifExpr(n: Extract<Node, { t: "if" }>): Compiled {
    const cond = node(n.cond);
    if (cond.kind !== K.BOOLEAN)
      throw new VrlCompileError(
        `if-statement predicate must be a boolean, got ${kindNames(cond.kind)}`,
        n.cond.start,
      );
    const before = cloneState(state);
    const then = node(n.then);
    const afterThen = state;
    state = cloneState(before);
    const otherwise = n.else ? node(n.else) : undefined;
    state = mergeStates(afterThen, state);
    const ce = cond.ev;
    const te = then.ev;
    const ee = otherwise?.ev;
    const branches = sequence(otherwise ? [then, otherwise] : [then]);
    return leaf(
      ee ? (c) => (ce(c) === true ? te(c) : ee(c)) : (c) => (ce(c) === true ? te(c) : null),
      then.kind | (otherwise?.kind ?? K.NULL),
      {
        fallibleAt: cond.fallibleAt >= 0 ? cond.fallibleAt : branches.fallibleAt,
        raises: cond.raises || branches.raises,
        mutates: cond.mutates || branches.mutates,
        failsAfterMutation:
          cond.failsAfterMutation ||
          then.failsAfterMutation ||
          (otherwise?.failsAfterMutation ?? false) ||
          (cond.mutates && branches.raises),
        stamps: then.stamps || (otherwise?.stamps ?? false),
      },
    );
  }

  function call(n: Extract<Node, { t: "call" }>): Compiled {
    if (n.name === "del" || n.name === "exists") return queryCall(n);
    const def: FunctionDef | undefined = Object.hasOwn(FUNCTIONS, n.name) ? FUNCTIONS[n.name] : undefined;
    if (!def) throw new VrlCompileError(`call to undefined function \`${n.name}\``, n.start);
    const bound: Array<Compiled | undefined> = new Array(def.params.length).fill(undefined);
    const order: Compiled[] = [];
    let positional = 0;
    for (const arg of n.args) {
      let index: number;
      if (arg.name !== undefined) {
        index = def.params.findIndex((p) => p.name === arg.name);
        if (index < 0)
          throw new VrlCompileError(
            `unknown function argument \`${arg.name}\` for \`${n.name}\``,
            arg.expr.start,
          );
      } else {
        index = positional++;
        while (index < def.params.length && bound[index] !== undefined) index = positional++;
        if (index >= def.params.length)
          throw new VrlCompileError(
            `function argument arity mismatch: \`${n.name}\` takes ${def.params.length}`,
            arg.expr.start,
          );
      }
      if (bound[index] !== undefined)
        throw new VrlCompileError(`argument \`${def.params[index]!.name}\` given twice`, arg.expr.start);
      const compiled = node(arg.expr);
      const param = def.params[index]!;
      if ((compiled.kind & param.kind) === 0)
        throw new VrlCompileError(
          `invalid argument type: \`${param.name}\` of \`${n.name}\` expects ${kindNames(param.kind)}, got ${kindNames(compiled.kind)}`,
          arg.expr.start,
        );
      if (param.oneOf) {
        const literal = arg.expr.t === "lit" ? arg.expr.value : undefined;
        if (typeof literal !== "string" || !param.oneOf.includes(literal))
          throw new VrlCompileError(
            `invalid enum variant for \`${param.name}\`: expected one of ${param.oneOf.map((v) => JSON.stringify(v)).join(", ")}`,
            arg.expr.start,
          );
      }
      bound[index] = compiled;
      order.push(compiled);
    }
    def.params.forEach((param, i) => {
      if (param.required && bound[i] === undefined)
        throw new VrlCompileError(`required argument \`${param.name}\` of \`${n.name}\` is missing`, n.start);
    });
    const kinds = bound.map((b) => b?.kind ?? K.NULL);
    const needsCheck = def.params.map((p, i) => bound[i] !== undefined && (bound[i]!.kind & ~p.kind) !== 0);
    const ownFallible = def.fallible(kinds) || needsCheck.some(Boolean);
    const flags = sequence(order);
    if (n.abort && !ownFallible)
      throw new VrlCompileError(`can't abort infallible function \`${n.name}\`: remove the \`!\``, n.nameEnd);
    const label = `function call error for "${n.name}" at (${n.start}:${n.end}): `;
    const evs = def.params.map((p, i) => {
      const b = bound[i];
      if (!b) return UNDEF;
      const ev = b.ev;
      if (!needsCheck[i]) return ev;
      const kind = p.kind;
      return (c: Ctx) => {
        const v = ev(c);
        if ((kindBit(v) & kind) === 0) throw expected(kind, v);
        return v;
      };
    });
    const [a0 = UNDEF, a1 = UNDEF, a2 = UNDEF] = evs;
    const impl = def.impl;
    let ev: Ex;
    if (!ownFallible) {
      ev = (c) => impl(a0(c), a1(c), a2(c), c);
    } else {
      ev = (c) => {
        try {
          return impl(a0(c), a1(c), a2(c), c);
        } catch (error) {
          throw relabel(error, label);
        }
      };
    }
    return leaf(ev, def.returnKind(kinds), {
      ...flags,
      fallibleAt: flags.fallibleAt >= 0 ? flags.fallibleAt : ownFallible && !n.abort ? n.start : -1,
      raises: flags.raises || ownFallible,
      failsAfterMutation: flags.failsAfterMutation || (flags.mutates && ownFallible),
      stamps: def.returnsTimestamp ? def.returnsTimestamp(bound.map((b) => b?.stamps ?? false)) : false,
      fresh: true,
    });
  }

  function queryCall(n: Extract<Node, { t: "call" }>): Compiled {
    if (n.abort)
      throw new VrlCompileError(`can't abort infallible function \`${n.name}\`: remove the \`!\``, n.nameEnd);
    if (
      n.args.length !== 1 ||
      (n.args[0]!.name !== undefined && n.args[0]!.name !== (n.name === "del" ? "path" : "field"))
    )
      throw new VrlCompileError(`\`${n.name}\` takes exactly one path argument`, n.start);
    const target = n.args[0]!.expr;
    if (target.t !== "path")
      throw new VrlCompileError(`\`${n.name}\` expects a path, like \`.field\``, target.start);
    if (target.target === "var" && !state.vars.has(target.name))
      throw new VrlCompileError(`undefined variable \`${target.name}\``, target.start);
    const segs = target.segs;
    const base: Ex =
      target.target === "event"
        ? (c) => c.root
        : (
            (slot) => (c: Ctx) =>
              c.vars[slot]
          )(slotOf(target.name));
    if (n.name === "exists") {
      return leaf((c) => {
        if (segs.length === 0) return true;
        const parent = walk(base(c), segs, segs.length - 1);
        return has(parent, segs[segs.length - 1]!);
      }, K.BOOLEAN);
    }
    const kind = target.target === "event" ? (state.event.get(pathKey(segs)) ?? K.ANY) : K.ANY;
    const isEvent = target.target === "event";
    const slot = isEvent ? -1 : slotOf(target.name);
    if (isEvent) record(target, K.NULL);
    return leaf(
      (c) => {
        if (segs.length === 0) {
          if (isEvent) {
            const removed = c.root;
            c.root = {};
            return removed;
          }
          const removed = c.vars[slot];
          c.vars[slot] = null;
          return removed ?? null;
        }
        const parent = walk(base(c), segs, segs.length - 1);
        return remove(parent, segs[segs.length - 1]!) ?? null;
      },
      kind,
      { mutates: isEvent, stamps: usesTimestamps, fresh: true },
    );
  }

  const main = node(ast);
  const ev = main.ev;
  return {
    variables: slots.size,
    needsSnapshot: main.failsAfterMutation,
    run(c: Ctx): JsonObject {
      ev(c);
      let root = c.root;
      const stamped = c.stamped;
      for (let i = 0; i < stamped.length; i++) root = stamped[i]!(root);
      return root;
    },
  };
}

function relabel(error: unknown, label: string): unknown {
  if (error instanceof VrlError) return new VrlError(label + error.message);
  if (error instanceof VrlAbort) return error;
  // An engine error (a stack overflow, ...) is still this call's failure, never a crash of the stage.
  if (error instanceof Error) return new VrlError(label + error.message);
  return error;
}

function cloneState(s: TypeState): TypeState {
  return { event: new Map(s.event), vars: new Map(s.vars) };
}

/** The state after one of two branches ran: kinds known in both, unions of them. */
function mergeStates(a: TypeState, b: TypeState): TypeState {
  const event = new Map<string, number>();
  for (const [key, kind] of a.event) {
    const other = b.event.get(key);
    if (other !== undefined) event.set(key, kind | other);
  }
  const vars = new Map<string, number>();
  for (const [name, kind] of a.vars) vars.set(name, kind | (b.vars.get(name) ?? K.NULL));
  for (const [name, kind] of b.vars) if (!vars.has(name)) vars.set(name, kind | K.NULL);
  return { event, vars };
}

/** The value `x` gets in `x, err = f()` when f fails: the default of f's kind. */
function defaultFor(kind: number): () => unknown {
  switch (kind) {
    case K.BYTES:
      return () => "";
    case K.INTEGER:
    case K.FLOAT:
      return () => 0;
    case K.BOOLEAN:
      return () => false;
    case K.OBJECT:
      return () => ({});
    case K.ARRAY:
      return () => [];
    default:
      return () => null;
  }
}

function resolveIndex(array: readonly unknown[], index: number): number {
  const i = index < 0 ? array.length + index : index;
  return i >= 0 && i < array.length ? i : -1;
}

/** The value `count` segments down from `value`; undefined when missing. Own properties only. */
function walk(value: unknown, segs: readonly Segment[], count: number): unknown {
  let current = value;
  for (let i = 0; i < count; i++) {
    const seg = segs[i]!;
    if (typeof seg === "number") {
      if (!Array.isArray(current)) return undefined;
      const index = resolveIndex(current, seg);
      if (index < 0) return undefined;
      current = current[index];
    } else {
      if (!isObject(current) || !Object.hasOwn(current, seg)) return undefined;
      current = current[seg];
    }
  }
  return current;
}

function has(parent: unknown, seg: Segment): boolean {
  if (typeof seg === "number") return Array.isArray(parent) && resolveIndex(parent, seg) >= 0;
  return isObject(parent) && Object.hasOwn(parent, seg);
}

function remove(parent: unknown, seg: Segment): unknown {
  if (typeof seg === "number") {
    if (!Array.isArray(parent)) return undefined;
    const index = resolveIndex(parent, seg);
    if (index < 0) return undefined;
    return parent.splice(index, 1)[0];
  }
  if (!isObject(parent) || !Object.hasOwn(parent, seg)) return undefined;
  const removed = parent[seg];
  delete parent[seg];
  return removed;
}

/**
 * Stores `v` at `segs[from..]` under `container`, creating objects and arrays on the way (VRL replaces a
 * scalar in the way, and pads arrays with null). Returns the (possibly new) container.
 */
function insert(container: unknown, segs: readonly Segment[], from: number, v: unknown): unknown {
  const top = from === segs.length ? v : undefined;
  if (from === segs.length) return top;
  let root = container;
  const firstSeg = segs[from]!;
  root = ensure(root, firstSeg);
  let current = root as JsonObject | unknown[];
  for (let i = from; i < segs.length; i++) {
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    if (typeof seg === "number") {
      const array = current as unknown[];
      let index = seg < 0 ? array.length + seg : seg;
      if (index < 0) {
        // Before the start: VRL prepends nulls so the index exists.
        if (-index > MAX_INDEX) throw new VrlError(`index ${seg} is out of range`);
        array.unshift(...new Array(-index).fill(null));
        index = 0;
      }
      if (index > MAX_INDEX) throw new VrlError(`index ${seg} is out of range`);
      while (array.length < index) array.push(null);
      if (last) {
        array[index] = v;
        return root;
      }
      const next = ensure(array[index], segs[i + 1]!);
      array[index] = next;
      current = next as JsonObject | unknown[];
    } else {
      const object = current as JsonObject;
      if (last) {
        setKey(object, seg, v);
        return root;
      }
      const next = ensure(getOwn(object, seg), segs[i + 1]!);
      setKey(object, seg, next);
      current = next as JsonObject | unknown[];
    }
  }
  return root;
}

function ensure(value: unknown, seg: Segment): JsonObject | unknown[] {
  if (typeof seg === "number") return Array.isArray(value) ? value : [];
  return isObject(value) ? value : {};
}

export { VrlCompileError };
