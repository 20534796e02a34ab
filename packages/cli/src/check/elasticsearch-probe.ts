// Probes Elasticsearch as `sluice run` would reach it: each cluster answers as Elasticsearch and takes the
// credentials, each target index or data stream exists or will be created, and so does the dead-letter index.
import type { Client } from "@elastic/elasticsearch";
import { describeError, ErrorCode } from "@sluice/core";
import {
  checkElasticsearch,
  createClient,
  displayNodes,
  type ElasticsearchConnectionOptions,
  hasCredentials,
} from "@sluice/sink-elasticsearch";
import type { Plan } from "../plan.js";
import { type ProbeLine, type ProbeSection, withTimeout } from "./probe.js";

type Sink = Record<string, unknown>;

/** Something written to: a pipeline's target, or the dead letters. */
interface Destination {
  readonly label: string;
  readonly sink: Sink;
  readonly deadLetters: boolean;
}

interface Template {
  readonly name: string;
  readonly patterns: string[];
  readonly priority: number;
  readonly dataStream: boolean;
}

/** One probe section per distinct cluster (nodes, credentials, TLS) among the targets and dead letters. */
export async function probeElasticsearch(plan: Plan, timeoutMs: number): Promise<ProbeSection[]> {
  // Targets writing alike (the same sink options under several names) are checked once, named together.
  const bySink = new Map<string, { names: Set<string>; sink: Sink }>();
  for (const pipeline of plan.pipelines)
    for (const target of pipeline.targets) {
      // An index given as code has no JSON: such a target is only ever alike itself.
      const key =
        typeof target.sink.index === "function" ? `name:${target.name}` : JSON.stringify(target.sink);
      const entry = bySink.get(key) ?? { names: new Set<string>(), sink: target.sink };
      entry.names.add(target.name);
      bySink.set(key, entry);
    }
  const destinations: Destination[] = [...bySink.values()].map(({ names, sink }) => ({
    label: `target${names.size > 1 ? "s" : ""} ${[...names].join(", ")}`,
    sink,
    deadLetters: false,
  }));
  const letters = plan.deadLetters?.sink ?? plan.pipelines[0]?.targets[0]?.sink;
  if (letters)
    destinations.push({
      label: "dead letters",
      sink: { ...letters, index: plan.deadLetters?.sink.index ?? "sluice-dead-letter", dataStream: false },
      deadLetters: true,
    });
  const byCluster = new Map<string, Destination[]>();
  for (const destination of destinations) {
    const key = JSON.stringify(connectionOf(destination.sink));
    byCluster.set(key, [...(byCluster.get(key) ?? []), destination]);
  }
  return Promise.all([...byCluster.values()].map((group) => probeCluster(group, timeoutMs)));
}

function connectionOf(sink: Sink): ElasticsearchConnectionOptions {
  const { node, auth, tls, compression } = sink as unknown as ElasticsearchConnectionOptions;
  return { node, auth, tls, compression };
}

async function probeCluster(destinations: readonly Destination[], timeoutMs: number): Promise<ProbeSection> {
  const connection = connectionOf(destinations[0]!.sink);
  const where = displayNodes(connection.node);
  const section: ProbeSection = { title: `Elasticsearch ${where}`, lines: [] };
  const lines = section.lines;
  let client: Client;
  try {
    client = createClient("elasticsearch", { ...connection, requestTimeoutMs: timeoutMs });
  } catch (error) {
    lines.push({ status: "FAIL", text: describeError(error) });
    return section;
  }
  try {
    const nodes = Array.isArray(connection.node) ? connection.node : [connection.node];
    if (connection.tls?.rejectUnauthorized === false && nodes.some((n) => n.startsWith("https://")))
      lines.push({
        status: "warn",
        text: "TLS certificate verification is off (tls.rejectUnauthorized false): anyone on the path can read and alter what is sent",
      });
    const credentials = hasCredentials(connection);
    if (credentials && nodes.some((n) => n.startsWith("http://")))
      lines.push({ status: "warn", text: "credentials over plain http://: they travel unencrypted" });
    let version: string;
    try {
      version = await withTimeout(
        checkElasticsearch(client, connection.node, "elasticsearch", credentials),
        timeoutMs + 1000,
        `Elasticsearch at ${where}`,
        ErrorCode.ES_UNREACHABLE,
      );
    } catch (error) {
      lines.push({ status: "FAIL", text: describeError(error) });
      return section;
    }
    lines.push({
      status: "ok",
      text: `Elasticsearch ${version} answers (x-elastic-product header present), ${credentials ? "credentials accepted" : "no credentials sent"}`,
    });
    const templates = await indexTemplates(client, lines);
    for (const destination of destinations)
      lines.push(...(await probeDestination(client, destination, templates)));
  } finally {
    await client.close().catch(() => undefined);
  }
  return section;
}

