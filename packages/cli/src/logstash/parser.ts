// Parses one Logstash config text by Logstash's own grammar (logstash-core's LSCL treetop grammar), rule for rule.
import type {
  LsArray,
  LsBareword,
  LsBranch,
  LsClause,
  LsCondition,
  LsConfigText,
  LsElse,
  LsFieldRef,
  LsHash,
  LsHashEntry,
  LsNumber,
  LsPlugin,
  LsPluginType,
  LsRegexp,
  LsRvalue,
  LsSection,
  LsSectionKind,
  LsStatement,
  LsString,
  LsValue,
} from "./ast.js";
import { type ChainOperator, chainCondition } from "./condition.js";
import { LogstashConfigError } from "./errors.js";
import { numberValue, stringValue } from "./literals.js";
import type { ConfigText } from "./text.js";

/** How to read strings, as the pipeline's settings say. */
export interface ParseOptions {
  /** Logstash's `config.support_escapes`: process `\n`, `\"`, ... in quoted strings. Default false, as Logstash. */
  supportEscapes?: boolean;
}

/**
 * Parses a config text into its sections. Throws {@link LogstashConfigError} at the first syntax error
 * (naming what the grammar expected there, as Logstash's "Expected one of …"), or at the first construct
 * Logstash's compiler refuses (duplicate hash keys, `08`, a bare value as a condition, a method call).
 */
export function parseConfigText(input: ConfigText, options: ParseOptions = {}): LsConfigText {
  return new Parser(input, options.supportEscapes ?? false).config();
}

const WHITESPACE = "[ \\t\\r\\n]";
const NAME_CHAR = /[A-Za-z0-9_-]/;
const WORD_START = /[A-Za-z_]/;
const WORD_CHAR = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;

/** A method call in a condition: the grammar accepts it, Logstash's compiler never implemented it. */
interface MethodCall {
  readonly kind: "call";
  readonly start: number;
}

/** One parse: a PEG with backtracking, remembering the furthest failure and what was expected there, as treetop does. */
class Parser {
  private pos = 0;
  private failAt = -1;
  private expected: string[] = [];
  private commaInHashAt = -1;
  /** Nodes the grammar accepts but Logstash's compiler refuses; only those left in the final tree count. */
  private readonly refused = new Map<object, { offset: number; problem: string }>();
  private readonly text: string;

  constructor(
    private readonly input: ConfigText,
    private readonly supportEscapes: boolean,
  ) {
    this.text = input.text;
  }

  config(): LsConfigText {
    const sections: LsSection[] = [];
    for (;;) {
      const save = this.pos;
      this.cs();
      const section = this.pluginSection();
      if (section === null) {
        this.pos = save;
        break;
      }
      sections.push(section);
    }
    this.cs();
    if (this.pos !== this.text.length) throw this.syntaxError();
    const result: LsConfigText = { source: this.input.source, sections };
    this.throwRefused(result);
    return result;
  }

  // --- terminals -------------------------------------------------------------------------------------

  private fail(at: number, what: string): false {
    if (at > this.failAt) {
      this.failAt = at;
      this.expected = [what];
    } else if (at === this.failAt && !this.expected.includes(what)) {
      this.expected.push(what);
    }
    return false;
  }

