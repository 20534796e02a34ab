// The Elasticsearch emulator's public API.
export {
  type ElasticsearchHandle,
  type EmulatorOptions,
  type Faults,
  startElasticsearch,
} from "./emulator.js";
