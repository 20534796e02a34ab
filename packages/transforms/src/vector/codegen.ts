// The code generator: turns each checked node into a JavaScript closure, one function per node kind.
import type {
  AbortNode,
  ArrayNode,
  AssignNode,
  BinaryNode,
  BlockNode,
  CallNode,
  IfNode,
  LiteralNode,
  Node,
  NotNode,
  ObjectNode,
  PathNode,
  Segment,
} from "./ast.js";
import { type CheckedProgram, defaultValue, type Facts } from "./check.js";
import { type CallContext, expected } from "./functions.js";
import { has, insert, remove, resolveIndex, walk } from "./paths.js";
import {
  deepClone,
  encodeTimestamps,
  getOwn,
  inheritedKey,
  isObject,
  type JsonObject,
  Kind,
  kindBit,
  kindDescription,
  kindOf,
  setKey,
  VrlAbort,
  VrlError,
  VrlTimestamp,
  vrlEquals,
} from "./value.js";

/** The state one program run works on. */
export interface RunContext extends CallContext {
  root: JsonObject;
  variables: unknown[];
  /** Places that received a timestamp: encoded to text when the event leaves the program. */
  stamped: Array<(root: JsonObject) => JsonObject>;
}

/** A compiled expression: evaluates it in a run. */
export type Evaluate = (run: RunContext) => unknown;
type Store = (run: RunContext, value: unknown) => void;

const UNDEFINED: Evaluate = () => undefined;

/** The program's closure: runs it on `run.root` and returns the value of its last statement. */
export function generate(program: Node, checked: CheckedProgram): Evaluate {
  return new Generator(checked, program.kind === "block" ? (program.source ?? "") : "").node(program);
}

class Generator {
  constructor(
    private readonly checked: CheckedProgram,
    private readonly source: string,
  ) {}

  /** VRL reports positions as UTF-8 byte offsets. */
  private byteOffset(offset: number): number {
    return Buffer.byteLength(this.source.slice(0, offset));
  }

  node(node: Node): Evaluate {
    switch (node.kind) {
      case "literal":
        return this.literal(node);
      case "path":
        return this.path(node);
      case "object":
        return this.object(node);
      case "array":
        return this.array(node);
      case "block":
        return this.block(node);
      case "not":
        return this.not(node);
      case "binary":
        return this.binary(node);
      case "assign":
        return this.assign(node);
      case "if":
        return this.ifElse(node);
      case "abort":
        return this.abort(node);
      case "call":
        if (node.name === "exists") return this.exists(node);
        if (node.name === "del") return this.del(node);
        return this.call(node);
    }
  }

  private facts(node: Node): Facts {
    return this.checked.facts(node);
  }

  /** The value of `node`, copied when it may be referenced elsewhere (VRL values never alias). */
  private storable(node: Node): Evaluate {
    const evaluate = this.node(node);
    const facts = this.facts(node);
    if (facts.fresh || (facts.kind & (Kind.OBJECT | Kind.ARRAY)) === 0) return evaluate;
    return (run) => deepClone(evaluate(run));
  }

  /**
   * `node`'s value, copied when one of the expressions evaluated after it may change the event: VRL reads
   * a value, never a reference to where it lives (`. + del(.a)` adds the object as it was).
   */
  private snapshot(node: Node, later: ReadonlyArray<Node | undefined>): Evaluate {
    const evaluate = this.node(node);
    const changed = later.some((other) => other !== undefined && this.facts(other).mutates);
    if (!changed || (this.facts(node).kind & (Kind.OBJECT | Kind.ARRAY)) === 0) return evaluate;
    return (run) => deepClone(evaluate(run));
  }

  private literal(node: LiteralNode): Evaluate {
    const value = node.value;
    return () => value;
  }

  private base(path: PathNode): Evaluate {
    if (path.target === "event") return (run) => run.root;
    const slot = this.checked.slot(path.variable);
    return (run) => run.variables[slot];
  }

  private path(node: PathNode): Evaluate {
    const base = this.base(node);
    const segments = node.segments;
    if (segments.length === 0) return base;
    if (segments.length === 1 && typeof segments[0] === "string" && !inheritedKey(segments[0])) {
      const key = segments[0];
      return (run) => {
        const container = base(run) as JsonObject;
        if (container === null || typeof container !== "object" || Array.isArray(container)) return null;
        if (container instanceof VrlTimestamp) return null;
        const value = container[key];
        return value === undefined ? null : value;
      };
    }
    return (run) => {
      const value = walk(base(run), segments, segments.length);
      return value === undefined ? null : value;
    };
  }

