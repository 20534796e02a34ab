// Bundles the ES module consumer with esbuild into one file, as a service that ships a bundle would, with or
// without the Kafka consumer thread's file as an entry point of its own.
import { join } from "node:path";
import { build } from "esbuild";
import type { ConsumerApp } from "./consumer-app.js";

/**
 * What stays outside the bundle, installed in node_modules beside it: the native codecs (esbuild has no
 * loader for their `.node` binaries), zstd's WebAssembly codec (it reads its `.wasm` beside its own module,
 * through a `__dirname` an ES module bundle lacks), and kafkajs, whose modules the consumer thread patches
 * through Node's require cache, which a copy inside the bundle never consults.
 */
export const EXTERNAL = ["lz4-napi", "snappy", "@node-rs/crc32", "@bokuweb/zstd-wasm", "kafkajs"];

/** The bundles' file names. */
export const SERVICE = "service.mjs";
export const WORKER = "sluice-consumer-worker.mjs";

export interface Bundle {
  /** The bundled service, for plain `node`. */
  service: string;
  /** The bundled consumer thread, when it was bundled. */
  worker?: string;
}

export interface BundleOptions {
  /** Bundle `@sluice/source-kafka/consumer-worker` as an entry point of its own too. */
  worker?: boolean;
  /** Packages left to node_modules beyond EXTERNAL. */
  external?: string[];
  /** Bundle kafkajs too, as a careless bundle would: Sluice must say what it then cannot do. */
  inlineKafkajs?: boolean;
}

/** Bundles `esm/dist/main.js` (and the consumer thread's entry when asked) into `<app>/<outdir>/`. */
export async function bundleService(
  app: ConsumerApp,
  outdir: string,
  options: BundleOptions = {},
): Promise<Bundle> {
  const withWorker = options.worker ?? false;
  const entryPoints: Record<string, string> = { service: "./esm/dist/main.js" };
  if (withWorker) entryPoints["sluice-consumer-worker"] = "@sluice/source-kafka/consumer-worker";
  await build({
    absWorkingDir: app.dir,
    entryPoints,
    outdir: join(app.dir, outdir),
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: [
      ...EXTERNAL.filter((name) => !(options.inlineKafkajs && name === "kafkajs")),
      ...(options.external ?? []),
    ],
    // CommonJS dependencies (pino, kafkajs's callers) call require(), which an ES module bundle lacks; the
    // alias keeps clear of the bundled modules' own top-level `createRequire` imports.
    banner: {
      js: 'import { createRequire as bannerCreateRequire } from "node:module"; const require = bannerCreateRequire(import.meta.url);',
    },
    logLevel: "silent",
  });
  const dir = join(app.dir, outdir);
  return { service: join(dir, SERVICE), ...(withWorker ? { worker: join(dir, WORKER) } : {}) };
}
