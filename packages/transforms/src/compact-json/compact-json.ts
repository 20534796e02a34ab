// The WebAssembly fast path of the Fluent Bit preset's JSON check (compact.wat): records as Fluent Bit writes
// them are accepted a few times faster than json-bytes.ts's scan reads them (bench/stages.ts prints both).
import { COMPACT_WASM_BASE64 } from "./compact-wasm.js";

/** Where compact.wat expects the record: the bytes before it hold the containers open. */
const RECORD_AT = 8192;
/** The zero bytes compact.wat writes after the record. */
const SENTINEL = 16;
const PAGE = 65_536;

// WebAssembly's JavaScript API, as much of it as is used here (TypeScript declares it in its DOM library
// only). Node's --jitless leaves it out.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

/** The compiled module, once per process; null where WebAssembly (or its SIMD) is not available. */
function compiledModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = wasm ? new wasm.Module(Buffer.from(COMPACT_WASM_BASE64, "base64")) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * Says of a record only "compact JSON, certainly acceptable" or "not known": an acceptable object that
 * is not compact, or holds a \u escape, takes the full scan, as does every unacceptable one. Each
 * instance has its memory, grown to the longest record it was asked about.
 */
export class CompactJson {
  private bytes: Uint8Array;

  private constructor(
    private readonly memory: WasmMemory,
    private readonly run: (length: number, maxDepth: number) => number,
  ) {
    this.bytes = new Uint8Array(memory.buffer);
  }

  /** A scanner, or undefined where WebAssembly is not available (Node's --jitless, say). */
  static create(): CompactJson | undefined {
    const module = compiledModule();
    if (!wasm || !module) return undefined;
    const { exports } = new wasm.Instance(module, {});
    return new CompactJson(
      exports.memory as WasmMemory,
      exports.compact as (length: number, maxDepth: number) => number,
    );
  }

  /** True only when `record` is a compact JSON object nested at most `maxDepth` (≤ 5000) deep. */
  accepts(record: Uint8Array, maxDepth: number): boolean {
    const needed = RECORD_AT + record.length + SENTINEL;
    if (needed > this.bytes.length) {
      this.memory.grow(Math.ceil((needed - this.bytes.length) / PAGE));
      this.bytes = new Uint8Array(this.memory.buffer);
    }
    this.bytes.set(record, RECORD_AT);
    return this.run(record.length, maxDepth) === 1;
  }
}
