// Bench helpers: child processes and RSS come from the test harness; medians.
export {
  repoRoot,
  rssBytes,
  type ScriptRun,
  scriptArgv,
  spawnScript,
} from "../../test/harness/process.js";

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
