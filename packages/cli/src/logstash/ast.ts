// The checked model of Logstash pipeline configuration: what Logstash's config grammar parses, every node with its position.

/**
 * Where a node starts: the file the user wrote, and the 1-based line and column inside it. For text held in
 * a YAML file (Helm values, a `pipelines.yml` `config.string`) the file is the YAML file and the line is
 * the line of that file, so an editor jumps to it.
 */
export interface Position {
  /** The file's path as it was given (or the YAML file holding the text). */
  readonly file: string;
  /** 1-based line in `file`. */
  readonly line: number;
  /** 1-based column in `file`, in characters (a character outside the BMP counts once, as Logstash counts). */
  readonly column: number;
  /** For text held inside a YAML file: the key holding it, e.g. `logstashPipeline["insight-event.conf"]`. */
  readonly entry?: string;
}

/** A quoted string; `value` is what Logstash hands the plugin (escapes processed only with `config.support_escapes`). */
export interface LsString {
  /** Discriminant. */
  readonly kind: "string";
  /** The string's value. */
  readonly value: string;
  /** The text as written, quotes included. */
  readonly raw: string;
  /** Where the opening quote is. */
  readonly position: Position;
}

/** A number: an integer unless written with a `.` (Logstash reads `010` as octal, like Ruby's `Integer()`). */
export interface LsNumber {
  /** Discriminant. */
  readonly kind: "number";
  /** The number's value. */
  readonly value: number;
  /** The text as written. */
  readonly raw: string;
  /** Where it starts. */
  readonly position: Position;
}

/** An unquoted word of two or more characters (`true`, `plain`), handed to the plugin as a string. */
export interface LsBareword {
  /** Discriminant. */
  readonly kind: "bareword";
  /** The word. */
  readonly value: string;
  /** Where it starts. */
  readonly position: Position;
}

/** `[ a, b ]`. */
export interface LsArray {
  /** Discriminant. */
  readonly kind: "array";
  /** The items in order. */
  readonly items: readonly LsValue[];
  /** Where the `[` is. */
  readonly position: Position;
}

/** `{ "a" => "b" "c" => "d" }`: entries separated by whitespace (Logstash refuses commas). */
export interface LsHash {
  /** Discriminant. */
  readonly kind: "hash";
  /** The entries in order (Logstash refuses duplicate keys). */
  readonly entries: readonly LsHashEntry[];
  /** Where the `{` is. */
  readonly position: Position;
}

/** One `key => value` of a hash. */
export interface LsHashEntry {
  /** The key as written: Logstash compares keys by their text, so `"a"` and `a` are different keys. */
  readonly key: LsString | LsNumber | LsBareword;
  /** The value. */
  readonly value: LsValue;
  /** Where the key is. */
  readonly position: Position;
}

/** Where a plugin sits: in a section, or as an attribute's value (a codec). */
export type LsPluginType = "input" | "filter" | "output" | "codec";

/** A plugin: `name { attribute => value ... }`. */
export interface LsPlugin {
  /** Discriminant. */
  readonly kind: "plugin";
  /** The plugin's section (`codec` when it is an attribute's value). */
  readonly type: LsPluginType;
  /** The name as Logstash reads it: a quoted name keeps its quotes, so Logstash finds no plugin by it. */
  readonly name: string;
  /** The attributes in order; a name may repeat (Logstash merges repeated hashes and arrays). */
  readonly attributes: readonly LsAttribute[];
  /** Where the name is. */
  readonly position: Position;
}

/** `name => value` inside a plugin. */
export interface LsAttribute {
  /** The attribute's name (quotes of a quoted name removed, as Logstash does). */
  readonly name: string;
  /** The value. */
  readonly value: LsValue;
  /** Where the name is. */
  readonly position: Position;
}

/** A plugin attribute's value. */
export type LsValue = LsString | LsNumber | LsBareword | LsArray | LsHash | LsPlugin;

/** A field reference in a condition, `[a][b]`. */
export interface LsFieldRef {
  /** Discriminant. */
  readonly kind: "field";
  /** The reference as written, e.g. `[kafka_topic]`. */
  readonly raw: string;
  /** Its parts, e.g. `["a", "b"]` for `[a][b]`. */
  readonly path: readonly string[];
  /** Where the first `[` is. */
  readonly position: Position;
}

/** A regular expression literal `/…/` in a condition; `pattern` is the text between the slashes, as written. */
export interface LsRegexp {
  /** Discriminant. */
  readonly kind: "regexp";
  /** The pattern without its slashes (`\/` stays as written). */
  readonly pattern: string;
  /** Where the opening `/` is. */
  readonly position: Position;
}

/**
 * A value in a condition. An array written with one plain item, `["a"]`, is a field reference to Logstash
 * (the grammar tries field references first), so `[x] in ["a"]` tests the field named `"a"`.
 */
