// The checker: walks the syntax tree in evaluation order, as Vector's type checker does, and works out
// each node's kind and fallibility, refusing what Vector refuses; the code generator reads its facts.
import {
  type AbortNode,
  type ArrayNode,
  type AssignNode,
  type BinaryNode,
  type BlockNode,
  type CallNode,
  childrenOf,
  type IfNode,
  type LiteralNode,
  type Node,
  type NotNode,
  type ObjectNode,
  type PathNode,
  type Segment,
  VrlCompileError,
} from "./ast.js";
import { FUNCTIONS, type FunctionDef } from "./functions.js";
import { containerFor, TypeState } from "./type-state.js";
import { Kind, kindBit, kindNames, VrlTimestamp } from "./value.js";

/** What the checker found out about one expression. */
export interface Facts {
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

/** How a call's arguments meet its function's parameters. */
export interface CallBinding {
  readonly def: FunctionDef;
  /** The argument given for each parameter, in parameter order. */
  readonly args: ReadonlyArray<Node | undefined>;
  /** Parameters whose argument's kind must be checked when the program runs. */
  readonly checkAtRun: readonly boolean[];
  /** The call itself may fail (not counting failures inside its arguments). */
  readonly fallible: boolean;
}

export interface CheckedProgram {
  facts(node: Node): Facts;
  binding(node: CallNode): CallBinding;
  /** The slot of a variable in the run's variable array. */
  slot(variable: string): number;
  readonly variables: number;
}

type Flow = Pick<Facts, "fallibleAt" | "raises" | "mutates" | "failsAfterMutation">;

const UNHANDLED = "handle its error with `!`, `??` or `value, err = …`";

function facts(kind: number, extra: Partial<Facts> = {}): Facts {
  return {
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

/** The flow facts of evaluating `parts` in order. */
function sequence(parts: readonly Facts[]): Flow {
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

/**
 * Whether the program can create a timestamp: a timestamp literal, or a call to a function that returns
 * one from arguments holding none (`now`, `parse_timestamp`). Only then do reads and deletions of
 * unknown values have to be tracked as possibly holding one.
 */
export function createsTimestamps(node: Node): boolean {
  if (node.kind === "literal") return node.value instanceof VrlTimestamp;
  if (node.kind === "call") {
    const def = Object.hasOwn(FUNCTIONS, node.name) ? FUNCTIONS[node.name] : undefined;
    if (def?.returnsTimestamp?.(def.params.map(() => false))) return true;
  }
  return childrenOf(node).some(createsTimestamps);
}

/** Checks a parsed program; throws VrlCompileError at the first problem Vector would refuse. */
export function check(program: Node): CheckedProgram {
  return new Checker(createsTimestamps(program)).run(program);
}

class Checker {
  private state = TypeState.empty();
  private readonly slots = new Map<string, number>();
  private readonly known = new Map<Node, Facts>();
  private readonly bindings = new Map<CallNode, CallBinding>();

  constructor(private readonly timestamps: boolean) {}

  run(program: Node): CheckedProgram {
    this.visit(program);
    const { known, bindings, slots } = this;
    return {
      facts: (node) => known.get(node)!,
      binding: (node) => bindings.get(node)!,
      slot: (variable) => slots.get(variable)!,
      variables: slots.size,
    };
  }

  private slotOf(variable: string): void {
    if (!this.slots.has(variable)) this.slots.set(variable, this.slots.size);
  }

  private visit(node: Node): Facts {
    const result = this.factsOf(node);
    this.known.set(node, result);
    return result;
  }

  private factsOf(node: Node): Facts {
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
        return node.name === "del" || node.name === "exists" ? this.pathQuery(node) : this.call(node);
    }
  }

  private literal(node: LiteralNode): Facts {
    const v = node.value;
    const kind =
      typeof v === "number" ? (node.float || !Number.isInteger(v) ? Kind.FLOAT : Kind.INTEGER) : kindBit(v);
    return facts(kind, { stamps: v instanceof VrlTimestamp });
  }

  private path(node: PathNode): Facts {
    let kind: number;
    if (node.target === "event") kind = this.state.eventKind(node.segments);
    else {
      if (!this.state.isDefined(node.variable))
        throw new VrlCompileError(`undefined variable \`${node.variable}\``, node.start);
      this.slotOf(node.variable);
      const whole = this.state.variableKind(node.variable);
      if (node.segments.length === 0) kind = whole;
      else kind = (whole & containerFor(node.segments[0]!)) === 0 ? Kind.UNDEFINED : Kind.ANY;
    }
    return facts(kind, { stamps: this.timestamps });
  }

  private object(node: ObjectNode): Facts {
    const parts = node.entries.map(([, value]) => this.visit(value));
    return facts(Kind.OBJECT, { ...sequence(parts), stamps: parts.some((p) => p.stamps), fresh: true });
  }

  private array(node: ArrayNode): Facts {
    const parts = node.items.map((item) => this.visit(item));
    return facts(Kind.ARRAY, { ...sequence(parts), stamps: parts.some((p) => p.stamps), fresh: true });
  }

  private block(node: BlockNode): Facts {
    const parts: Facts[] = [];
    for (const statement of node.statements) {
      const part = this.visit(statement);
      if (part.fallibleAt >= 0)
        throw new VrlCompileError(`unhandled fallible expression: ${UNHANDLED}`, part.fallibleAt);
      parts.push(part);
    }
    const last = parts[parts.length - 1];
    return facts(last?.kind ?? Kind.NULL, { ...sequence(parts), stamps: last?.stamps ?? false });
  }

  private not(node: NotNode): Facts {
    const operand = this.visit(node.operand);
    // VRL refuses a negation unless the operand is known to be a boolean, never checking it at run time.
    if (operand.kind !== Kind.BOOLEAN)
      throw new VrlCompileError(`\`!\` expects a boolean, got ${kindNames(operand.kind)}`, node.start);
    return facts(Kind.BOOLEAN, sequence([operand]));
  }

  private binary(node: BinaryNode): Facts {
    const left = this.visit(node.left);
    const beforeRight = this.state.clone();
    const right = this.visit(node.right);
    const flow = sequence([left, right]);
    switch (node.operator) {
      case "??":
        if (left.fallibleAt < 0) {
          // Vector refuses an unnecessary `??`; the right side would never run.
          throw new VrlCompileError("unnecessary error coalescing: the left side cannot fail", node.start);
        }
        this.state = TypeState.merge(beforeRight, this.state);
        return facts(left.kind | right.kind, {
          ...flow,
          fallibleAt: right.fallibleAt,
          stamps: left.stamps || right.stamps,
        });
      case "==":
      case "!=":
        return facts(Kind.BOOLEAN, flow);
      case "||": {
        // VRL: a null or false left side gives the right side; any other left side is the result.
        this.state = TypeState.merge(beforeRight, this.state);
        const constant = literalValue(node.left);
        if (left.kind === Kind.NULL || constant === false) return { ...right, ...flow, fresh: false };
        // A left side that can never be null or false decides alone: the right side's failures never happen.
        if ((left.kind & (Kind.NULL | Kind.BOOLEAN)) === 0 || constant === true)
          return { ...left, fresh: false };
        return facts((left.kind & ~Kind.NULL) | right.kind, { ...flow, stamps: left.stamps || right.stamps });
      }
      case "&&": {
        this.state = TypeState.merge(beforeRight, this.state);
        const constant = literalValue(node.left);
        // A null or false left side is false without the right side; a literal true gives the right side's checks.
        if (left.kind === Kind.NULL || constant === false)
          return facts(Kind.BOOLEAN, { ...sequence([left]), raises: left.raises });
        const either = Kind.BOOLEAN | Kind.NULL;
        const unchecked = constant !== true && ((left.kind & ~either) !== 0 || (right.kind & ~either) !== 0);
        const at = flow.fallibleAt >= 0 ? flow.fallibleAt : unchecked ? node.left.start : -1;
        return facts(Kind.BOOLEAN, { ...flow, fallibleAt: at, raises: true });
      }
      default:
        return arithmetic(node, left, right, flow);
    }
  }

  private assign(node: AssignNode): Facts {
    const value = this.visit(node.value);
    const { target, errorTarget } = node;
    if (errorTarget) {
      if (value.fallibleAt < 0)
        throw new VrlCompileError("unnecessary error assignment: the expression cannot fail", node.start);
    } else if (value.fallibleAt >= 0) {
      throw new VrlCompileError(`unhandled fallible assignment: ${UNHANDLED}`, value.fallibleAt);
    }
    this.parentsAccept(target);
    if (errorTarget) this.parentsAccept(errorTarget);
    const toRoot = target.target === "event" && target.segments.length === 0;
    if (toRoot && (value.kind & Kind.OBJECT) === 0)
      throw new VrlCompileError(
        `the event root can only be an object, got ${kindNames(value.kind)}`,
        node.start,
      );
    if (target.target === "variable") this.slotOf(target.variable);
    if (errorTarget?.target === "variable") this.slotOf(errorTarget.variable);
    const rootCheck = toRoot && value.kind !== Kind.OBJECT;
    const flow = sequence([value]);
    // Record the targets' kinds for the statements that follow.
    // `. = .` changes nothing VRL knows of the event.
    const selfAssign =
      toRoot &&
      node.value.kind === "path" &&
      node.value.target === "event" &&
      node.value.segments.length === 0;
    if (!selfAssign)
      this.state.record(target, errorTarget ? value.kind | kindBit(defaultValue(value.kind)) : value.kind);
    if (errorTarget) this.state.record(errorTarget, Kind.BYTES | Kind.NULL);
    else if (target.target === "event") this.recordEntries(target.segments, node.value);
    // `ok, err = …` is worth the error message when it fails.
    return facts(errorTarget ? value.kind | kindBit(defaultValue(value.kind)) | Kind.BYTES : value.kind, {
      raises: (errorTarget ? false : flow.raises) || rootCheck,
      mutates: flow.mutates || target.target === "event" || errorTarget?.target === "event",
      failsAfterMutation: flow.failsAfterMutation || (flow.mutates && rootCheck),
      stamps: value.stamps,
    });
  }

  /**
   * VRL refuses to assign below a parent it knows to be neither an object (for a field) nor an array (for
   * an index): `x = 1` then `x.a = 2`.
   */
  private parentsAccept(target: PathNode): void {
    const { segments } = target;
    for (let i = 0; i < segments.length; i++) {
      let parent: number;
      if (target.target === "event") parent = this.state.eventKind(segments.slice(0, i));
      else if (i === 0)
        parent = this.state.isDefined(target.variable) ? this.state.variableKind(target.variable) : Kind.ANY;
      else break;
      const wanted = typeof segments[i] === "number" ? Kind.ARRAY : Kind.OBJECT;
      if ((parent & wanted) === 0)
        throw new VrlCompileError(
          `parent path segment rejects this mutation: it holds ${kindNames(parent)}, not ${kindNames(wanted)}`,
          target.start,
        );
    }
  }

  /** An object literal stored at an event path: its entries' kinds are known there, as in Vector. */
  private recordEntries(segments: readonly Segment[], value: Node): void {
    if (value.kind !== "object") return;
    this.state.close(segments);
    for (const [key, entry] of value.entries) {
      const path: PathNode = {
        kind: "path",
        target: "event",
        variable: "",
        segments: [...segments, key],
        start: entry.start,
        end: entry.end,
      };
      this.state.record(path, this.known.get(entry)!.kind);
      this.recordEntries(path.segments, entry);
    }
  }

  private ifElse(node: IfNode): Facts {
    const condition = this.visit(node.condition);
    if (condition.kind !== Kind.BOOLEAN)
      throw new VrlCompileError(
        `if-statement predicate must be a boolean, got ${kindNames(condition.kind)}`,
        node.condition.start,
      );
    const before = this.state.clone();
    const then = this.visit(node.then);
    const afterThen = this.state;
    this.state = before.clone();
    const otherwise = node.otherwise ? this.visit(node.otherwise) : undefined;
    this.state = TypeState.merge(afterThen, this.state);
    const branches = sequence(otherwise ? [then, otherwise] : [then]);
    return facts(then.kind | (otherwise?.kind ?? Kind.NULL), {
      fallibleAt: condition.fallibleAt >= 0 ? condition.fallibleAt : branches.fallibleAt,
      raises: condition.raises || branches.raises,
      mutates: condition.mutates || branches.mutates,
      failsAfterMutation:
        condition.failsAfterMutation ||
        then.failsAfterMutation ||
        (otherwise?.failsAfterMutation ?? false) ||
        (condition.mutates && branches.raises),
      stamps: then.stamps || (otherwise?.stamps ?? false),
    });
  }

  private abort(node: AbortNode): Facts {
    const message = node.message ? this.visit(node.message) : undefined;
    return facts(Kind.NULL, { ...sequence(message ? [message] : []), raises: true });
  }

  private call(node: CallNode): Facts {
    const def = Object.hasOwn(FUNCTIONS, node.name) ? FUNCTIONS[node.name] : undefined;
    if (!def) throw new VrlCompileError(`call to undefined function \`${node.name}\``, node.start);
    const { params } = def;
    const args: Array<Node | undefined> = new Array(params.length).fill(undefined);
    const bound: Array<Facts | undefined> = new Array(params.length).fill(undefined);
    const inOrder: Facts[] = [];
    let positional = 0;
    for (const arg of node.args) {
      let index: number;
      if (arg.name !== undefined) {
        index = params.findIndex((p) => p.name === arg.name);
        if (index < 0)
          throw new VrlCompileError(
            `unknown function argument \`${arg.name}\` for \`${node.name}\``,
            arg.value.start,
          );
      } else {
        index = positional++;
        while (index < params.length && bound[index] !== undefined) index = positional++;
        if (index >= params.length)
          throw new VrlCompileError(
            `function argument arity mismatch: \`${node.name}\` takes ${params.length}`,
            arg.value.start,
          );
      }
      if (bound[index] !== undefined)
        throw new VrlCompileError(`argument \`${params[index]!.name}\` given twice`, arg.value.start);
      const argument = this.visit(arg.value);
      // VRL wants arguments' failures handled before the call, whatever handles the call's own.
      if (argument.fallibleAt >= 0)
        throw new VrlCompileError(`fallible argument: ${UNHANDLED}`, arg.value.start);
      const param = params[index]!;
      if ((argument.kind & accepted(param.kind)) === 0)
        throw new VrlCompileError(
          `invalid argument type: \`${param.name}\` of \`${node.name}\` expects ${kindNames(param.kind)}, got ${kindNames(argument.kind)}`,
          arg.value.start,
        );
      if (param.oneOf) {
        const literal = arg.value.kind === "literal" ? arg.value.value : undefined;
        if (typeof literal !== "string" || !param.oneOf.includes(literal))
          throw new VrlCompileError(
            `invalid enum variant for \`${param.name}\`: expected one of ${param.oneOf.map((v) => JSON.stringify(v)).join(", ")}`,
            arg.value.start,
          );
      }
      bound[index] = argument;
      args[index] = arg.value;
      inOrder.push(argument);
    }
    params.forEach((param, i) => {
      if (param.required && bound[i] === undefined)
        throw new VrlCompileError(
          `required argument \`${param.name}\` of \`${node.name}\` is missing`,
          node.start,
        );
    });
    const kinds = bound.map((b) => b?.kind ?? Kind.NULL);
    const checkAtRun = params.map(
      (p, i) => bound[i] !== undefined && (bound[i]!.kind & ~accepted(p.kind)) !== 0,
    );
    const literals = args.map((arg) => (arg?.kind === "literal" ? arg.value : undefined));
    const fallible = def.fallible(kinds, literals) || checkAtRun.some(Boolean);
    // `!` on an infallible call is only a warning in VRL: the program compiles.
    this.bindings.set(node, { def, args, checkAtRun, fallible });
    const flow = sequence(inOrder);
    return facts(def.returnKind(kinds), {
      ...flow,
      fallibleAt: flow.fallibleAt >= 0 ? flow.fallibleAt : fallible && !node.abortOnError ? node.start : -1,
      raises: flow.raises || fallible,
      failsAfterMutation: flow.failsAfterMutation || (flow.mutates && fallible),
      stamps: def.returnsTimestamp ? def.returnsTimestamp(bound.map((b) => b?.stamps ?? false)) : false,
      fresh: true,
    });
  }

  /** `exists(path)` and `del(path)`: they take the path itself, not its value. */
  private pathQuery(node: CallNode): Facts {
    const arg = node.args[0];
    const compact = node.name === "del" ? node.args[1] : undefined;
    if (
      node.args.length !== (compact ? 2 : 1) ||
      (arg!.name !== undefined && arg!.name !== (node.name === "del" ? "path" : "field")) ||
      (compact?.name !== undefined && compact.name !== "compact")
    )
      throw new VrlCompileError(
        node.name === "del"
          ? "`del` takes a path argument and an optional `compact`"
          : "`exists` takes exactly one path argument",
        node.start,
      );
    if (compact) {
      const kind = this.visit(compact.value).kind;
      if (kind !== Kind.BOOLEAN)
        throw new VrlCompileError(
          `invalid argument type: \`compact\` of \`del\` expects boolean, got ${kindNames(kind)}`,
          compact.value.start,
        );
    }
    const target = arg!.value;
    if (target.kind !== "path")
      throw new VrlCompileError(`\`${node.name}\` expects a path, like \`.field\``, target.start);
    // VRL wants a path here: a variable alone is refused, its fields are not.
    if (target.target === "variable" && target.segments.length === 0)
      throw new VrlCompileError(
        `\`${node.name}\` expects a path, like \`.field\` or \`x.field\``,
        target.start,
      );
    if (target.target === "variable") {
      if (!this.state.isDefined(target.variable))
        throw new VrlCompileError(`undefined variable \`${target.variable}\``, target.start);
      this.slotOf(target.variable);
    }
    if (node.name === "exists") return facts(Kind.BOOLEAN);
    const isEvent = target.target === "event";
    const kind = isEvent ? this.state.eventKind(target.segments) : Kind.ANY;
    // After `del` VRL's checker knows nothing of the path: later reads are of any kind, not null.
    if (isEvent && target.segments.length > 0) this.state.forget(target.segments);
    else if (isEvent) this.state.record(target, Kind.OBJECT);
    // With `compact`, the containers above may be gone too: what was known from the top down is forgotten.
    const mayCompact = compact && !(compact.value.kind === "literal" && compact.value.value === false);
    if (isEvent && mayCompact && target.segments.length > 1)
      this.state.record({ ...target, segments: target.segments.slice(0, 1) }, Kind.ANY);
    return facts(kind, { mutates: isEvent, stamps: this.timestamps, fresh: true });
  }
}

const NUMBER = Kind.INTEGER | Kind.FLOAT;

/** A parameter of any kind takes an undefined value too (it reads as null). */
const accepted = (kind: number): number => (kind === Kind.ANY ? Kind.ANY | Kind.UNDEFINED : kind);

/** `+ - * /` and the orderings: their kind, and whether they can fail on the kinds they are given (VRL's rules). */
function arithmetic(node: BinaryNode, left: Facts, right: Facts, flow: Flow): Facts {
  const [kind, fallible] = arithmeticType(node, left.kind, right.kind);
  // VRL types a division afresh from its divisor alone, so failures its operands leave unhandled never
  // make it fallible (they still fail at run time).
  const inner = node.operator === "/" ? -1 : flow.fallibleAt;
  return facts(kind, {
    ...flow,
    fallibleAt: inner >= 0 ? inner : fallible ? node.start : -1,
    raises: flow.raises || fallible,
  });
}

/** The kind an arithmetic or ordering operator gives, and whether it can fail, from its operands' kinds. */
function arithmeticType(node: BinaryNode, l: number, r: number): [kind: number, fallible: boolean] {
  const within = (kind: number, allowed: number): boolean => (kind & ~allowed) === 0;
  switch (node.operator) {
    case "<":
    case "<=":
    case ">":
    case ">=": {
      const same = (l === Kind.BYTES && r === Kind.BYTES) || (l === Kind.TIMESTAMP && r === Kind.TIMESTAMP);
      return [Kind.BOOLEAN, !same && !(within(l, NUMBER) && within(r, NUMBER))];
    }
    case "/": {
      // Infallible only for a number divided by a constant VRL knows is not zero.
      const divisor = constantNumber(node.right);
      const safe =
        (l === Kind.INTEGER || l === Kind.FLOAT) &&
        divisor !== undefined &&
        (divisor.float ? isNormal(divisor.value) : divisor.value !== 0);
      return [Kind.FLOAT, !safe];
    }
    default:
      break;
  }
  const op = node.operator;
  if (op === "+" && (l === Kind.BYTES || r === Kind.BYTES))
    return [Kind.BYTES, !(within(l, Kind.BYTES | Kind.NULL) && within(r, Kind.BYTES | Kind.NULL))];
  if (l === Kind.FLOAT || r === Kind.FLOAT) return [Kind.FLOAT, !(within(l, NUMBER) && within(r, NUMBER))];
  if (l === Kind.INTEGER && r === Kind.INTEGER) return [Kind.INTEGER, false];
  if (op === "*" && ((l === Kind.BYTES && r === Kind.INTEGER) || (l === Kind.INTEGER && r === Kind.BYTES)))
    return [Kind.BYTES, false];
  return [op === "-" ? NUMBER : Kind.BYTES | NUMBER, true];
}

function isNormal(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) >= 2.2250738585072014e-308;
}

/** The value of a literal, else undefined. */
function literalValue(node: Node): unknown {
  return node.kind === "literal" ? node.value : undefined;
}

/** A number VRL's checker can work out before the program runs: a literal, or arithmetic on such. */
function constantNumber(node: Node): { value: number; float: boolean } | undefined {
  if (node.kind === "literal") {
    if (typeof node.value !== "number") return undefined;
    return { value: node.value, float: node.float === true || !Number.isInteger(node.value) };
  }
  if (node.kind !== "binary" || !["+", "-", "*", "/"].includes(node.operator)) return undefined;
  const a = constantNumber(node.left);
  const b = constantNumber(node.right);
  if (!a || !b) return undefined;
  const float = a.float || b.float || node.operator === "/";
  switch (node.operator) {
    case "+":
      return { value: a.value + b.value, float };
    case "-":
      return { value: a.value - b.value, float };
    case "*":
      return { value: a.value * b.value, float };
    default:
      return b.value === 0 ? undefined : { value: a.value / b.value, float };
  }
}

/** The value `x` gets in `x, err = f()` when f fails: the default of f's kind. */
export function defaultValue(kind: number): unknown {
  switch (kind) {
    case Kind.BYTES:
      return "";
    case Kind.INTEGER:
    case Kind.FLOAT:
      return 0;
    case Kind.BOOLEAN:
      return false;
    case Kind.TIMESTAMP:
      return new VrlTimestamp(0, 0);
    case Kind.OBJECT:
      return {};
    case Kind.ARRAY:
      return [];
    default:
      return null;
  }
}