  private object(node: ObjectNode): Evaluate {
    // VRL keeps an object literal's entries by key: a repeated key's earlier values are checked but never
    // evaluated, and the entries evaluate in key order (UTF-8 byte order).
    const byKey = [...new Map(node.entries)].sort(([a], [b]) =>
      Buffer.compare(Buffer.from(a), Buffer.from(b)),
    );
    const entries = byKey.map(([key, value]) => [key, this.storable(value)] as const);
    return (run) => {
      const out: JsonObject = {};
      for (let i = 0; i < entries.length; i++) setKey(out, entries[i]![0], entries[i]![1](run));
      return out;
    };
  }

  private array(node: ArrayNode): Evaluate {
    const items = node.items.map((item) => this.storable(item));
    return (run) => items.map((item) => item(run));
  }

  private block(node: BlockNode): Evaluate {
    const statements = node.statements.map((statement) => this.node(statement));
    if (statements.length === 0) return () => null;
    if (statements.length === 1) return statements[0]!;
    return (run) => {
      let result: unknown = null;
      for (let i = 0; i < statements.length; i++) result = statements[i]!(run);
      return result;
    };
  }

  private not(node: NotNode): Evaluate {
    const operand = this.node(node.operand);
    if (this.facts(node.operand).kind === Kind.BOOLEAN) return (run) => !operand(run);
    return (run) => {
      const value = operand(run);
      if (typeof value !== "boolean") throw expected(Kind.BOOLEAN, value);
      return !value;
    };
  }

  private binary(node: BinaryNode): Evaluate {
    const left = this.snapshot(node.left, [node.right]);
    const right = this.node(node.right);
    switch (node.operator) {
      case "??":
        return (run) => {
          try {
            return left(run);
          } catch (error) {
            if (error instanceof VrlAbort || !(error instanceof Error)) throw error;
            return right(run);
          }
        };
      case "==":
        return (run) => vrlEquals(left(run), right(run));
      case "!=":
        return (run) => !vrlEquals(left(run), right(run));
      case "||":
        return (run) => {
          const value = left(run);
          if (value !== null && value !== undefined && value !== false) return value;
          try {
            return right(run);
          } catch (error) {
            // VRL words a failure of the right side as the operator's own.
            if (error instanceof VrlError)
              throw new VrlError(`can't apply an OR to these types - ${error.message}`);
            throw error;
          }
        };
      case "&&":
        // As VRL: a null or false left side is false; otherwise both sides must be booleans (null counts as false).
        return (run) => {
          const value = left(run);
          if (value === null || value === undefined || value === false) return false;
          const other = right(run);
          if (value !== true || (other !== null && other !== undefined && typeof other !== "boolean"))
            throw new VrlError(
              `can't apply an AND to types ${kindDescription(value)} and ${kindDescription(other)}`,
            );
          if (other === null || other === undefined) return false;
          return other;
        };
      default:
        return arithmetic(node.operator, left, right);
    }
  }

  private assign(node: AssignNode): Evaluate {
    const value = this.storable(node.value);
    const facts = this.facts(node.value);
    const store = this.store(node.target, facts.stamps);
    if (!node.errorTarget) {
      return (run) => {
        const v = value(run);
        store(run, v);
        return v;
      };
    }
    const storeError = this.store(node.errorTarget, false);
    const kind = facts.kind;
    return (run) => {
      let v: unknown;
      try {
        v = value(run);
      } catch (error) {
        if (error instanceof VrlAbort || !(error instanceof Error)) throw error;
        store(run, defaultValue(kind));
        storeError(run, error.message);
        // As VRL: the assignment's value is then the error message.
        return error.message;
      }
      store(run, v);
      storeError(run, null);
      return v;
    };
  }

