// The answers of a pipeline's endpoint, shared by the pipeline's own and by processes that serve several.
import type { Registry } from "prom-client";
import type { HealthReport } from "./components.js";
import type { HttpAnswer, HttpRoutes } from "./http.js";
import type { PipelineState } from "./pipeline.js";

/** `/metrics`: the registry in Prometheus' text format. */
export async function metricsAnswer(registry: Registry): Promise<HttpAnswer> {
  return { status: 200, contentType: registry.contentType, body: await registry.metrics() };
}

/** `/health`: the report as JSON, 503 when `down`. */
export function healthAnswer(report: HealthReport): HttpAnswer {
  return {
    status: report.status === "down" ? 503 : 200,
    contentType: "application/json",
    body: JSON.stringify(report),
  };
}

/** A probe's answer: 200 `ok`, or 503 with the reason, for an orchestrator's liveness or readiness check. */
export function probeAnswer(failure: string | undefined): HttpAnswer {
  return failure === undefined ? { status: 200, body: "ok\n" } : { status: 503, body: `${failure}\n` };
}

/**
 * Why a pipeline is not live (it failed or stopped: restart the process), or undefined; a pipeline that
 * is starting or draining is live.
 */
export function notLive(state: PipelineState): string | undefined {
  return state === "failed" || state === "stopped" ? `pipeline ${state}` : undefined;
}

/** Why a pipeline should get no traffic now (not running, or its health is `down`), or undefined. */
export function notReady(state: PipelineState, health: HealthReport): string | undefined {
  if (state !== "running") return `pipeline ${state}`;
  return health.status === "down" ? "pipeline down" : undefined;
}

/** The routes of one pipeline's endpoint: `/metrics`, `/health`, `/livez`, `/readyz`. */
export function pipelineRoutes(
  registry: Registry,
  state: () => PipelineState,
  health: () => HealthReport,
): HttpRoutes {
  return {
    "/metrics": () => metricsAnswer(registry),
    "/health": () => healthAnswer(health()),
    "/livez": () => probeAnswer(notLive(state())),
    "/readyz": () => probeAnswer(notReady(state(), health())),
  };
}
