// Elasticsearch for tests: a real node (default), the emulator (fault injection, security, or
// SLUICE_TEST_ES=emulator), or the cluster ES_URL names.
import { elasticsearchBackend } from "../backends.js";
import {
  type ElasticsearchHandle,
  type EmulatorHandle,
  type EmulatorOptions,
  startEmulator,
} from "./emulator.js";
import { startRealElasticsearch } from "./real-node.js";

export type { ElasticsearchHandle, EmulatorHandle, EmulatorOptions, Faults } from "./emulator.js";
export { testCaFile } from "./emulator.js";

export function startElasticsearch(
  options: EmulatorOptions & { backend: "emulator" },
): Promise<EmulatorHandle>;
export function startElasticsearch(): Promise<ElasticsearchHandle>;
export async function startElasticsearch(
  options?: EmulatorOptions & { backend?: "emulator" },
): Promise<ElasticsearchHandle> {
  const backend = elasticsearchBackend(options?.backend);
  if (backend === "emulator") return startEmulator(options);
  if (backend === "external")
    return { url: process.env.ES_URL!.replace(/\/$/, ""), kind: "external", stop: async () => {} };
  const node = await startRealElasticsearch();
  return { url: node.url, kind: "real", stop: () => node.stop() };
}
