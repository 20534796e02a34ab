// The supported-functions table of packages/transforms/README.md (a list by category): every function
// of the vrl crate, the ones Sluice implements marked with how many of the crate's examples they pass.
import type { VrlFunction } from "./client.js";
import type { ExampleReport } from "./examples.js";

/** The README this table lives in, and the comments it sits between. */
export const TABLE_README = new URL("../../../packages/transforms/README.md", import.meta.url);
export const TABLE_START = "<!-- vrl-functions:start (pnpm docs:vrl-functions writes this table) -->";
export const TABLE_END = "<!-- vrl-functions:end -->";

/** The crate's network functions: the oracle's build leaves them out (they need a TLS stack and the network). */
export const NOT_IN_ORACLE: ReadonlyArray<{ name: string; category: string }> = [
  { name: "dns_lookup", category: "System" },
  { name: "http_request", category: "System" },
  { name: "reverse_dns", category: "System" },
];

/** The table (with its coverage line) for the oracle's functions and the examples' verdicts. */
export function functionsTable(
  vrlVersion: string,
  functions: readonly VrlFunction[],
  reports: readonly ExampleReport[],
  supported: readonly string[],
): string {
  const implemented = new Set(supported);
  const byCategory = new Map<string, string[]>();
  const all = [
    ...functions.map((fn) => ({ name: fn.name, category: fn.category })),
    ...NOT_IN_ORACLE.filter((fn) => !functions.some((f) => f.name === fn.name)),
  ];
  for (const fn of all) {
    const cell = byCategory.get(fn.category) ?? [];
    if (implemented.has(fn.name)) {
      const own = reports.filter((r) => r.function === fn.name && r.sluice);
      const passed = own.filter((r) => r.sluice && "pass" in r.sluice && r.sluice.pass).length;
      const judged = own.filter((r) => r.sluice && "pass" in r.sluice).length;
      cell.push(`**\`${fn.name}\`** ${passed}/${judged}`);
    } else cell.push(`\`${fn.name}\``);
    byCategory.set(fn.category, cell);
  }
  const count = all.filter((fn) => implemented.has(fn.name)).length;
  const rows = [...byCategory.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, cells]) => `- ${category}: ${cells.sort(byName).join(", ")}`);
  return [
    TABLE_START,
    "",
    `Supported: **${count} of the ${all.length} functions** of the \`vrl\` crate ${vrlVersion} (the version current`,
    "Vector releases use). A supported function (bold) compiles and runs in `remap` as in Vector; the",
    "figure after it counts the crate's own documented examples of it that give the documented result",
    "in Sluice, out of those it runs (not counted: examples that also call an unsupported function, and",
    "the few the examples test pins as deliberately refused).",
    "",
    ...rows,
    "",
    TABLE_END,
  ].join("\n");
}

function byName(a: string, b: string): number {
  return a.replace(/[*`]/g, "").localeCompare(b.replace(/[*`]/g, ""));
}

/** `readme` with the text between the markers replaced by `table`; throws when the markers are missing. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`${TABLE_README.pathname} lacks the table's markers`);
  return readme.slice(0, start) + table + readme.slice(end + TABLE_END.length);
}
