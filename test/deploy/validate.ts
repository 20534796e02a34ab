// Kubernetes objects checked against the API's and the CRDs' schemas offline, by apiVersion and kind: the
// kubernetes-models packages hold those schemas and validate with ajv.

/** The npm package holding each API group's models; the core group is "". */
const MODEL_PACKAGES: Record<string, string> = {
  "": "kubernetes-models",
  apps: "kubernetes-models",
  batch: "kubernetes-models",
  policy: "kubernetes-models",
  autoscaling: "kubernetes-models",
  "networking.k8s.io": "kubernetes-models",
  "rbac.authorization.k8s.io": "kubernetes-models",
  "keda.sh": "@kubernetes-models/keda",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

/** What is wrong with one object; empty when its schema accepts it. */
export async function schemaErrors(object: unknown): Promise<string[]> {
  if (typeof object !== "object" || object === null || Array.isArray(object)) return ["not an object"];
  const { apiVersion, kind } = object as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== "string" || typeof kind !== "string") return ["no apiVersion or kind"];
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
  const pkg = MODEL_PACKAGES[group ?? ""];
  if (pkg === undefined) return [`${apiVersion} ${kind}: no schema known for API group "${group}"`];
  const path =
    group === "" || pkg !== "kubernetes-models" ? `${group ? `${group}/` : ""}${version}` : apiVersion;
  let model: new (data: unknown) => { validate(): void };
  try {
    const module = (await import(`${pkg}/${path}/${kind}`)) as Record<string, typeof model>;
    const found = module[kind];
    if (found === undefined) throw new Error("no such export");
    model = found;
  } catch {
    return [`${apiVersion} ${kind}: no schema in ${pkg}`];
  }
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    return [`${apiVersion} ${kind}: ${error instanceof Error ? error.message : String(error)}`];
  }
}
