// A pipeline's endpoint: /metrics and /health, and the probes an orchestrator polls, /livez and /readyz.
import { describe, expect, it } from "vitest";
import { startHttpEndpoint } from "../src/http.js";
import { createPipeline } from "../src/pipeline.js";
import { MemoryDeadLetters, MemorySink, MemorySource } from "./memory-components.js";

describe("http endpoint", () => {
  it("a pipeline answers /readyz 200 while running, and /livez 200 until it stops", async () => {
    const pipeline = createPipeline({
      source: new MemorySource(),
      sink: new MemorySink(),
      deadLetters: new MemoryDeadLetters(),
      http: { port: 0 },
    });
    await pipeline.start();
    const url = pipeline.httpUrl!;
    const get = async (path: string) => {
      const res = await fetch(`${url}${path}`);
      return [res.status, await res.text()] as const;
    };
    expect(await get("/livez")).toEqual([200, "ok\n"]);
    expect(await get("/readyz")).toEqual([200, "ok\n"]);
    expect((await get("/health"))[0]).toBe(200);
    expect((await get("/metrics"))[1]).toContain("sluice_in_flight_events");
    expect((await get("/nothing"))[0]).toBe(404);
    expect((await fetch(`${url}/livez`, { method: "POST" })).status).toBe(405);
    await pipeline.stop();
  });

  it("routes answer with their own status and body; a route that throws answers 500", async () => {
    let ready: string | undefined = "reloading";
    const endpoint = await startHttpEndpoint(
      { port: 0, host: "127.0.0.1" },
      {
        "/readyz": () => (ready === undefined ? { status: 200, body: "ok" } : { status: 503, body: ready }),
        "/boom": () => {
          throw new Error("kaput");
        },
      },
    );
    try {
      const first = await fetch(`${endpoint.url}/readyz`);
      expect([first.status, await first.text()]).toEqual([503, "reloading"]);
      ready = undefined;
      expect((await fetch(`${endpoint.url}/readyz`)).status).toBe(200);
      const boom = await fetch(`${endpoint.url}/boom`);
      expect([boom.status, await boom.text()]).toEqual([500, "kaput"]);
    } finally {
      await endpoint.close();
    }
  });

  it("names the component and the option when the port is taken", async () => {
    const first = await startHttpEndpoint({ port: 0, host: "127.0.0.1" }, {});
    const port = Number(new URL(first.url).port);
    try {
      await expect(startHttpEndpoint({ port, host: "127.0.0.1", component: "sluice" }, {})).rejects.toThrow(
        /sluice.*http\.port.*already listens/,
      );
    } finally {
      await first.close();
    }
  });
});