export type LsRvalue = LsString | LsNumber | LsFieldRef | LsArray | LsRegexp;

/** `left op right` with `==`, `!=`, `<`, `>`, `<=` or `>=`. */
export interface LsComparison {
  /** Discriminant. */
  readonly kind: "compare";
  /** The operator. */
  readonly operator: "==" | "!=" | "<" | ">" | "<=" | ">=";
  /** The left operand. */
  readonly left: LsString | LsNumber | LsFieldRef;
  /** The right operand. */
  readonly right: LsString | LsNumber | LsFieldRef;
  /** Where the left operand is. */
  readonly position: Position;
}

/** `item in list` or `item not in list`. */
export interface LsInCondition {
  /** Discriminant. */
  readonly kind: "in";
  /** True for `not in`. */
  readonly negated: boolean;
  /** The value looked for. */
  readonly item: LsRvalue;
  /** Where it is looked for: an array, a field (an array or a string), or a string (a substring test). */
  readonly list: LsRvalue;
  /** Where the item is. */
  readonly position: Position;
}

/** `[field] =~ /re/` or `!~`; a string pattern is a regular expression too. */
export interface LsRegexCondition {
  /** Discriminant. */
  readonly kind: "regex";
  /** The operator. */
  readonly operator: "=~" | "!~";
  /** The field tested. */
  readonly field: LsFieldRef;
  /** The pattern. */
  readonly pattern: LsString | LsRegexp;
  /** Where the field is. */
  readonly position: Position;
}

/** A bare field reference, `if [a]`: true when the field exists and is neither `false` nor null. */
export interface LsTruthyCondition {
  /** Discriminant. */
  readonly kind: "truthy";
  /** The field tested. */
  readonly field: LsFieldRef;
  /** Where the field is. */
  readonly position: Position;
}

/** `!(condition)` or `![field]`. */
export interface LsNotCondition {
  /** Discriminant. */
  readonly kind: "not";
  /** The negated condition. */
  readonly operand: LsCondition;
  /** Where the `!` is. */
  readonly position: Position;
}

/** `left and right` (`or`, `xor`, `nand`), grouped as Logstash groups them (see {@link LsCondition}). */
export interface LsBooleanCondition {
  /** Discriminant. */
  readonly kind: "boolean";
  /** The operator. */
  readonly operator: "and" | "or" | "xor" | "nand";
  /** The left operand. */
  readonly left: LsCondition;
  /** The right operand. */
  readonly right: LsCondition;
  /** Where the left operand is. */
  readonly position: Position;
}

/**
 * A condition as Logstash compiles it. Chains of `and`/`or` are grouped by Logstash's own shunting-yard,
 * which pops at most one operator per step: `a or b and c and d or e` is `a or (b and ((c and d) or e))`.
 * `xor` and `nand` are refused in a chain of two or more operators, as Logstash refuses them.
 */
export type LsCondition =
  | LsComparison
  | LsInCondition
  | LsRegexCondition
  | LsTruthyCondition
  | LsNotCondition
  | LsBooleanCondition;

/** An `if` or `else if` clause of a branch. */
export interface LsClause {
  /** Which keyword opened it. */
  readonly kind: "if" | "else if";
  /** The condition. */
  readonly condition: LsCondition;
  /** The statements run when the condition holds. */
  readonly body: readonly LsStatement[];
  /** Where the `if` (or `else`) keyword is. */
  readonly position: Position;
}

/** The `else` of a branch. */
export interface LsElse {
  /** The statements run when no clause held. */
  readonly body: readonly LsStatement[];
  /** Where the `else` keyword is. */
  readonly position: Position;
}

/** `if … {} else if … {} else {}`. */
export interface LsBranch {
  /** Discriminant. */
  readonly kind: "branch";
  /** The `if` clause then every `else if`, in order. */
  readonly clauses: readonly LsClause[];
  /** The `else`, when there is one. */
  readonly otherwise?: LsElse;
  /** Where the `if` is. */
  readonly position: Position;
}

/** What a section or a branch holds. */
export type LsStatement = LsPlugin | LsBranch;

/** The three kinds of section. */
export type LsSectionKind = "input" | "filter" | "output";

/** One `input {…}`, `filter {…}` or `output {…}` of a file. */
export interface LsSection {
  /** Which section. */
  readonly kind: LsSectionKind;
  /** Its statements in order. */
  readonly body: readonly LsStatement[];
  /** Where the section's keyword is. */
  readonly position: Position;
}

/** One parsed config text (a file, a Helm values entry, a `config.string`). */
export interface LsConfigText {
  /** Where the text came from, e.g. `conf.d/10-in.conf` or `values.yaml logstashPipeline["a.conf"]`. */
  readonly source: string;
  /** Its sections in order. */
  readonly sections: readonly LsSection[];
}
