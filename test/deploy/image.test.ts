// The container image (deploy/image/Dockerfile): its rules checked on the file; its runtime stage's files made
// here by the same deploy command and run with no dev dependency at hand; then the image itself built with
// podman on a Node 20 base made from Debian's packages, run on Kafka and Elasticsearch, and stopped as a
// kubelet stops it.
import { execFile, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_HTTP_PORT } from "../../packages/cli/src/command/run.js";
import { runsOn } from "../harness/backends.js";
import { freePort } from "../harness/jvm.js";
import { produceWithKcat } from "../harness/kafka/fluent-bit-producer.js";
import { fluentBitRecords } from "../harness/kafka/records.js";
import { repoRoot } from "../harness/process.js";
import { countDocs, useTestbed, waitFor } from "../pipeline/helpers.js";
import { execForm, instructions, names, readDockerfile, type Stage } from "./dockerfile.js";
import { buildBase, buildImage, IMAGE, imageConfig, podman, runtimeFlags } from "./podman.js";

const exec = promisify(execFile);
const DOCKERFILE = join(repoRoot, "deploy/image/Dockerfile");
const CONFIG = "examples/sluice/insight.yaml";
const TOPICS = ["insight-logs", "insight-event", "insight-gw-skoala"] as const;
const TARGETS = ["insight-es-k8s-logs-alias", "insight-es-k8s-event-logs-alias", "skoala-gw-alias"] as const;

const json = (path: string) => JSON.parse(readFileSync(join(repoRoot, path), "utf8"));
const cli = json("packages/cli/package.json") as { version: string; bin: Record<string, string> };

const dockerfile = readDockerfile(DOCKERFILE);
const build = dockerfile.stages[0]!;
/** How a FROM line names the BASE build argument. */
const FROM_BASE = "$" + "{BASE}";
const runtime = dockerfile.stages.at(-1)!;

/** The build stage's `pnpm … deploy …` command, the one that lays out the runtime stage's files. */
function deployCommand(stage: Stage): { argv: string[]; out: string } {
  for (const run of instructions(stage, "RUN"))
    for (const command of run.args.split("&&").map((c) => c.trim()))
      if (/^pnpm\b.*\sdeploy\s/.test(command)) {
        const argv = command.split(/\s+/).slice(1);
        return { argv: argv.slice(0, -1), out: argv.at(-1)! };
      }
  throw new Error("the build stage runs no `pnpm deploy`");
}

describe("deploy/image/Dockerfile", () => {
  it("builds in one stage and runs from another, both on BASE, which defaults to the official Node 20 slim image", () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    const base = dockerfile.globalArgs.find((a) => a.keyword === "ARG" && names(a)[0] === "BASE");
    expect(base?.args).toMatch(/^BASE=node:20-[a-z]+-slim$/);
    expect(build.from).toBe(FROM_BASE);
    expect(build.name).toBe("build");
    expect(runtime.from).toBe(FROM_BASE);
  });

  it("runs as a numeric non-root user, with SLUICE_HTTP_HOST for the probes and no NODE_OPTIONS", () => {
    const users = instructions(runtime, "USER");
    expect(users).toHaveLength(1);
    const [uid, gid] = users[0]!.args.split(":");
    expect(uid).toMatch(/^[1-9]\d*$/);
    expect(gid).toMatch(/^[1-9]\d*$/);
    // NODE_OPTIONS belongs to the operator: neither stage sets it nor declares it.
    const variables = dockerfile.stages.flatMap((s) => [
      ...instructions(s, "ENV"),
      ...instructions(s, "ARG"),
    ]);
    expect(variables.flatMap(names)).not.toContain("NODE_OPTIONS");
    expect(instructions(runtime, "ENV").map((e) => e.args)).toContain("SLUICE_HTTP_HOST=0.0.0.0");
    // What only the build needs stays in the build stage.
    expect(instructions(runtime, "ARG").flatMap(names)).not.toContain("NODE_EXTRA_CA_CERTS");
  });

  it("starts `sluice run /etc/sluice/sluice.yaml` with node, exposes the default port and stops on SIGTERM", () => {
    const workdir = instructions(runtime, "WORKDIR").at(-1)?.args;
    expect(workdir).toBe("/app");
    expect(execForm(instructions(runtime, "ENTRYPOINT").at(-1)!)).toEqual([
      "node",
      join(workdir!, cli.bin.sluice!),
    ]);
    expect(execForm(instructions(runtime, "CMD").at(-1)!)).toEqual(["run", "/etc/sluice/sluice.yaml"]);
    expect(instructions(runtime, "EXPOSE").map((e) => e.args)).toEqual([String(DEFAULT_HTTP_PORT)]);
    expect(instructions(runtime, "STOPSIGNAL").map((e) => e.args)).toEqual(["SIGTERM"]);
  });

  it("gives the runtime stage only the CLI's production deployment: no RUN, one COPY from the build stage", () => {
    expect(instructions(runtime, "RUN")).toEqual([]);
    const { argv, out } = deployCommand(build);
    expect(argv).toEqual(expect.arrayContaining(["--filter", "@sluice/cli", "deploy", "--prod"]));
    expect(instructions(runtime, "COPY").map((c) => c.args)).toEqual([`--from=build ${out}/ /app/`]);
    expect(instructions(runtime, "ADD")).toEqual([]);
  });

  it("is built from sources and the lockfile: .dockerignore leaves out installs, builds, tests and .git", () => {
    const ignored = readFileSync(join(repoRoot, ".dockerignore"), "utf8").split("\n");
    for (const pattern of ["**/node_modules", "**/dist", ".git", "test", "packages/*/test"])
      expect(ignored).toContain(pattern);
  });
});

