// podman as the image tests use it: the Node 20 base made from Debian's packages, the image built from
// deploy/image/Dockerfile on it, and containers run with this machine's limits.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { repoRoot } from "../harness/process.js";

const exec = promisify(execFile);

/** The image the tests build; podman's layer cache makes a rebuild of unchanged sources take seconds. */
export const IMAGE = "localhost/sluice:test";

/** The system's CA bundle: a build behind a TLS-intercepting proxy reaches the npm registry with it. */
const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** A hard limit of this process from /proc/self/limits (`Max open files`, `Max processes`). */
function hardLimit(name: string): number {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((l) => l.startsWith(name));
  const hard = line?.slice(26).trim().split(/\s+/)[1];
  return hard === undefined || hard === "unlimited" ? Number.POSITIVE_INFINITY : Number(hard);
}

/**
 * The flags every podman build and run here needs: runc, because crun refuses a cgroup v1/v2 hybrid; and
 * rlimits within this process's own, because podman's defaults raise them, which needs CAP_SYS_RESOURCE.
 */
export function runtimeFlags(): string[] {
  const files = Math.min(hardLimit("Max open files"), 1_048_576);
  const processes = Math.min(hardLimit("Max processes"), 4096);
  return [
    "--runtime",
    "runc",
    "--ulimit",
    `nofile=${files}:${files}`,
    "--ulimit",
    `nproc=${processes}:${processes}`,
  ];
}

/** Runs podman with `args`; rejects with its output when it exits non-zero. */
export async function podman(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await exec("podman", args, {
      cwd: repoRoot,
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`podman ${args.join(" ")} failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

/** Makes (or finds in the cache) the Debian-made Node 20 base; resolves with its name. */
export async function buildBase(): Promise<string> {
  const { stdout } = await exec("deploy/image/build-base", [], { cwd: repoRoot, timeout: 300_000 });
  return stdout.trim();
}

/** Builds deploy/image/Dockerfile on `base` as IMAGE. */
export async function buildImage(base: string): Promise<void> {
  const ca = existsSync(CA_BUNDLE)
    ? [
        "--volume",
        "/etc/ssl/certs:/etc/ssl/host-certs:ro",
        "--build-arg",
        "NODE_EXTRA_CA_CERTS=/etc/ssl/host-certs/ca-certificates.crt",
      ]
    : [];
  await podman(
    [
      "build",
      ...runtimeFlags(),
      // The host's network: no bridge to set up, and the npm registry reached as the host reaches it.
      "--network",
      "host",
      ...ca,
      "--build-arg",
      `BASE=${base}`,
      "--file",
      "deploy/image/Dockerfile",
      "--tag",
      IMAGE,
      ".",
    ],
    600_000,
  );
}

/** The image's config: its user, environment, entry point, command, ports and stop signal. */
export interface ImageConfig {
  User: string;
  Env: string[];
  Entrypoint: string[];
  Cmd: string[];
  WorkingDir: string;
  ExposedPorts: Record<string, unknown>;
  StopSignal: string;
}

export async function imageConfig(image: string): Promise<ImageConfig> {
  const [inspected] = JSON.parse(await podman(["image", "inspect", image])) as Array<{ Config: ImageConfig }>;
  return inspected!.Config;
}
