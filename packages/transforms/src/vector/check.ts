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
import { TypeState } from "./type-state.js";
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
      kind = node.segments.length === 0 ? this.state.variableKind(node.variable) : Kind.ANY;
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
    if ((operand.kind & Kind.BOOLEAN) === 0)
      throw new VrlCompileError(`\`!\` expects a boolean, got ${kindNames(operand.kind)}`, node.start);
    const checkedAtRun = operand.kind !== Kind.BOOLEAN;
    return facts(Kind.BOOLEAN, {
      ...sequence([operand]),
      fallibleAt: operand.fallibleAt >= 0 ? operand.fallibleAt : checkedAtRun ? node.start : -1,
      raises: operand.raises || checkedAtRun,
    });
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
      case "||":
        // VRL: a null or false left side gives the right side; any other left side is the result.
        this.state = TypeState.merge(beforeRight, this.state);
        return facts((left.kind & ~Kind.NULL) | right.kind, { ...flow, stamps: left.stamps || right.stamps });
      case "&&": {
        this.state = TypeState.merge(beforeRight, this.state);
        // The left side must be a boolean (null counts as false); when it holds, the right side is the result.
        const checkedAtRun = (left.kind & ~(Kind.BOOLEAN | Kind.NULL)) !== 0;
        if ((left.kind & (Kind.BOOLEAN | Kind.NULL)) === 0)
          throw new VrlCompileError(`\`&&\` expects a boolean, got ${kindNames(left.kind)}`, node.left.start);
        return facts(Kind.BOOLEAN | right.kind, {
          ...flow,
          fallibleAt: flow.fallibleAt >= 0 ? flow.fallibleAt : checkedAtRun ? node.left.start : -1,
          raises: flow.raises || checkedAtRun,
        });
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
    this.state.record(target, errorTarget ? value.kind | kindBit(defaultValue(value.kind)) : value.kind);
    if (errorTarget) this.state.record(errorTarget, Kind.BYTES | Kind.NULL);
    else if (target.target === "event") this.recordEntries(target.segments, node.value);
    return facts(value.kind, {
      raises: (errorTarget ? false : flow.raises) || rootCheck,
      mutates: flow.mutates || target.target === "event" || errorTarget?.target === "event",
      failsAfterMutation: flow.failsAfterMutation || (flow.mutates && rootCheck),
      stamps: value.stamps,
    });
  }

  /** An object literal stored at an event path: its entries' kinds are known there, as in Vector. */
  private recordEntries(segments: readonly Segment[], value: Node): void {
    if (value.kind !== "object") return;
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
      const param = params[index]!;
      if ((argument.kind & param.kind) === 0)
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
    const checkAtRun = params.map((p, i) => bound[i] !== undefined && (bound[i]!.kind & ~p.kind) !== 0);
    const literals = args.map((arg) => (arg?.kind === "literal" ? arg.value : undefined));
    const fallible = def.fallible(kinds, literals) || checkAtRun.some(Boolean);
    // `!` on a call that cannot fail is only a warning in Vector: the program compiles.
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
    if (target.target === "variable") {
      if (!this.state.isDefined(target.variable))
        throw new VrlCompileError(`undefined variable \`${target.variable}\``, target.start);
      this.slotOf(target.variable);
    }
    if (node.name === "exists") return facts(Kind.BOOLEAN);
    const isEvent = target.target === "event";
    const kind = isEvent ? this.state.eventKind(target.segments) : Kind.ANY;
    if (isEvent) this.state.record(target, Kind.NULL);
    // With `compact`, the containers above may be gone too: what was known from the top down is forgotten.
    const mayCompact = compact && !(compact.value.kind === "literal" && compact.value.value === false);
    if (isEvent && mayCompact && target.segments.length > 1)
      this.state.record({ ...target, segments: target.segments.slice(0, 1) }, Kind.ANY);
    return facts(kind, { mutates: isEvent, stamps: this.timestamps, fresh: true });
  }
}

/** `+ - * /` and the orderings: their kind, and whether they can fail on the kinds they are given. */
function arithmetic(node: BinaryNode, left: Facts, right: Facts, flow: Flow): Facts {
  const NUMBER = Kind.INTEGER | Kind.FLOAT;
  const op = node.operator;
  const strings = op === "+" && left.kind === Kind.BYTES && right.kind === Kind.BYTES;
  const numbers = (left.kind & ~NUMBER) === 0 && (right.kind & ~NUMBER) === 0;
  const compare = op === "<" || op === "<=" || op === ">" || op === ">=";
  const fallible =
    !(strings || (numbers && op !== "/")) &&
    !(compare && ((left.kind === Kind.BYTES && right.kind === Kind.BYTES) || numbers));
  const kind = compare
    ? Kind.BOOLEAN
    : strings
      ? Kind.BYTES
      : op === "/"
        ? Kind.FLOAT
        : numbers
          ? left.kind | right.kind
          : Kind.ANY;
  return facts(kind, {
    ...flow,
    fallibleAt: flow.fallibleAt >= 0 ? flow.fallibleAt : fallible ? node.start : -1,
    raises: flow.raises || fallible,
  });
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
    case Kind.OBJECT:
      return {};
    case Kind.ARRAY:
      return [];
    default:
      return null;
  }
}