/** The composable index templates, or undefined (with a warning) when they cannot be read. */
async function indexTemplates(client: Client, lines: ProbeLine[]): Promise<Template[] | undefined> {
  try {
    const { index_templates } = await client.indices.getIndexTemplate();
    return index_templates.map(({ name, index_template: t }) => ({
      name,
      patterns: Array.isArray(t.index_patterns) ? t.index_patterns : [t.index_patterns],
      priority: t.priority ?? 0,
      dataStream: t.data_stream !== undefined,
    }));
  } catch (error) {
    lines.push({ status: "warn", text: `cannot read the index templates: ${describeError(error)}` });
    return undefined;
  }
}

/** The names a target writes to: fixed names, or a pattern per `%{…}` template, or nothing for code. */
function namesOf(index: unknown): Array<{ name: string; template: boolean }> {
  const names: string[] = [];
  if (typeof index === "string") names.push(index);
  else if (index !== null && typeof index === "object") {
    const byTopic = index as { topics?: Record<string, string>; default?: string };
    names.push(...Object.values(byTopic.topics ?? {}));
    if (byTopic.default) names.push(byTopic.default);
  }
  return [...new Set(names)].map((name) => ({ name, template: /%\{[^}]*\}/.test(name) }));
}

async function probeDestination(
  client: Client,
  destination: Destination,
  templates: Template[] | undefined,
): Promise<ProbeLine[]> {
  const { label, sink } = destination;
  const names = namesOf(sink.index);
  if (names.length === 0)
    return [{ status: "warn", text: `${label}: the index is chosen per event by code: not checked ahead` }];
  const lines: ProbeLine[] = [];
  for (const { name, template } of names) {
    if (template) {
      lines.push({
        status: "warn",
        text: `${label}: ${name} is resolved per event from its fields: not checked ahead (its names match ${name.replace(/%\{[^}]*\}/g, "*")})`,
      });
      continue;
    }
    lines.push(await probeName(client, destination, name, templates));
  }
  return lines;
}

async function probeName(
  client: Client,
  { label, sink, deadLetters }: Destination,
  name: string,
  templates: Template[] | undefined,
): Promise<ProbeLine> {
  const dataStream = Boolean(sink.dataStream);
  const action = typeof sink.action === "string" ? sink.action : "create";
  let found: { indices: unknown[]; aliases: unknown[]; data_streams: unknown[] };
  try {
    found = await client.indices.resolveIndex({ name, expand_wildcards: "all" });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404)
      found = { indices: [], aliases: [], data_streams: [] };
    else return { status: "warn", text: `${label}: cannot look up ${name}: ${describeError(error)}` };
  }
  if (found.data_streams.length > 0) {
    if (action !== "create")
      return { status: "FAIL", text: `${label}: ${name} is a data stream, which takes action create only` };
    return { status: "ok", text: `${label}: data stream ${name} exists` };
  }
  if (found.aliases.length > 0) return { status: "ok", text: `${label}: alias ${name} exists` };
  if (found.indices.length > 0)
    return dataStream
      ? { status: "warn", text: `${label}: ${name} exists as an index, not a data stream` }
      : { status: "ok", text: `${label}: index ${name} exists` };
  if (deadLetters)
    return {
      status: "ok",
      text: `${label}: index ${name} does not exist: Sluice creates it with its mapping at start`,
    };
  const ownTemplate = (sink.dataStream as { template?: { name?: string } } | undefined)?.template?.name;
  if (dataStream && ownTemplate)
    return {
      status: "ok",
      text: `${label}: data stream ${name} does not exist: Sluice puts the index template ${ownTemplate} at start unless it exists, and the first write creates the stream`,
    };
  if (templates === undefined)
    return {
      status: "warn",
      text: `${label}: ${name} does not exist; whether an index template matches it is unknown`,
    };
  const match = templates
    .filter((t) => t.patterns.some((p) => globMatches(p, name)))
    .sort((a, b) => b.priority - a.priority)[0];
  if (dataStream) {
    if (match?.dataStream)
      return {
        status: "ok",
        text: `${label}: data stream ${name} does not exist: the first write creates it from the index template ${match.name}`,
      };
    return {
      status: "warn",
      text: `${label}: ${name} does not exist and no index template with data_stream matches it${match ? ` (${match.name} matches, without data_stream)` : ""}: the first write creates a plain index, not a data stream`,
    };
  }
  if (match?.dataStream)
    return action === "create"
      ? {
          status: "ok",
          text: `${label}: ${name} does not exist: the first write creates a data stream from the index template ${match.name}`,
        }
      : {
          status: "FAIL",
          text: `${label}: ${name} would be a data stream (index template ${match.name}), which takes action create only`,
        };
  return {
    status: "ok",
    text: `${label}: index ${name} does not exist: the first write creates it${match ? ` from the index template ${match.name}` : " with dynamic mapping (no index template matches it)"}`,
  };
}

/** Whether an index pattern (`*` wildcards only) matches a name, as Elasticsearch matches index templates. */
function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`).test(name);
}