  /** A closure storing a value at `target`; `stamps` when the value may hold a timestamp. */
  private store(target: PathNode, stamps: boolean): Store {
    const segments = target.segments;
    const finish = stamps ? stampFinisher(segments) : undefined;
    if (target.target === "variable") {
      const slot = this.checked.slot(target.variable);
      if (segments.length === 0)
        return (run, v) => {
          run.variables[slot] = v;
        };
      return (run, v) => {
        run.variables[slot] = insert(run.variables[slot], segments, 0, v);
      };
    }
    if (segments.length === 0)
      return (run, v) => {
        if (!isObject(v)) throw new VrlError(`the event root can only be an object, got ${kindOf(v)}`);
        run.root = v;
        if (finish && v !== null && typeof v === "object") run.stamped.push(finish);
      };
    if (segments.length === 1 && typeof segments[0] === "string") {
      const key = segments[0];
      const unsafe = inheritedKey(key);
      return (run, v) => {
        if (unsafe) setKey(run.root, key, v);
        else run.root[key] = v;
        if (finish && (v instanceof VrlTimestamp || (v !== null && typeof v === "object")))
          run.stamped.push(finish);
      };
    }
    return (run, v) => {
      run.root = insert(run.root, segments, 0, v) as JsonObject;
      if (finish && (v instanceof VrlTimestamp || (v !== null && typeof v === "object")))
        run.stamped.push(finish);
    };
  }

  private ifElse(node: IfNode): Evaluate {
    const condition = this.node(node.condition);
    const then = this.node(node.then);
    if (!node.otherwise) return (run) => (condition(run) === true ? then(run) : null);
    const otherwise = this.node(node.otherwise);
    return (run) => (condition(run) === true ? then(run) : otherwise(run));
  }

  private abort(node: AbortNode): Evaluate {
    const message = node.message ? this.node(node.message) : undefined;
    return (run) => {
      const text = message ? message(run) : undefined;
      throw new VrlAbort(typeof text === "string" ? text : "aborted");
    };
  }

  private call(node: CallNode): Evaluate {
    const { def, args, checkAtRun, fallible } = this.checked.binding(node);
    const label = `function call error for "${node.name}" at (${this.byteOffset(node.start)}:${this.byteOffset(node.end)}): `;
    // VRL labels every error raised inside the call with it, its arguments' included.
    const raises = fallible || args.some((arg) => arg !== undefined && this.facts(arg).raises);
    const evaluators = def.params.map((param, i) => {
      const arg = args[i];
      if (!arg) return UNDEFINED;
      const evaluate = this.snapshot(arg, args.slice(i + 1));
      if (!checkAtRun[i]) return evaluate;
      const kind = param.kind;
      return (run: RunContext) => {
        const v = evaluate(run);
        if ((kindBit(v) & kind) === 0) throw param.mismatch ? param.mismatch(v) : expected(kind, v);
        return v;
      };
    });
    const [first = UNDEFINED, second = UNDEFINED, third = UNDEFINED] = evaluators;
    const impl = def.impl;
    if (!raises) return (run) => impl(first(run), second(run), third(run), run);
    return (run) => {
      try {
        return impl(first(run), second(run), third(run), run);
      } catch (error) {
        throw relabel(error, label);
      }
    };
  }

  private exists(node: CallNode): Evaluate {
    const target = node.args[0]!.value as PathNode;
    const base = this.base(target);
    const segments = target.segments;
    return (run) => {
      if (segments.length === 0) return true;
      const parent = walk(base(run), segments, segments.length - 1);
      return has(parent, segments[segments.length - 1]!);
    };
  }

  private del(node: CallNode): Evaluate {
    const target = node.args[0]!.value as PathNode;
    const base = this.base(target);
    const segments = target.segments;
    const isEvent = target.target === "event";
    const slot = isEvent ? -1 : this.checked.slot(target.variable);
    const compact = node.args[1] ? this.node(node.args[1].value) : undefined;
    return (run) => {
      if (segments.length === 0) {
        if (isEvent) {
          const removed = run.root;
          run.root = {};
          return removed;
        }
        const removed = run.variables[slot];
        run.variables[slot] = null;
        return removed ?? null;
      }
      const parent = walk(base(run), segments, segments.length - 1);
      const removed = remove(parent, segments[segments.length - 1]!) ?? null;
      if (compact?.(run) === true) compactUp(base(run), segments);
      return removed;
    };
  }
}

/** del's `compact`: containers left empty above a deleted path are deleted too, up to the root. */
function compactUp(base: unknown, segments: readonly Segment[]): void {
  for (let depth = segments.length - 1; depth > 0; depth--) {
    const container = walk(base, segments, depth);
    const empty = Array.isArray(container)
      ? container.length === 0
      : isObject(container) && Object.keys(container).length === 0;
    if (!empty) return;
    remove(walk(base, segments, depth - 1), segments[depth - 1]!);
  }
}

