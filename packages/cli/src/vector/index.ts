// Vector's configuration, read as Vector reads it and planned for Sluice.
export type { OptionPath, VectorDocument } from "./document.js";
export { VectorConfigError } from "./errors.js";
export { loadVector, parseVector } from "./load.js";
export { planVector } from "./plan.js";
