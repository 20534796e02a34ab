// Registers the compression codecs kafkajs lacks (its table holds throwing placeholders for them).
// kafkajs keeps codecs in a module-level table shared by every client in the process.
import kafkajs from "kafkajs";
import { lz4Codec } from "./lz4.js";

export function registerCodecs(): void {
  const { CompressionCodecs, CompressionTypes } = kafkajs;
  CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec();
}