/** `+ - * /` and the orderings, on the kinds VRL applies them to. */
function arithmetic(op: string, left: Evaluate, right: Evaluate): Evaluate {
  return (run) => {
    const a = left(run);
    const b = right(run);
    const bothNumbers = typeof a === "number" && typeof b === "number";
    switch (op) {
      case "+":
        if (bothNumbers) return a + b;
        // VRL: text plus null is the text.
        if (typeof a === "string" && (typeof b === "string" || b === null)) return b === null ? a : a + b;
        if (a === null && typeof b === "string") return b;
        break;
      case "-":
        if (bothNumbers) return a - b;
        break;
      case "*":
        if (bothNumbers) return a * b;
        // VRL repeats text an integer number of times (none when negative).
        if (typeof a === "string" && Number.isInteger(b)) return repeat(a, b as number);
        if (typeof b === "string" && Number.isInteger(a)) return repeat(b, a as number);
        break;
      case "/":
        if (bothNumbers) {
          if (b === 0) throw new VrlError("can't divide by zero");
          return a / b;
        }
        break;
      default: {
        const order = compare(a, b);
        if (order === undefined) break;
        if (op === "<") return order < 0;
        if (op === "<=") return order <= 0;
        if (op === ">") return order > 0;
        return order >= 0;
      }
    }
    throw operatorError(op, a, b);
  };
}

/** VRL's messages for operators applied to kinds they do not take, word for word. */
function operatorError(op: string, a: unknown, b: unknown): VrlError {
  const [l, r] = [kindDescription(a), kindDescription(b)];
  switch (op) {
    case "+":
      return new VrlError(`can't add type ${r} to ${l}`);
    case "-":
      return new VrlError(`can't subtract type ${r} from ${l}`);
    case "*":
      return new VrlError(`can't multiply type ${l} by ${r}`);
    case "/":
      return new VrlError(`can't divide type ${l} by ${r}`);
    default:
      // A text or a timestamp on the left asks for the same on the right; VRL's other mismatches reuse
      // the messages of other operators.
      if (typeof a === "string") return new VrlError(`expected string, got ${r}`);
      if (a instanceof VrlTimestamp) return new VrlError(`expected timestamp, got ${r}`);
      if (op === ">") return new VrlError(`can't calculate remainder of type ${l} and ${r}`);
      return new VrlError(`can't compare ${l} >= ${r}`);
  }
}

/** Unlike VRL, a bound on what one `*` may build: a repeated text holds at most this many characters. */
const MAX_REPEATED = 16 * 1024 * 1024;

function repeat(text: string, times: number): string {
  if (times <= 0) return "";
  if (text.length * times > MAX_REPEATED)
    throw new VrlError(`can't repeat a string to more than ${MAX_REPEATED} characters`);
  return text.repeat(times);
}

/** The order of two numbers, two texts (by code point, as VRL compares UTF-8 bytes) or two timestamps. */
function compare(a: unknown, b: unknown): number | undefined {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b);
  if (a instanceof VrlTimestamp && b instanceof VrlTimestamp)
    return a.ms !== b.ms ? a.ms - b.ms : a.nanos - b.nanos;
  return undefined;
}

/** UTF-16 order differs from code point order only where a surrogate meets a unit above them. */
function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const rank = (unit: number): number =>
      unit >= 0xd800 && unit < 0xe000 ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit;
    return rank(x) - rank(y);
  }
  return a.length - b.length;
}

/** Encodes, as the event leaves the program, the timestamps stored at `segments`. */
function stampFinisher(segments: readonly Segment[]): (root: JsonObject) => JsonObject {
  if (segments.length === 0) return (root) => encodeTimestamps(root) as JsonObject;
  return (root) => {
    const parent = walk(root, segments, segments.length - 1);
    const last = segments[segments.length - 1]!;
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

function relabel(error: unknown, label: string): unknown {
  if (error instanceof VrlError) return new VrlError(label + error.message);
  if (error instanceof VrlAbort) return error;
  // An engine error (a stack overflow, ...) is still this call's failure, never a crash of the stage.
  if (error instanceof Error) return new VrlError(label + error.message);
  return error;
}