describe("the runtime stage's files, laid out here by the build stage's own deploy command", () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-image-"));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    // pnpm deploy run from a clone under the same temp folder leaves an empty twin of the target in packages/.
    rmSync(join(repoRoot, "packages", basename(dir)), { recursive: true, force: true });
  });

  beforeAll(async () => {
    const { argv } = deployCommand(build);
    await exec("pnpm", [...argv, join(dir, "app")], { cwd: repoRoot, timeout: 120_000 });
  }, 120_000);

  it("holds production dependencies only, each at the version the lockfile pins", () => {
    const app = join(dir, "app");
    const store = readdirSync(join(app, "node_modules/.pnpm")).filter(
      (n) => n !== "node_modules" && n !== "lock.yaml",
    );
    const installed = store
      .filter((n) => !n.startsWith("@sluice+"))
      .map((n) => /^(@?[^@]+)@([^_]+)/.exec(n.replace("+", "/"))!)
      .map(([, name, version]) => ({ name: name!, version: version! }));
    expect(installed.map((p) => p.name)).toEqual(expect.arrayContaining(["kafkajs", "rxjs", "prom-client"]));
    // A root devDependency that no workspace package depends on is a dev tool: none may be there.
    const production = new Set(
      readdirSync(join(repoRoot, "packages"))
        // Only the workspace's packages: a folder without a manifest is none (pnpm deploy may leave one).
        .filter((p) => existsSync(join(repoRoot, "packages", p, "package.json")))
        .flatMap((p) => Object.keys(json(`packages/${p}/package.json`).dependencies ?? {})),
    );
    const tools = Object.keys(json("package.json").devDependencies).filter((d) => !production.has(d));
    expect(tools).toEqual(expect.arrayContaining(["typescript", "vitest", "tsx", "@biomejs/biome"]));
    // One may still arrive as a production package's own dependency (@types/node is apache-arrow's).
    const dependedOn = (dep: string) =>
      store.filter(
        (n) =>
          existsSync(join(app, "node_modules/.pnpm", n, "node_modules", dep)) &&
          !n.startsWith(`${dep.replace("/", "+")}@`),
      );
    expect(
      installed.map((p) => p.name).filter((n) => tools.includes(n) && dependedOn(n).length === 0),
    ).toEqual([]);
    const lockfile = readFileSync(join(repoRoot, "pnpm-lock.yaml"), "utf8");
    for (const { name, version } of installed)
      expect(lockfile, `${name}@${version}`).toContain(
        `\n  ${name.startsWith("@") ? `'${name}@${version}'` : `${name}@${version}`}:`,
      );
    // Sources, tests and the TypeScript build's leftovers stay out.
    expect(readdirSync(app).sort()).toEqual(
      [
        "CHANGELOG.md",
        "LICENSE",
        "README.md",
        "dist",
        "node_modules",
        "package.json",
        "sluice.schema.json",
      ].sort(),
    );
  });

  it("starts from dist with nothing but itself: --version, and `check --offline` of a Sluice config", async () => {
    const app = join(dir, "app");
    copyFileSync(join(repoRoot, CONFIG), join(dir, "sluice.yaml"));
    const env = { PATH: process.env.PATH ?? "", HOME: dir };
    const version = await exec(process.execPath, [join(app, cli.bin.sluice!), "--version"], {
      cwd: dir,
      env,
    });
    expect(version.stdout.trim()).toBe(cli.version);
    const check = await exec(
      process.execPath,
      [join(app, cli.bin.sluice!), "check", "--offline", "sluice.yaml"],
      {
        cwd: dir,
        env,
      },
    );
    expect(check.stdout).toContain("Pipeline insight-logs");
    expect(check.stdout).toContain("reads topics insight-logs, insight-event, insight-gw-skoala");
    expect(check.stdout).toContain("Connections not checked (offline)");
  });
});

