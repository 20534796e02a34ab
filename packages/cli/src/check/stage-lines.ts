// The stages of pipelines that share them, printed once: a stage that differs is shown per pipeline, and a
// run of stages repeated back to back is shown once with its count.

/** One stage position across pipelines: the same text everywhere, or each pipeline's own. */
type Step = { readonly text: string } | { readonly each: ReadonlyArray<readonly [string, string]> };

/** Lines listing the stages of `pipelines` (all with as many stages), each led by `indent`. */
export function stageLines(
  pipelines: ReadonlyArray<{ readonly name: string; readonly stageTexts: readonly string[] }>,
  indent: string,
): string[] {
  const count = pipelines[0]?.stageTexts.length ?? 0;
  if (count === 0) return [`${indent}(none: events go to the targets as read)`];
  const steps: Step[] = [];
  for (let i = 0; i < count; i++) {
    const texts = pipelines.map((p) => p.stageTexts[i]!);
    steps.push(
      texts.every((t) => t === texts[0])
        ? { text: texts[0]! }
        : { each: pipelines.map((p, n) => [p.name, texts[n]!] as const) },
    );
  }
  const width = String(count).length * 2 + 1;
  const number = (from: number, to = from) => (from === to ? `${from}` : `${from}–${to}`).padStart(width);
  const inner = `${indent}${" ".repeat(width + 2)}`;
  const lines: string[] = [];
  for (let i = 0; i < steps.length; ) {
    const run = repeatedRun(steps, i);
    if (run) {
      const last = i + run.length * run.times;
      lines.push(`${indent}${number(i + 1, last)}  ${run.times} times in a row:`);
      for (const step of steps.slice(i, i + run.length)) lines.push(...stepLines(step, `${inner}  `));
      i = last;
      continue;
    }
    const [first, ...rest] = stepLines(steps[i]!, inner);
    lines.push(`${indent}${number(i + 1)}  ${first!.trimStart()}`, ...rest);
    i++;
  }
  return lines;
}

function stepLines(step: Step, indent: string): string[] {
  if ("text" in step) return [`${indent}${step.text}`];
  const width = Math.max(...step.each.map(([name]) => name.length));
  return [
    `${indent}differs by pipeline:`,
    ...step.each.map(([name, text]) => `${indent}  ${name.padEnd(width)}  ${text}`),
  ];
}

/** The longest stretch from `start` made of one block of identical stages repeated at least twice. */
function repeatedRun(steps: readonly Step[], start: number): { length: number; times: number } | undefined {
  const key = (step: Step) => JSON.stringify(step);
  let best: { length: number; times: number } | undefined;
  for (let length = 1; start + 2 * length <= steps.length; length++) {
    let times = 1;
    while (
      start + (times + 1) * length <= steps.length &&
      steps
        .slice(start, start + length)
        .every((step, k) => key(step) === key(steps[start + times * length + k]!))
    )
      times++;
    if (times >= 2 && (!best || length * times > best.length * best.times)) best = { length, times };
  }
  return best;
}
