// An optional HTTP endpoint serving /metrics (Prometheus text) and /health (JSON) for one pipeline.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HealthReport } from "./components.js";
import { describeError, SluiceConfigError } from "./errors.js";
import type { PipelineMetrics } from "./metrics.js";

export interface HttpEndpointOptions {
  port: number;
  host: string;
}

export interface HttpEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

export async function startHttpEndpoint(
  options: HttpEndpointOptions,
  metrics: PipelineMetrics,
  health: () => HealthReport,
): Promise<HttpEndpoint> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
      return;
    }
    if (path === "/metrics") {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
      return;
    }
    if (path === "/health") {
      const report = health();
      res
        .writeHead(report.status === "down" ? 503 : 200, { "content-type": "application/json" })
        .end(JSON.stringify(report));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(listenError(options, error)));
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Why the endpoint could not listen, naming the option to change. */
function listenError(options: HttpEndpointOptions, error: unknown): SluiceConfigError {
  const code = (error as { code?: unknown }).code;
  const where = `${options.host}:${options.port}`;
  const cause = { cause: error };
  if (code === "EADDRINUSE")
    return new SluiceConfigError(
      "pipeline",
      "http.port",
      `is ${options.port}, which another process (or pipeline) already listens on at ${options.host}: choose another port, or 0 for any free one`,
      cause,
    );
  if (code === "EACCES")
    return new SluiceConfigError(
      "pipeline",
      "http.port",
      `is ${options.port}, which this process may not listen on (ports below 1024 need privileges)`,
      cause,
    );
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN")
    return new SluiceConfigError(
      "pipeline",
      "http.host",
      `is ${JSON.stringify(options.host)}, not an address of this machine (${String(code)})`,
      cause,
    );
  return new SluiceConfigError(
    "pipeline",
    "http",
    `cannot listen on ${where}: ${describeError(error)}`,
    cause,
  );
}
