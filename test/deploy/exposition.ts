// The metric names a /metrics page exports and the label names each one's samples carry.
/** Metric name (as a sample line names it: a histogram's `_bucket`, `_sum`, `_count`) → its label names. */
export type ExportedMetrics = ReadonlyMap<string, ReadonlySet<string>>;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+\S+/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g;

/** Reads Prometheus's text exposition format: every sample line's name and label names. */
export function exportedMetrics(text: string): ExportedMetrics {
  const out = new Map<string, Set<string>>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels = out.get(match[1]!) ?? new Set<string>();
    for (const label of (match[2] ?? "").matchAll(LABEL)) labels.add(label[1]!);
    out.set(match[1]!, labels);
  }
  return out;
}
