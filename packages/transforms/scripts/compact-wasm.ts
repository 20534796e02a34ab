// Compiles src/compact-json/compact.wat with wabt and writes src/compact-json/compact-wasm.ts, the module's
// bytes as the package ships them (no build step, no .wasm file to resolve at run time).
// Run: pnpm --filter @sluice/transforms wasm
import { readFileSync, writeFileSync } from "node:fs";
import wabt from "wabt";

export const WAT = new URL("../src/compact-json/compact.wat", import.meta.url);
export const GENERATED = new URL("../src/compact-json/compact-wasm.ts", import.meta.url);

/** The WebAssembly module compact.wat describes, as wabt assembles it. */
export async function assemble(): Promise<Uint8Array> {
  const w = await wabt();
  const module = w.parseWat("compact.wat", readFileSync(WAT, "utf8"), { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/** The TypeScript module that carries the bytes. */
export function generated(bytes: Uint8Array): string {
  const base64 = Buffer.from(bytes).toString("base64");
  const lines = base64.match(/.{1,96}/g) ?? [];
  return [
    "// Generated from compact.wat by scripts/compact-wasm.ts: do not edit (pnpm --filter @sluice/transforms wasm).",
    "export const COMPACT_WASM_BASE64 =",
    `${lines.map((line) => `  "${line}"`).join(" +\n")};`,
    "",
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const bytes = await assemble();
  writeFileSync(GENERATED, generated(bytes));
  console.log(`compact-wasm.ts: ${bytes.length} bytes of WebAssembly`);
}
