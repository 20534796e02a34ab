// @sluice/transforms: stages that parse and reshape log records.
export { type EpochToIsoOptions, epochSecondsToIso, epochToIso } from "./epoch-to-iso.js";
export { type JsonObject, type ParseJsonOptions, parseJson } from "./parse-json.js";