describe(`the image, built with podman and run ${runsOn({ kafka: true, es: true })}`, () => {
  // The build starts with the testbed's JVMs rather than after them.
  let built: Promise<void>;
  beforeAll(() => {
    built = buildBase().then(buildImage);
    built.catch(() => {});
  });
  const bed = useTestbed();
  const name = `sluice-image-test-${process.pid}`;
  afterAll(async () => {
    await podman(["rm", "--force", "--ignore", name]).catch(() => {});
  });

  it("builds: user 1000, no NODE_OPTIONS, the entry point and command of the Dockerfile", async () => {
    await built;
    const config = await imageConfig(IMAGE);
    expect(config.User).toBe("1000:1000");
    expect(config.Env.map((e) => e.split("=")[0])).not.toContain("NODE_OPTIONS");
    expect(config.Env.map((e) => e.split("=")[0])).not.toContain("NODE_EXTRA_CA_CERTS");
    expect(config.Env).toContain("SLUICE_HTTP_HOST=0.0.0.0");
    expect(config.Entrypoint).toEqual(["node", "/app/dist/bin.js"]);
    expect(config.Cmd).toEqual(["run", "/etc/sluice/sluice.yaml"]);
    expect(Object.keys(config.ExposedPorts)).toEqual([`${DEFAULT_HTTP_PORT}/tcp`]);
    expect(config.StopSignal).toBe("SIGTERM");
  }, 600_000);

  it("runs `sluice run` on a mounted config, read-only: every record lands, probes answer, podman stop drains", async () => {
    await built;
    const perTopic = 500;
    for (const [i, topic] of TOPICS.entries()) {
      await bed.kafka.createTopic(topic, 3);
      await produceWithKcat({
        brokers: bed.kafka.bootstrapServers,
        topic,
        messages: fluentBitRecords(perTopic, { seed: 900 + i }),
      });
    }
    const port = await freePort();
    const child = spawn(
      "podman",
      [
        "run",
        "--rm",
        "--name",
        name,
        ...runtimeFlags(),
        "--network",
        "host",
        "--read-only",
        "--volume",
        `${join(repoRoot, CONFIG)}:/etc/sluice/sluice.yaml:ro`,
        "--env",
        `KAFKA_BROKERS=${bed.kafka.bootstrapServers}`,
        "--env",
        `ES_URL=${bed.es.url}`,
        "--env",
        `SLUICE_HTTP_PORT=${port}`,
        IMAGE,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const alive = <T>(value: T) => {
      if (child.exitCode !== null) throw new Error(`the container exited (${child.exitCode}):\n${output}`);
      return value;
    };
    const status = async (path: string) => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}${path}`);
        await response.arrayBuffer();
        return alive(response.status);
      } catch (error) {
        alive(0);
        throw error;
      }
    };

    // The endpoint listens on every interface of the container: from outside it, /readyz says ready.
    await waitFor(
      "/readyz to answer 200",
      () => status("/readyz").catch(() => 0),
      (s) => s === 200,
      90_000,
    );
    const landed = async () =>
      alive((await Promise.all(TARGETS.map((t) => countDocs(bed.client, t)))).join(","));
    await waitFor("every record to land", landed, (n) => n === TARGETS.map(() => perTopic).join(","), 90_000);
    expect(await status("/livez")).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/pipeline="insight-logs"/);
    // The process is the image's user, and the root file system is read-only to it.
    expect((await podman(["exec", name, "id", "-u"])).trim()).toBe("1000");
    await expect(podman(["exec", name, "touch", "/app/x"])).rejects.toThrow(/Read-only file system/);

    // podman stop sends the image's STOPSIGNAL, as the kubelet does: sluice drains and exits 0.
    await podman(["stop", "--time", "30", name], 60_000);
    expect(await exited, output).toBe(0);
    expect(output).toContain("sluice: stopped (drained)");
    const doc = await bed.client.search<Record<string, unknown>>({
      index: TARGETS[0],
      size: 1,
      query: { term: { _id: "insight-logs+0+0" } },
    });
    expect(doc.hits.hits[0]?._source?.["@timestamp"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }, 240_000);
});
