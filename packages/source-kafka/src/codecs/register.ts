// Registers the compression codecs kafkajs lacks. kafkajs keeps codecs in a module-level table, so
// registration is idempotent and shared by every client in the process.
import { CompressionCodecs, CompressionTypes } from "kafkajs";
import { lz4Codec } from "./lz4.js";

let registered = false;

export function registerCodecs(): void {
  if (registered) return;
  CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec();
  registered = true;
}
