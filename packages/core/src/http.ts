// An HTTP endpoint of a few GET routes: a pipeline's /metrics (Prometheus text) and /health (JSON), or a
// whole process's, as the sluice command serves them.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describeError, SluiceConfigError } from "./errors.js";

/** Where the endpoint listens. */
export interface HttpEndpointOptions {
  /** The port; 0 picks a free one (see `url`). */
  port: number;
  /** The address to listen on, e.g. `127.0.0.1` or `0.0.0.0`. */
  host: string;
  /** Names what listens in errors, e.g. `pipeline` or `sluice`. Default `pipeline`. */
  component?: string;
}

/** What a route answers. */
export interface HttpAnswer {
  /** The HTTP status. */
  readonly status: number;
  /** The body's media type. Default `text/plain; charset=utf-8`. */
  readonly contentType?: string;
  /** The body. */
  readonly body: string;
}

/** Routes by path (`/metrics`), each answering a GET or HEAD. */
export type HttpRoutes = Readonly<Record<string, () => HttpAnswer | Promise<HttpAnswer>>>;

/** A listening endpoint. */
export interface HttpEndpoint {
  /** Its base URL, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Serves `routes` on `options.host:options.port`; other paths answer 404, other methods 405.
 *
 * @throws SluiceConfigError naming `http.port` or `http.host` when it cannot listen.
 */
export async function startHttpEndpoint(
  options: HttpEndpointOptions,
  routes: HttpRoutes,
): Promise<HttpEndpoint> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
      return;
    }
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (route === undefined) {
      res.writeHead(404).end();
      return;
    }
    Promise.resolve()
      .then(route)
      .then(
        (answer) =>
          res
            .writeHead(answer.status, { "content-type": answer.contentType ?? "text/plain; charset=utf-8" })
            .end(answer.body),
        (error: unknown) => res.writeHead(500).end(describeError(error)),
      );
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
  const component = options.component ?? "pipeline";
  if (code === "EADDRINUSE")
    return new SluiceConfigError(
      component,
      "http.port",
      `is ${options.port}, which another process (or pipeline) already listens on at ${options.host}: choose another port, or 0 for any free one`,
      cause,
    );
  if (code === "EACCES")
    return new SluiceConfigError(
      component,
      "http.port",
      `is ${options.port}, which this process may not listen on (ports below 1024 need privileges)`,
      cause,
    );
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN")
    return new SluiceConfigError(
      component,
      "http.host",
      `is ${JSON.stringify(options.host)}, not an address of this machine (${String(code)})`,
      cause,
    );
  return new SluiceConfigError(
    component,
    "http",
    `cannot listen on ${where}: ${describeError(error)}`,
    cause,
  );
}