  private literal(word: string): boolean {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return true;
    }
    return this.fail(this.pos, JSON.stringify(word));
  }

  private charIn(pattern: RegExp, what: string): boolean {
    const char = this.text[this.pos];
    if (char !== undefined && pattern.test(char)) {
      this.pos += 1;
      return true;
    }
    return this.fail(this.pos, what);
  }

  private whitespace(): boolean {
    if (!this.charIn(/[ \t\r\n]/, WHITESPACE)) return false;
    while (this.charIn(/[ \t\r\n]/, WHITESPACE));
    return true;
  }

  /** `(whitespace? "#" [^\r\n]* (("\r"? "\n") / !.))+` */
  private comment(): boolean {
    let matched = false;
    for (;;) {
      const save = this.pos;
      this.whitespace();
      if (!this.literal("#")) {
        this.pos = save;
        return matched;
      }
      while (this.pos < this.text.length && this.text[this.pos] !== "\r" && this.text[this.pos] !== "\n") {
        this.pos += 1;
      }
      if (this.pos < this.text.length) {
        if (this.text[this.pos] === "\r") this.pos += 1;
        if (!this.literal("\n")) {
          this.pos = save;
          return matched;
        }
      }
      matched = true;
    }
  }

  /** `(comment / whitespace)*` */
  /**
   * `item (separator item)*`, or nothing: a repetition whose separator or item fails is given back whole,
   * as the grammar's optional groups are.
   */
  private repeated<T>(item: () => T | null, separator: () => boolean): T[] {
    const items: T[] = [];
    const save = this.pos;
    const first = item();
    if (first === null) {
      this.pos = save;
      return items;
    }
    items.push(first);
    for (;;) {
      const before = this.pos;
      const next = separator() ? item() : null;
      if (next === null) {
        this.pos = before;
        return items;
      }
      items.push(next);
    }
  }

  /** `cs "," cs` */
  private comma(): boolean {
    this.cs();
    if (!this.literal(",")) return false;
    return this.spaced();
  }

  /** `cs` as a separator: optional space, so it always matches. */
  private spaced(): true {
    this.cs();
    return true;
  }

  private cs(): void {
    while (this.comment() || this.whitespace());
  }

  // --- sections and plugins --------------------------------------------------------------------------

  private pluginSection(): LsSection | null {
    const start = this.pos;
    let kind: LsSectionKind | undefined;
    for (const word of ["input", "filter", "output"] as const) {
      if (this.literal(word)) {
        kind = word;
        break;
      }
    }
    if (kind === undefined) return null;
    this.cs();
    if (!this.literal("{")) return null;
    this.cs();
    const body = this.statements(kind);
    if (!this.literal("}")) return null;
    return { kind, body, position: this.at(start) };
  }

  /** `(branch_or_plugin cs)*` */
  private statements(type: LsSectionKind): LsStatement[] {
    const body: LsStatement[] = [];
    for (;;) {
      const save = this.pos;
      const statement = this.first<LsStatement>(
        () => this.branch(type),
        () => this.plugin(type),
      );
      if (statement === null) {
        this.pos = save;
        return body;
      }
      body.push(statement);
      this.cs();
    }
  }

  private plugin(type: LsPluginType): LsPlugin | null {
    const start = this.pos;
    const name = this.name();
    if (name === null) return null;
    this.cs();
    if (!this.literal("{")) return null;
    this.cs();
    const attributes = this.repeated(
      () => this.attribute(),
      () => this.whitespace() && this.spaced(),
    );
    this.cs();
    if (!this.literal("}")) return null;
    return { kind: "plugin", type, name: name.raw, attributes, position: this.at(start) };
  }

  /** `[A-Za-z0-9_-]+ / string`; `raw` is the text as written, quotes included. */
  private name(): { raw: string; quoted: boolean } | null {
    const start = this.pos;
    if (this.charIn(NAME_CHAR, "[A-Za-z0-9_-]")) {
      while (this.charIn(NAME_CHAR, "[A-Za-z0-9_-]"));
      return { raw: this.text.slice(start, this.pos), quoted: false };
    }
    const string = this.string();
    return string === null ? null : { raw: string.raw, quoted: true };
  }

  private attribute(): LsPlugin["attributes"][number] | null {
    const start = this.pos;
    const name = this.name();
    if (name === null) return null;
    this.cs();
    if (!this.literal("=>")) return null;
    this.cs();
    const value = this.value();
    if (value === null) return null;
    return { name: name.quoted ? name.raw.slice(1, -1) : name.raw, value, position: this.at(start) };
  }

  // --- values ----------------------------------------------------------------------------------------

  /** `plugin / bareword / string / number / array / hash` */
  private value(): LsValue | null {
    return this.first<LsValue>(
      () => this.plugin("codec"),
      () => this.bareword(),
      () => this.string(),
      () => this.number(),
      () => this.array(),
      () => this.hash(),
    );
  }

  /** PEG ordered choice: the first alternative that matches, each tried from the same place. */
  private first<T>(...alternatives: (() => T | null)[]): T | null {
    const start = this.pos;
    for (const alternative of alternatives) {
      this.pos = start;
      const result = alternative();
      if (result !== null) return result;
    }
    this.pos = start;
    return null;
  }

  private bareword(): LsBareword | null {
    const start = this.pos;
    if (!this.charIn(WORD_START, "[A-Za-z_]")) return null;
    if (!this.charIn(WORD_CHAR, "[A-Za-z0-9_]")) return null;
    while (this.charIn(WORD_CHAR, "[A-Za-z0-9_]"));
    return { kind: "bareword", value: this.text.slice(start, this.pos), position: this.at(start) };
  }

  /** `'"' ('\"' / !'"' .)* '"'` or the same with single quotes. */
  private string(): LsString | null {
    const start = this.pos;
    const quote = this.text[start];
    if (quote !== '"' && quote !== "'") {
      this.fail(start, JSON.stringify('"'));
      this.fail(start, JSON.stringify("'"));
      return null;
    }
    let i = start + 1;
    while (i < this.text.length) {
      if (this.text[i] === "\\" && this.text[i + 1] === quote) i += 2;
      else if (this.text[i] === quote) break;
      else i += 1;
    }
    if (i >= this.text.length) {
      this.fail(this.text.length, JSON.stringify(quote));
      return null;
    }
    this.pos = i + 1;
    const raw = this.text.slice(start, this.pos);
    return { kind: "string", value: stringValue(raw, this.supportEscapes), raw, position: this.at(start) };
  }

  /** `"-"? [0-9]+ ("." [0-9]*)?` */
  private number(): LsNumber | null {
    const start = this.pos;
    if (this.text[this.pos] === "-") this.pos += 1;
    else this.fail(this.pos, JSON.stringify("-"));
    if (!this.charIn(DIGIT, "[0-9]")) return null;
    while (this.charIn(DIGIT, "[0-9]"));
    if (this.literal(".")) while (this.charIn(DIGIT, "[0-9]"));
    const raw = this.text.slice(start, this.pos);
    const read = numberValue(raw);
    const node: LsNumber = {
      kind: "number",
      value: "value" in read ? read.value : Number.NaN,
      raw,
      position: this.at(start),
    };
    if ("refused" in read) this.refuse(node, start, read.refused);
    return node;
  }

  /** `"[" cs (value (cs "," cs value)*)? cs "]"` */
  private array(): LsArray | null {
    const start = this.pos;
    if (!this.literal("[")) return null;
    this.cs();
    const items = this.repeated<LsValue>(
      () => this.value(),
      () => this.comma(),
    );
    this.cs();
    if (!this.literal("]")) return null;
    return { kind: "array", items, position: this.at(start) };
  }

  /** `"{" cs (hashentry (cs hashentry)*)? cs "}"` */
  private hash(): LsHash | null {
    const start = this.pos;
    if (!this.literal("{")) return null;
    this.cs();
    const entries = this.repeated<LsHashEntry>(
      () => this.hashEntry(),
      () => this.spaced(),
    );
    this.cs();
    if (this.text[this.pos] === ",") this.commaInHashAt = this.pos;
    if (!this.literal("}")) return null;
    const node: LsHash = { kind: "hash", entries, position: this.at(start) };
    const keys = entries.map((entry) =>
      entry.key.kind === "string" ? entry.key.raw : String(rawOf(entry.key)),
    );
    const duplicates = [...new Set(keys.filter((key, i) => keys.indexOf(key) !== i))];
    if (duplicates.length > 0) {
      this.refuse(node, start, `Duplicate keys found in your configuration: [${duplicates.join(", ")}]`);
    }
    return node;
  }

  /** `(number / bareword / string) cs "=>" cs value` */
  private hashEntry(): LsHashEntry | null {
    const start = this.pos;
    const key = this.first<LsHashEntry["key"]>(
      () => this.number(),
      () => this.bareword(),
      () => this.string(),
    );
    if (key === null) return null;
    this.cs();
    if (!this.literal("=>")) return null;
    this.cs();
    const value = this.value();
    if (value === null) return null;
    return { key, value, position: this.at(start) };
  }

  // --- branches and conditions -----------------------------------------------------------------------

  /** `if (cs else_if)* (cs else)?` */
  private branch(type: LsSectionKind): LsBranch | null {
    const start = this.pos;
    const first = this.clause(type, "if");
    if (first === null) return null;
    const clauses: LsClause[] = [first];
    for (;;) {
      const save = this.pos;
      this.cs();
      const next = this.clause(type, "else if");
      if (next === null) {
        this.pos = save;
        break;
      }
      clauses.push(next);
    }
    const save = this.pos;
    this.cs();
    const otherwise = this.otherwise(type);
    if (otherwise === null) this.pos = save;
    const node: LsBranch = { kind: "branch", clauses, position: this.at(start) };
    return otherwise === null ? node : { ...node, otherwise };
  }

  /** `"if" cs condition cs "{" cs (branch_or_plugin cs)* "}"`, or the same after `"else" cs`. */
  private clause(type: LsSectionKind, kind: LsClause["kind"]): LsClause | null {
    const start = this.pos;
    if (kind === "else if") {
      if (!this.literal("else")) return null;
      this.cs();
    }
    if (!this.literal("if")) return null;
    this.cs();
    const condition = this.condition();
    if (condition === null) return null;
    this.cs();
    const body = this.block(type);
    if (body === null) return null;
    return { kind, condition, body, position: this.at(start) };
  }

  /** `"else" cs "{" cs (branch_or_plugin cs)* "}"` */
  private otherwise(type: LsSectionKind): LsElse | null {
    const start = this.pos;
    if (!this.literal("else")) return null;
    this.cs();
    const body = this.block(type);
    return body === null ? null : { body, position: this.at(start) };
  }

  private block(type: LsSectionKind): LsStatement[] | null {
    if (!this.literal("{")) return null;
    this.cs();
    const body = this.statements(type);
    return this.literal("}") ? body : null;
  }

  /** `expression (cs boolean_operator cs expression)*` */
  private condition(): LsCondition | null {
    const first = this.expression();
    if (first === null) return null;
    const rest: [ChainOperator, LsCondition][] = [];
    const offsets = new Map<ChainOperator, number>();
    for (;;) {
      const save = this.pos;
      this.cs();
      const at = this.pos;
      const operator = (["and", "or", "xor", "nand"] as const).find((word) => this.literal(word));
      if (operator === undefined) {
        this.pos = save;
        break;
      }
      this.cs();
      const next = this.expression();
      if (next === null) {
        this.pos = save;
        break;
      }
      const chainOperator = { operator, position: this.at(at) };
      offsets.set(chainOperator, at);
      rest.push([chainOperator, next]);
    }
    if (rest.length === 0) return first;
    const chained = chainCondition(first, rest);
    if ("condition" in chained) return chained.condition;
    const offset = offsets.get(chained.operator) ?? 0;
    const placeholder = this.placeholderAt(offset);
    this.refused.set(placeholder, { offset, problem: chained.refused });
    return placeholder;
  }

  /** The alternatives of Logstash's `expression` rule, in its order. */
  private expression(): LsCondition | null {
    return this.first<LsCondition>(
      () => this.parenthesized(),
      () => this.negative(),
      () => this.inExpression(false),
      () => this.inExpression(true),
      () => this.comparison(),
      () => this.regexExpression(),
      () => this.bareValue(),
    );
  }

  private parenthesized(): LsCondition | null {
    if (!this.literal("(")) return null;
    this.cs();
    const inner = this.condition();
    if (inner === null) return null;
    this.cs();
    return this.literal(")") ? inner : null;
  }

  /** `"!" cs "(" cs condition cs ")"` / `"!" cs selector` */
  private negative(): LsCondition | null {
    const start = this.pos;
    if (!this.literal("!")) return null;
    this.cs();
    const afterBang = this.pos;
    const inner = this.parenthesized();
    if (inner !== null) return { kind: "not", operand: inner, position: this.at(start) };
    this.pos = afterBang;
    const field = this.selector();
    if (field === null) return null;
    return {
      kind: "not",
      operand: { kind: "truthy", field, position: field.position },
      position: this.at(start),
    };
  }

  /** `rvalue cs "in" cs rvalue` / `rvalue cs "not " cs "in" cs rvalue` */
  private inExpression(negated: boolean): LsCondition | null {
    const start = this.pos;
    const item = this.rvalue();
    if (item === null) return null;
    this.cs();
    if (negated) {
      if (!this.literal("not ")) return null;
      this.cs();
    }
    if (!this.literal("in")) return null;
    this.cs();
    const list = this.rvalue();
    if (list === null) return null;
    if (item.kind === "call") return this.refusedCall(item);
    if (list.kind === "call") return this.refusedCall(list);
    return { kind: "in", negated, item, list, position: this.at(start) };
  }

  /** `rvalue cs ("==" / "!=" / "<=" / ">=" / "<" / ">") cs rvalue` */
  private comparison(): LsCondition | null {
    const start = this.pos;
    const left = this.rvalue();
    if (left === null) return null;
    this.cs();
    const operator = (["==", "!=", "<=", ">=", "<", ">"] as const).find((op) => this.literal(op));
    if (operator === undefined) return null;
    this.cs();
    const right = this.rvalue();
    if (right === null) return null;
    const scalar = (value: LsRvalue | MethodCall): value is LsString | LsNumber | LsFieldRef =>
      value.kind === "string" || value.kind === "number" || value.kind === "field";
    if (scalar(left) && scalar(right)) {
      return { kind: "compare", operator, left, right, position: this.at(start) };
    }
    const odd = scalar(left) ? right : left;
    const placeholder = this.placeholderAt(start);
    this.refused.set(placeholder, {
      offset: odd.kind === "call" ? odd.start : start,
      problem:
        odd.kind === "call"
          ? "Logstash does not implement method calls in conditions"
          : `Logstash compares only strings, numbers and field references, not ${odd.kind === "array" ? "an array" : "a regular expression"} (with \`${operator}\`)`,
    });
    return placeholder;
  }

  /** `rvalue cs ("=~" / "!~") cs (string / regexp)` */
  private regexExpression(): LsCondition | null {
    const start = this.pos;
    const field = this.rvalue();
    if (field === null) return null;
    this.cs();
    const operator = (["=~", "!~"] as const).find((op) => this.literal(op));
    if (operator === undefined) return null;
    this.cs();
    const pattern = this.first<LsString | LsRegexp>(
      () => this.string(),
      () => this.regexp(),
    );
    if (pattern === null) return null;
    if (field.kind === "field") return { kind: "regex", operator, field, pattern, position: this.at(start) };
    const placeholder = this.placeholderAt(start);
    this.refused.set(placeholder, {
      offset: start,
      problem: `Logstash matches \`${operator}\` only against a field reference`,
    });
    return placeholder;
  }

  /** The last alternative, a lone `rvalue`: only a field reference means something to Logstash. */
  private bareValue(): LsCondition | null {
    const start = this.pos;
    const value = this.rvalue();
    if (value === null) return null;
    if (value.kind === "field") return { kind: "truthy", field: value, position: value.position };
    const placeholder = this.placeholderAt(start);
    this.refused.set(placeholder, {
      offset: start,
      problem:
        value.kind === "call"
          ? "Logstash does not implement method calls in conditions"
          : `Logstash cannot use a bare ${value.kind === "regexp" ? "regular expression" : value.kind} as a condition (only a field reference tests truthiness)`,
    });
    return placeholder;
  }

  /** `string / number / selector / array / method_call / regexp` */
  private rvalue(): LsRvalue | MethodCall | null {
    return this.first<LsRvalue | MethodCall>(
      () => this.string(),
      () => this.number(),
      () => this.selector(),
      () => this.array(),
      () => this.methodCall(),
      () => this.regexp(),
    );
  }

  /** `("[" [^\]\[,]+ "]")+` */
  private selector(): LsFieldRef | null {
    const start = this.pos;
    const path: string[] = [];
    for (;;) {
      const save = this.pos;
      if (!this.literal("[")) break;
      const nameStart = this.pos;
      if (!this.charIn(/[^\][,]/, "[^\\]\\[,]")) {
        this.pos = save;
        break;
      }
      while (this.charIn(/[^\][,]/, "[^\\]\\[,]"));
      const name = this.text.slice(nameStart, this.pos);
      if (!this.literal("]")) {
        this.pos = save;
        break;
      }
      path.push(name);
    }
    if (path.length === 0) return null;
    return { kind: "field", raw: this.text.slice(start, this.pos), path, position: this.at(start) };
  }

  /** `bareword cs "(" cs (rvalue (cs "," cs rvalue)*)? cs ")"` */
  private methodCall(): MethodCall | null {
    const start = this.pos;
    if (this.bareword() === null) return null;
    this.cs();
    if (!this.literal("(")) return null;
    this.cs();
    this.repeated(
      () => this.rvalue(),
      () => this.comma(),
    );
    this.cs();
    return this.literal(")") ? { kind: "call", start } : null;
  }

  /** `'/' ('\/' / !'/' .)* '/'` */
  private regexp(): LsRegexp | null {
    const start = this.pos;
    if (!this.literal("/")) return null;
    let i = start + 1;
    while (i < this.text.length) {
      if (this.text[i] === "\\" && this.text[i + 1] === "/") i += 2;
      else if (this.text[i] === "/") break;
      else i += 1;
    }
    if (i >= this.text.length) {
      this.fail(this.text.length, JSON.stringify("/"));
      return null;
    }
    this.pos = i + 1;
    return { kind: "regexp", pattern: this.text.slice(start + 1, i), position: this.at(start) };
  }

  // --- positions and errors --------------------------------------------------------------------------

  private at(offset: number) {
    return this.input.locate(offset);
  }

  /** A placeholder condition standing for a method call, which Logstash refuses. */
  private refusedCall(call: MethodCall): LsCondition {
    const placeholder = this.placeholderAt(call.start);
    this.refused.set(placeholder, {
      offset: call.start,
      problem: "Logstash does not implement method calls in conditions",
    });
    return placeholder;
  }

  private placeholderAt(offset: number): LsCondition {
    const position = this.at(offset);
    return { kind: "truthy", field: { kind: "field", raw: "", path: [], position }, position };
  }

  private refuse(node: object, offset: number, problem: string): void {
    this.refused.set(node, { offset, problem });
  }

  /** Throws for the first refused node (in text order) that is part of the parsed tree. */
  private throwRefused(tree: LsConfigText): void {
    if (this.refused.size === 0) return;
    let first: { offset: number; problem: string } | undefined;
    const visit = (node: unknown): void => {
      if (typeof node !== "object" || node === null) return;
      const refusal = this.refused.get(node);
      if (refusal !== undefined && (first === undefined || refusal.offset < first.offset)) first = refusal;
      for (const child of Object.values(node)) visit(child);
    };
    visit(tree);
    if (first !== undefined) throw new LogstashConfigError(this.at(first.offset), first.problem);
  }

  private syntaxError(): LogstashConfigError {
    const at = Math.max(this.failAt, this.pos);
    const expected = at === this.failAt ? this.expected : [];
    const before = this.text
      .slice(Math.max(0, at - 60), at)
      .replace(/\s+/g, " ")
      .trim();
    const context = before.length > 40 ? `…${before.slice(-40)}` : before;
    const hint = at === this.commaInHashAt ? " (a Logstash hash takes no commas between its entries)" : "";
    const found = at >= this.text.length ? "the end of the text" : JSON.stringify(this.text[at]);
    return new LogstashConfigError(
      this.at(at),
      `Expected one of ${expected.join(", ")} but found ${found}${context === "" ? "" : ` after ${context}`}${hint}`,
      { expected },
    );
  }
}

function rawOf(key: LsNumber | LsBareword): string {
  return key.kind === "number" ? key.raw : key.value;
}
