// The start-up healthcheck names what is wrong: TLS, not Elasticsearch, unreachable; and it trusts a CA file.
import { readFileSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { createLogger, ErrorCode, type SluiceError } from "@sluice/core";
import { afterEach, describe, expect, it } from "vitest";
import { checkElasticsearch, createClient, warnIfInsecure } from "../src/connection.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Answers GET / as Elasticsearch 8 does, or as some other server does when `elastic` is false. */
function answer(elastic: boolean) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    if (elastic) res.setHeader("x-elastic-product", "Elasticsearch");
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify({
        name: "node-1",
        cluster_name: "test",
        version: { number: "8.15.0", build_flavor: "default" },
        tagline: "You Know, for Search",
      }),
    );
  };
}

const servers: Server[] = [];
async function listen(server: Server, scheme: "http" | "https"): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `${scheme}://localhost:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((r) => server.close(r));
});

async function startError(node: string, tls?: { caFile?: string; rejectUnauthorized?: boolean }) {
  const client = createClient("test", { node, ...(tls ? { tls } : {}), requestTimeoutMs: 5000 });
  try {
    await checkElasticsearch(client, node, "elasticsearchSink");
    return undefined;
  } catch (error) {
    return error as SluiceError;
  } finally {
    await client.close();
  }
}

describe("start-up healthcheck", () => {
  const tlsServer = () =>
    createHttpsServer(
      { key: readFileSync(fixture("localhost.key")), cert: readFileSync(fixture("localhost.crt")) },
      answer(true),
    );

  it("fails with ES_TLS on a certificate it cannot verify, and says what to do", async () => {
    const node = await listen(tlsServer(), "https");
    const error = await startError(node);
    expect(error?.code).toBe(ErrorCode.ES_TLS);
    expect(error?.message).toContain(node);
    expect(error?.message).toContain("tls.caFile");
  });

  it("trusts the server once its CA is given as tls.caFile", async () => {
    const node = await listen(tlsServer(), "https");
    expect(await startError(node, { caFile: fixture("localhost.crt") })).toBeUndefined();
  });

  it("connects with verification off, and warns loudly that it is off", async () => {
    const node = await listen(tlsServer(), "https");
    const lines: string[] = [];
    const logger = createLogger({
      level: "info",
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    warnIfInsecure({ node, tls: { rejectUnauthorized: false } }, logger);
    warnIfInsecure({ node, tls: { caFile: fixture("localhost.crt") } }, logger);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, node });
    expect(lines[0]).toContain("TLS CERTIFICATE VERIFICATION IS OFF");
    expect(await startError(node, { rejectUnauthorized: false })).toBeUndefined();
  });

  it("fails with ES_NOT_ELASTICSEARCH when the server does not say it is Elasticsearch", async () => {
    const node = await listen(createHttpServer(answer(false)), "http");
    const error = await startError(node);
    expect(error?.code).toBe(ErrorCode.ES_NOT_ELASTICSEARCH);
    expect(error?.message).toContain("is not Elasticsearch");
  });

  it("fails with ES_UNREACHABLE when nothing listens", async () => {
    const server = createHttpServer(answer(true));
    const node = await listen(server, "http");
    await new Promise((r) => server.close(r));
    servers.length = 0;
    const error = await startError(node);
    expect(error?.code).toBe(ErrorCode.ES_UNREACHABLE);
    expect(error?.message).toMatch(/ECONNREFUSED|connect/i);
  });
});
