// insight-logs' configuration from the environment.
import type { ElasticsearchConnectionOptions } from "@sluice/sink-elasticsearch";
import { DEFAULT_TARGETS } from "./pipeline.js";

export interface EnvConfig {
  groupId: string;
  sessionTimeoutMs: number | undefined;
  targets: Record<string, string>;
  /** Everything but the node URL, which comes from ES_URL or the emulator. */
  elasticsearch: Omit<ElasticsearchConnectionOptions, "node">;
  deadLetterIndex: string;
  httpPort: number | undefined;
  /** SLUICE_EXIT_WHEN_IDLE_MS: exit 0 once caught up and idle this long. */
  exitWhenIdleMs: number | undefined;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  return n;
}

/**
 * ES_USERNAME + ES_PASSWORD or ES_API_KEY; ES_TLS_VERIFY=false turns certificate checks off (logged
 * loudly); ES_CA_FILE trusts a CA. Targets: INSIGHT_LOGS_TARGET, INSIGHT_EVENT_TARGET, SKOALA_GW_TARGET.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const elasticsearch: Omit<ElasticsearchConnectionOptions, "node"> = {};
  if (env.ES_API_KEY) elasticsearch.auth = { apiKey: env.ES_API_KEY };
  else if (env.ES_USERNAME)
    elasticsearch.auth = { username: env.ES_USERNAME, password: env.ES_PASSWORD ?? "" };
  const verify = env.ES_TLS_VERIFY?.toLowerCase();
  if (verify !== undefined && !["true", "false", "1", "0"].includes(verify))
    throw new Error(`ES_TLS_VERIFY must be true or false, got ${JSON.stringify(env.ES_TLS_VERIFY)}`);
  if (verify === "false" || verify === "0" || env.ES_CA_FILE)
    elasticsearch.tls = {
      ...(env.ES_CA_FILE ? { caFile: env.ES_CA_FILE } : {}),
      rejectUnauthorized: !(verify === "false" || verify === "0"),
    };
  const override: Record<string, string | undefined> = {
    "insight-logs": env.INSIGHT_LOGS_TARGET,
    "insight-event": env.INSIGHT_EVENT_TARGET,
    "insight-gw-skoala": env.SKOALA_GW_TARGET,
  };
  const targets = Object.fromEntries(
    Object.entries(DEFAULT_TARGETS).map(([topic, target]) => [topic, override[topic] || target]),
  );
  return {
    groupId: env.KAFKA_GROUP_ID || "sluice-insight-logs",
    sessionTimeoutMs: positiveInteger(env, "KAFKA_SESSION_TIMEOUT_MS"),
    targets,
    elasticsearch,
    deadLetterIndex: env.DEAD_LETTER_INDEX || "sluice-dead-letter",
    httpPort: positiveInteger(env, "SLUICE_HTTP_PORT"),
    exitWhenIdleMs: positiveInteger(env, "SLUICE_EXIT_WHEN_IDLE_MS"),
  };
}
