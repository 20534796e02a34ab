// Type-checks every ```ts block of README.md and packages/*/README.md, so the samples cannot drift from the API.
//
// Each block becomes one ES module in a temporary directory and tsc checks them all at once (strict,
// module NodeNext), resolving @sluice/* as an application would: through each package's `exports` to
// the built `dist/` types (`./scripts/setup` or `pnpm build` makes them). A block opened with
// ```ts fragment is an excerpt that cannot compile alone and is skipped; keep such blocks rare.
// Run with `pnpm docs:samples`; it exits 1 naming README:line for every error.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../..");

interface Sample {
  /** The README, relative to the repository root. */
  readme: string;
  /** The README line of the sample's first code line. */
  line: number;
  code: string;
}

/** The READMEs whose samples are checked: the root one and every package's. */
function readmes(): string[] {
  const packages = readdirSync(join(root, "packages"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join("packages", entry.name, "README.md"))
    .filter((file) => existsSync(join(root, file)));
  return ["README.md", ...packages.sort()];
}

/** Every ```ts block of a README (not ```ts fragment), with the line it starts on. */
function extractSamples(readme: string, text: string): Sample[] {
  const samples: Sample[] = [];
  const lines = text.split("\n");
  let open: { info: string; fence: string; line: number; body: string[] } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!open) {
      const start = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/.exec(line);
      if (start) open = { info: `${start[3]} ${start[4]}`.trim(), fence: start[2]!, line: i + 2, body: [] };
      continue;
    }
    if (line.trim() === open.fence) {
      const [language, ...flags] = open.info.split(/\s+/);
      if ((language === "ts" || language === "typescript") && !flags.includes("fragment"))
        samples.push({ readme, line: open.line, code: dedent(open.body).join("\n") });
      open = undefined;
      continue;
    }
    open.body.push(line);
  }
  return samples;
}

/** A block indented inside a list item, moved back to column 0. */
function dedent(body: string[]): string[] {
  const indents = body.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)![0].length);
  const cut = indents.length === 0 ? 0 : Math.min(...indents);
  return body.map((l) => l.slice(cut));
}

function fileName(sample: Sample): string {
  return `${sample.readme.replace(/[/\\.]/g, "_")}_L${sample.line}.ts`;
}

function main(): number {
  const samples = readmes().flatMap((readme) =>
    extractSamples(readme, readFileSync(join(root, readme), "utf8")),
  );
  const dir = mkdtempSync(join(tmpdir(), "sluice-samples-"));
  try {
    // The samples import @sluice/* and rxjs as an application does, from the workspace's node_modules.
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2023"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: true,
          noEmit: true,
          types: ["node"],
        },
        include: ["samples/*.ts"],
      }),
    );
    mkdirSync(join(dir, "samples"));
    const byFile = new Map<string, Sample>();
    for (const sample of samples) {
      const name = fileName(sample);
      byFile.set(name, sample);
      // `export {}` makes a sample without imports a module too, so top-level await and names stay its own.
      writeFileSync(join(dir, "samples", name), `${sample.code}\nexport {};\n`);
    }
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const result = spawnSync(process.execPath, [tsc, "-p", dir, "--pretty", "false"], { encoding: "utf8" });
    const output = `${result.stdout}${result.stderr}`;
    let errors = 0;
    for (const line of output.split("\n")) {
      if (line.trim() === "") continue;
      const match = /^(?:.*[/\\])?samples[/\\]([^/\\(]+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line);
      const sample = match ? byFile.get(match[1]!) : undefined;
      if (match && sample) {
        errors++;
        const at = sample.line + Number(match[2]) - 1;
        console.error(`${sample.readme}:${at}:${match[3]}: ${match[4]}`);
      } else console.error(line);
    }
    const readmeCount = new Set(samples.map((s) => s.readme)).size;
    if (result.status !== 0) {
      console.error(
        `docs:samples: ${errors} error(s) in ${samples.length} samples of ${readmeCount} READMEs`,
      );
      // The samples read the built declarations: a missing or stale dist/ looks like a broken sample.
      if (/TS2307: Cannot find module '@sluice\//.test(output))
        console.error("docs:samples: @sluice/* types not found: run `pnpm build` (or ./scripts/setup) first");
      return 1;
    }
    console.log(`docs:samples: ${samples.length} samples of ${readmeCount} READMEs compile`);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = main();
