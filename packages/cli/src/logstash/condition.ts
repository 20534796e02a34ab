// Groups a chain of `and`/`or`/`xor`/`nand` as Logstash's compiler groups it, quirks included.
import type { LsBooleanCondition, LsCondition, Position } from "./ast.js";

/** A boolean operator between two expressions of a chain, with where it is written. */
export interface ChainOperator {
  /** The operator. */
  readonly operator: LsBooleanCondition["operator"];
  /** Where it is written. */
  readonly position: Position;
}

/**
 * The condition `first op₁ e₁ op₂ e₂ …` as Logstash builds it: a shunting-yard that pops at most one
 * operator per step (`and` binds tighter than `or`), so long mixed chains group unlike the usual
 * precedence; Logstash only ranks `and` and `or`, and throws on `xor`/`nand` in a chain of two or more
 * operators, which comes back as `refused` naming the operator.
 */
export function chainCondition(
  first: LsCondition,
  rest: readonly (readonly [ChainOperator, LsCondition])[],
): { condition: LsCondition } | { refused: string; operator: ChainOperator } {
  const output: (LsCondition | ChainOperator)[] = [first];
  const operators: ChainOperator[] = [];
  for (const [operator, operand] of rest) {
    const last = operators.at(-1);
    if (last !== undefined) {
      for (const op of [last, operator]) {
        if (op.operator === "xor" || op.operator === "nand") {
          return {
            refused: `Logstash cannot compile \`${op.operator}\` in a chain of several boolean operators (its compiler ranks only \`and\` and \`or\`); add parentheses`,
            operator: op,
          };
        }
      }
      if (rank(last) > rank(operator)) output.push(operators.pop()!);
    }
    operators.push(operator);
    output.push(operand);
  }
  output.push(...operators.reverse());
  const stack: LsCondition[] = [];
  for (const item of output) {
    if ("operator" in item && !("kind" in item)) {
      const right = stack.pop()!;
      const left = stack.pop()!;
      stack.push({ kind: "boolean", operator: item.operator, left, right, position: left.position });
    } else {
      stack.push(item as LsCondition);
    }
  }
  return { condition: stack[0]! };
}

function rank(op: ChainOperator): number {
  return op.operator === "and" ? 2 : 1;
}
