// helm and kustomize for the deploy tests: built once from the Go module proxy at pinned versions into a
// cache outside the work tree, so a clone (or CI) builds them on first use and never again.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The Go packages and versions the tests build; the version is part of the cache path. */
export const DEPLOY_TOOLS = {
  helm: { module: "helm.sh/helm/v3/cmd/helm", version: "v3.22.1" },
  kustomize: { module: "sigs.k8s.io/kustomize/kustomize/v5", version: "v5.8.2" },
} as const;
export type DeployTool = keyof typeof DEPLOY_TOOLS;

/** Where the built binaries live: $XDG_CACHE_HOME (or ~/.cache)/sluice/go-tools/<tool>@<version>/. */
export function toolPath(tool: DeployTool): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cache, "sluice", "go-tools", `${tool}@${DEPLOY_TOOLS[tool].version}`, tool);
}

/** The Go command: on PATH, or where the official tarball installs it. */
function goCommand(): string {
  for (const dir of (process.env.PATH ?? "").split(":"))
    if (dir && existsSync(join(dir, "go"))) return join(dir, "go");
  if (existsSync("/usr/local/go/bin/go")) return "/usr/local/go/bin/go";
  throw new Error("go is needed to build helm and kustomize for test/deploy (install Go 1.26)");
}

/** The tool's binary, built with `go install` when the cache does not hold it yet. */
export async function deployTool(tool: DeployTool): Promise<string> {
  const path = toolPath(tool);
  if (existsSync(path)) return path;
  const { module, version } = DEPLOY_TOOLS[tool];
  const bin = join(path, "..");
  await mkdir(bin, { recursive: true });
  // GOTOOLCHAIN=local: a module that wants a newer Go fails here rather than downloading a toolchain.
  await run(goCommand(), ["install", "-trimpath", `${module}@${version}`], {
    env: { ...process.env, GOBIN: bin, CGO_ENABLED: "0", GOTOOLCHAIN: "local" },
    maxBuffer: 16 * 1024 * 1024,
  });
  return path;
}

/** Runs a tool and returns its standard output; a failure carries its standard error. */
export async function runTool(tool: DeployTool, args: readonly string[]): Promise<string> {
  const binary = await deployTool(tool);
  try {
    const { stdout } = await run(binary, [...args], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`${tool} ${args.join(" ")} failed: ${stderr || String(error)}`);
  }
}
