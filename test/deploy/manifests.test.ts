// The manifests under deploy/: the kustomize overlays and the Helm chart rendered, every object (and every
// YAML manifest there) checked against the Kubernetes and CRD schemas offline, the configs they carry
// loaded by `sluice check --offline`, and the Deployment's probes asked of a running `sluice run`.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { sluice } from "@sluice/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { SEED_TOPICS, SLUICE_BIN } from "../cli/helpers.js";
import { runsOn } from "../harness/backends.js";
import { repoRoot, spawnScript } from "../harness/process.js";
import { useTestbed, waitFor } from "../pipeline/helpers.js";
import { deployTool, runTool } from "./tools.js";
import { schemaErrors } from "./validate.js";

/** A rendered object: its shape is what the schemas check, so the test reads it by path. */
// biome-ignore lint/suspicious/noExplicitAny: the schemas, not the type, say what a rendered object holds.
type Loose = any;
type K8sObject = { apiVersion: string; kind: string; metadata: { name: string }; spec?: Loose; data?: Loose };
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    configMapKeyRef?: { name: string; key: string };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

const DEPLOY = join(repoRoot, "deploy");
const OVERLAY = join(DEPLOY, "kubernetes/overlays/seed");
const BASE = join(DEPLOY, "kubernetes/base");
const CHART = join(DEPLOY, "helm/sluice");

/** The objects of a multi-document YAML text (empty documents left out). */
function objectsOf(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join("\n"));
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

const kustomize = async (dir: string) => objectsOf(await runTool("kustomize", ["build", dir]));
const helmTemplate = async (dir: string, ...set: string[]) =>
  objectsOf(await runTool("helm", ["template", "sluice", dir, ...set.flatMap((s) => ["--set", s])]));

/** Every schema error of `objects`, each prefixed with the object's kind and name. */
async function validateAll(objects: readonly K8sObject[]): Promise<string[]> {
  const errors: string[] = [];
  for (const object of objects)
    for (const error of await schemaErrors(object)) errors.push(`${object.metadata?.name}: ${error}`);
  return errors;
}

/** What the schemas cannot see: names one object uses that no object of the render defines. */
function danglingReferences(objects: readonly K8sObject[]): string[] {
  const configMaps = new Set(objects.filter((o) => o.kind === "ConfigMap").map((o) => o.metadata.name));
  const deployments = new Set(objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name));
  const problems: string[] = [];
  for (const d of objects.filter((o) => o.kind === "Deployment")) {
    const pod = d.spec.template.spec;
    for (const volume of pod.volumes ?? [])
      if (volume.configMap && !configMaps.has(volume.configMap.name))
        problems.push(`${d.metadata.name}: volume ${volume.name} names ConfigMap ${volume.configMap.name}`);
    for (const container of pod.containers) {
      const ports = new Set((container.ports ?? []).map((p: { name?: string }) => p.name));
      for (const env of (container.env ?? []) as EnvVar[]) {
        const ref = env.valueFrom?.configMapKeyRef;
        if (ref && !configMaps.has(ref.name)) problems.push(`${env.name} names ConfigMap ${ref.name}`);
      }
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        const port = container[probe]?.httpGet?.port;
        if (typeof port === "string" && !ports.has(port)) problems.push(`${probe} names port ${port}`);
      }
    }
  }
  for (const s of objects.filter((o) => o.kind === "ScaledObject"))
    if (!deployments.has(s.spec.scaleTargetRef.name))
      problems.push(`ScaledObject ${s.metadata.name} scales ${s.spec.scaleTargetRef.name}`);
  return problems;
}

function only(objects: readonly K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
}

const containerOf = (deployment: K8sObject) => deployment.spec.template.spec.containers[0];

/** The Sluice config a render's ConfigMap mounts at /etc/sluice. */
function sluiceConfig(objects: readonly K8sObject[]): string {
  const deployment = only(objects, "Deployment");
  const volume = deployment.spec.template.spec.volumes.find(
    (v: { name: string }) =>
      v.name ===
      containerOf(deployment).volumeMounts.find((m: { mountPath: string }) => m.mountPath === "/etc/sluice")
        .name,
  );
  const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === volume.configMap.name);
  return configMap!.data["sluice.yaml"];
}

