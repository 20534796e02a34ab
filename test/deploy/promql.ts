// What a PromQL expression asks of the scraped metrics: the series it selects and the labels it names.
import { parser } from "@prometheus-io/lezer-promql";

type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

/** One series selector: its metric name and the label names of its matchers. */
export interface SelectorReference {
  readonly metric: string;
  readonly labels: readonly string[];
}

/** One `by (…)` or `on (…)` clause: the labels it groups on and the metrics below it. */
export interface GroupingReference {
  readonly labels: readonly string[];
  readonly metrics: readonly string[];
}

/** Everything an expression references. */
export interface PromqlReferences {
  readonly selectors: readonly SelectorReference[];
  readonly groupings: readonly GroupingReference[];
}

/** Parses `expr` with Prometheus's own grammar; throws on a syntax error, naming where. */
export function promqlReferences(expr: string): PromqlReferences {
  const tree = parser.parse(expr);
  const selectors: SelectorReference[] = [];
  const groupings: GroupingReference[] = [];
  const text = (node: SyntaxNode) => expr.slice(node.from, node.to);
  tree.iterate({
    enter(ref) {
      // lezer recovers from errors with ⚠ nodes instead of throwing.
      if (ref.type.isError) throw new Error(`PromQL syntax error at ${ref.from} in: ${expr}`);
      const node = ref.node;
      if (ref.name === "VectorSelector") {
        const name = node.getChild("Identifier");
        if (name === null) throw new Error(`a selector without a metric name in: ${expr}`);
        const labels = node
          .getChild("LabelMatchers")
          ?.getChildren("UnquotedLabelMatcher")
          .map((matcher) => text(matcher.getChild("LabelName")!));
        selectors.push({ metric: text(name), labels: labels ?? [] });
      }
      // `without` and `ignoring` name labels to drop, which need not exist.
      if (ref.name === "AggregateModifier" && node.getChild("By") !== null)
        groupings.push({ labels: groupingLabels(node, text), metrics: metricsBelow(node.parent!, text) });
      if (ref.name === "MatchingModifierClause" && node.getChild("On") !== null)
        groupings.push({ labels: groupingLabels(node, text), metrics: metricsBelow(node.parent!, text) });
    },
  });
  return { selectors, groupings };
}

function groupingLabels(node: SyntaxNode, text: (node: SyntaxNode) => string): string[] {
  return node.getChild("GroupingLabels")?.getChildren("LabelName").map(text) ?? [];
}

function metricsBelow(node: SyntaxNode, text: (node: SyntaxNode) => string): string[] {
  const out: string[] = [];
  const cursor = node.cursor();
  const end = node.to;
  while (cursor.next() && cursor.from < end)
    if (cursor.name === "VectorSelector") {
      const name = cursor.node.getChild("Identifier");
      if (name !== null) out.push(text(name));
    }
  return out;
}
