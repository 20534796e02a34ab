// An optional HTTP endpoint serving /metrics (Prometheus text) and /health (JSON) for one pipeline.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HealthReport } from "./components.js";
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
    server.once("error", reject);
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