/** YAML files under `dir`, Helm templates left out (they are rendered, not read). */
async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && /\.ya?ml$/.test(entry.name) && !/\/templates\//.test(path)) out.push(path);
  }
  return out.sort();
}

/** `sluice check FILE --offline`'s exit code and output, `env` standing in for the pod's environment. */
async function checkOffline(config: string, env: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), "sluice-deploy-"));
  try {
    const file = join(dir, "sluice.yaml");
    await writeFile(file, config);
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), exit: () => {}, env };
    const code = await sluice(["check", file, "--offline"], io);
    return { code, output: lines.join("\n") };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the Secrets would hold in a cluster. */
const SECRET_ENV = { ES_USERNAME: "elastic", ES_PASSWORD: "not-a-secret" };

describe("deploy/ manifests render and validate offline", () => {
  // A clone's first run builds helm and kustomize from the Go module proxy (minutes); later runs find them.
  beforeAll(async () => {
    await deployTool("kustomize");
    await deployTool("helm");
  }, 900_000);

  it("the seed overlay: valid objects, 3 replicas, the seed's config, KEDA on the group's lag", async () => {
    const objects = await kustomize(OVERLAY);
    expect(objects.map((o) => o.kind).sort()).toEqual([
      "ConfigMap",
      "ConfigMap",
      "Deployment",
      "PodDisruptionBudget",
      "ScaledObject",
      "Service",
    ]);
    expect(await validateAll(objects)).toEqual([]);
    expect(danglingReferences(objects)).toEqual([]);
    const deployment = only(objects, "Deployment");
    expect(deployment.spec.replicas).toBe(3);
    expect(sluiceConfig(objects)).toBe(await readFile(join(OVERLAY, "sluice.yaml"), "utf8"));
    const scaled = only(objects, "ScaledObject");
    const trigger = scaled.spec.triggers[0];
    expect(trigger.type).toBe("kafka");
    // The group the KEDA trigger watches is the one every pipeline of the config consumes in.
    const groups = [...sluiceConfig(objects).matchAll(/^ {6}groupId: (\S+)$/gm)].map((m) => m[1]);
    expect(new Set(groups)).toEqual(new Set([trigger.metadata.consumerGroup]));
    expect(scaled.spec.maxReplicaCount).toBeLessThanOrEqual(3);
  });

  it("the base: valid objects, probes on /readyz and /livez at the http port, grace above the drain", async () => {
    const objects = await kustomize(BASE);
    expect(await validateAll(objects)).toEqual([]);
    expect(danglingReferences(objects)).toEqual([]);
    const deployment = only(objects, "Deployment");
    const container = containerOf(deployment);
    expect(container.args).toEqual(["run", "/etc/sluice/sluice.yaml"]);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/livez", port: "http" });
    expect(container.ports).toEqual([{ name: "http", containerPort: 9464, protocol: "TCP" }]);
    // The pipeline's default shutdownTimeoutMs is 20 s; the group leave comes after it.
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(20);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    const env = Object.fromEntries((container.env as EnvVar[]).map((e) => [e.name, e]));
    expect(env.SLUICE_HTTP_HOST?.valueFrom?.fieldRef?.fieldPath).toBe("status.podIP");
    expect(env.ES_PASSWORD?.valueFrom?.secretKeyRef?.name).toBe("sluice-elasticsearch");
    expect(env.KAFKA_PASSWORD?.valueFrom?.secretKeyRef?.name).toBe("sluice-kafka");
  });

  it("the chart's default values reproduce the seed overlay's Deployment, config and autoscaling", async () => {
    const [chart, overlay] = await Promise.all([helmTemplate(CHART), kustomize(OVERLAY)]);
    expect(await validateAll(chart)).toEqual([]);
    expect(danglingReferences(chart)).toEqual([]);
    expect(sluiceConfig(chart)).toBe(sluiceConfig(overlay));
    const [c, o] = [only(chart, "Deployment"), only(overlay, "Deployment")];
    expect(c.spec.replicas).toBe(o.spec.replicas);
    for (const field of [
      "args",
      "ports",
      "startupProbe",
      "readinessProbe",
      "livenessProbe",
      "resources",
      "securityContext",
    ])
      expect(containerOf(c)[field], field).toEqual(containerOf(o)[field]);
    const secretRefs = (d: K8sObject) =>
      (containerOf(d).env as EnvVar[]).map((e) => [
        e.name,
        e.valueFrom?.secretKeyRef ?? e.valueFrom?.fieldRef ?? null,
      ]);
    expect(secretRefs(c)).toEqual(secretRefs(o));
    expect(c.spec.template.spec.terminationGracePeriodSeconds).toBe(
      o.spec.template.spec.terminationGracePeriodSeconds,
    );
    expect(only(chart, "ScaledObject").spec.triggers).toEqual(only(overlay, "ScaledObject").spec.triggers);
    expect(only(chart, "PodDisruptionBudget").spec.maxUnavailable).toBe(1);
  });

  it("the chart's optional objects come and go with their values, valid either way", async () => {
    const all = await helmTemplate(CHART, "serviceMonitor.enabled=true");
    expect(all.map((o) => o.kind).sort()).toEqual([
      "ConfigMap",
      "Deployment",
      "PodDisruptionBudget",
      "ScaledObject",
      "Service",
      "ServiceMonitor",
    ]);
    expect(await validateAll(all)).toEqual([]);
    const none = await helmTemplate(
      CHART,
      "keda.enabled=false",
      "pdb.enabled=false",
      "service.enabled=false",
    );
    expect(none.map((o) => o.kind).sort()).toEqual(["ConfigMap", "Deployment"]);
    expect(await validateAll(none)).toEqual([]);
  });

  it("every manifest under deploy/ validates by its apiVersion and kind, whoever added it", async () => {
    const checked: string[] = [];
    const errors: string[] = [];
    for (const file of await yamlFiles(DEPLOY)) {
      const name = relative(repoRoot, file);
      if (file.endsWith("/kustomization.yaml")) {
        // A kustomization is checked by what it builds.
        errors.push(...(await validateAll(await kustomize(join(file, "..")))).map((e) => `${name}: ${e}`));
        checked.push(name);
        continue;
      }
      if (file.endsWith("/Chart.yaml")) {
        errors.push(...(await validateAll(await helmTemplate(join(file, "..")))).map((e) => `${name}: ${e}`));
        checked.push(name);
        continue;
      }
      for (const object of objectsOf(await readFile(file, "utf8"))) {
        // Sluice configs, chart values and kustomize's own files are not Kubernetes objects.
        if (typeof object.kind !== "string") continue;
        if (/^kustomize\.config\.k8s\.io\//.test(object.apiVersion)) continue;
        errors.push(...(await schemaErrors(object)).map((e) => `${name}: ${e}`));
        checked.push(name);
      }
    }
    expect(errors).toEqual([]);
    expect(checked).toEqual(
      expect.arrayContaining([
        "deploy/helm/sluice/Chart.yaml",
        "deploy/kubernetes/base/deployment.yaml",
        "deploy/kubernetes/base/kustomization.yaml",
        "deploy/kubernetes/overlays/seed/kustomization.yaml",
        "deploy/kubernetes/overlays/seed/scaledobject.yaml",
      ]),
    );
  });

  it("refuses objects that break their schemas", async () => {
    const [deployment] = (await kustomize(BASE)).filter((o) => o.kind === "Deployment");
    const broken = structuredClone(deployment!);
    containerOf(broken).ports[0].containerPort = "http";
    expect((await schemaErrors(broken)).join("\n")).toMatch(/containerPort must be integer/);
    const noName = structuredClone(deployment!);
    delete containerOf(noName).name;
    expect((await schemaErrors(noName)).join("\n")).toMatch(/containers\/0 must have required property name/);
    const scaled = objectsOf(await readFile(join(OVERLAY, "scaledobject.yaml"), "utf8"))[0]!;
    scaled.spec.triggers[0].metadata.lagThreshold = 5000;
    expect((await schemaErrors(scaled)).join("\n")).toMatch(/lagThreshold must be string/);
    expect(await schemaErrors({ apiVersion: "example.com/v1", kind: "Widget" })).toEqual([
      'example.com/v1 Widget: no schema known for API group "example.com"',
    ]);
    expect(await schemaErrors({ apiVersion: "apps/v1", kind: "Deploymnet" })).toEqual([
      "apps/v1 Deploymnet: no schema in kubernetes-models",
    ]);
    const dangling = (await kustomize(BASE)).filter(
      (o) => o.metadata.name !== "sluice-config" && !o.metadata.name.startsWith("sluice-config-"),
    );
    expect(danglingReferences(dangling)).toEqual([
      expect.stringMatching(/volume config names ConfigMap sluice-config/),
    ]);
  });

  it("the configs the ConfigMaps carry load: sluice check --offline", async () => {
    const env = { ...SECRET_ENV, KAFKA_BROKERS: "kafka:9092", ES_URL: "https://elasticsearch:9200" };
    for (const objects of [await kustomize(OVERLAY), await kustomize(BASE), await helmTemplate(CHART)]) {
      const { code, output } = await checkOffline(sluiceConfig(objects), env);
      expect(code, output).toBe(0);
    }
    // Without the Secret's password the config is refused, naming the variable: the reference is live.
    const { ES_PASSWORD: _, ...withoutPassword } = env;
    const { code, output } = await checkOffline(sluiceConfig(await kustomize(OVERLAY)), withoutPassword);
    expect(code).toBe(2);
    expect(output).toMatch(/ES_PASSWORD/);
  });
});

describe(`the Deployment's probes against sluice run ${runsOn({ kafka: true, es: true })}`, () => {
  const bed = useTestbed();
  let dir = "";
  beforeAll(async () => {
    await deployTool("kustomize");
    for (const topic of SEED_TOPICS) await bed.kafka.createTopic(topic, 3);
    dir = await mkdtemp(join(tmpdir(), "sluice-etc-"));
  }, 900_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("serves /readyz and /livez with 200 at the containerPort once ready, with the seed ConfigMap's config", async () => {
    const objects = await kustomize(OVERLAY);
    const container = containerOf(only(objects, "Deployment"));
    // The ConfigMap as the pod mounts it at /etc/sluice.
    await writeFile(join(dir, "sluice.yaml"), sluiceConfig(objects));
    const args = (container.args as string[]).map((a) => a.replace(/^\/etc\/sluice\//, `${dir}/`));
    const port = container.ports.find((p: { name: string }) => p.name === "http").containerPort as number;
    const clusters = only(
      objects.filter((o) => o.metadata.name.startsWith("sluice-clusters")),
      "ConfigMap",
    ).data as Record<string, string>;
    // The pod's environment: literal values and the clusters' ConfigMap as written, the Secrets stood in for,
    // the pod IP as loopback; the test clusters' addresses replace the seed's by flag.
    const env: Record<string, string | undefined> = {
      SLUICE_EXIT_WHEN_IDLE_MS: undefined,
      SLUICE_LOG_LEVEL: undefined,
    };
    for (const e of container.env as EnvVar[]) {
      if (e.value !== undefined) env[e.name] = e.value;
      else if (e.valueFrom?.configMapKeyRef) env[e.name] = clusters[e.valueFrom.configMapKeyRef.key];
      else if (e.valueFrom?.fieldRef?.fieldPath === "status.podIP") env[e.name] = "127.0.0.1";
    }
    Object.assign(env, SECRET_ENV);
    expect(env.SLUICE_HTTP_PORT).toBe(String(port));
    const run = spawnScript(SLUICE_BIN, {
      args: [
        ...args,
        "--kafka-brokers",
        bed.kafka.bootstrapServers,
        "--es-url",
        bed.es.url,
        "--http-port",
        String(port),
      ],
      env,
      stdin: "ignore",
    });
    try {
      const status = async (path: string) => {
        if (run.child.exitCode !== null)
          throw new Error(`sluice exited (${run.child.exitCode}):\n${run.output()}`);
        try {
          const response = await fetch(`http://127.0.0.1:${port}${path}`);
          await response.arrayBuffer();
          return response.status;
        } catch {
          return 0;
        }
      };
      for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
        expect(probe.httpGet.port).toBe("http");
        await waitFor(
          `GET ${probe.httpGet.path} answering 200`,
          () => status(probe.httpGet.path),
          (s) => s === 200,
          120_000,
        );
      }
      // The same server refuses a path it does not serve, so a 200 above names a real endpoint.
      expect(await status("/ready")).toBe(404);
    } finally {
      run.child.kill("SIGTERM");
      await run.exited;
    }
  }, 180_000);
});
