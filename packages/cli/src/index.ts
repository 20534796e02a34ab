/**
 * The `sluice` command's building blocks. This release reads Logstash configuration as Logstash reads it
 * into a checked model with positions.
 *
 * @module \@sluice/cli
 */

export type { CommandIo } from "./command/io.js";
export { sluice } from "./command/main.js";
export type {
  LsArray,
  LsAttribute,
  LsBareword,
  LsBooleanCondition,
  LsBranch,
  LsClause,
  LsComparison,
  LsCondition,
  LsConfigText,
  LsElse,
  LsFieldRef,
  LsHash,
  LsHashEntry,
  LsInCondition,
  LsNotCondition,
  LsNumber,
  LsPlugin,
  LsPluginType,
  LsRegexCondition,
  LsRegexp,
  LsRvalue,
  LsSection,
  LsSectionKind,
  LsStatement,
  LsString,
  LsTruthyCondition,
  LsValue,
  Position,
} from "./logstash/ast.js";
export { formatPosition, LogstashConfigError } from "./logstash/errors.js";
export {
  LOGSTASH_PIPELINE_DIRECTORY,
  type LoadLogstashOptions,
  loadHelmValues,
  loadLogstash,
  loadLogstashFiles,
  loadPipelinesYml,
} from "./logstash/load.js";
export { type ParseOptions, parseLogstashConfig } from "./logstash/parse.js";
export type { LogstashConfig, LogstashNotice, LogstashPipeline } from "./logstash/pipeline.js";
export { planLogstash } from "./logstash/plan/plan-logstash.js";
export { pluginOptions } from "./logstash/plugin-options.js";
export { type MigrateOptions, migratePlan } from "./migrate/migrate.js";
export {
  cliStage,
  conditionalStage,
  type EventCondition,
  logstashCondition,
  vrlCondition,
} from "./migrate/runtime.js";
export {
  type CliStage,
  cliStages,
  type LogstashCodecJsonOptions,
  type LogstashDataStreamSyncOptions,
  type LogstashDecorateEventsOptions,
} from "./migrate/stages.js";
export type {
  ConditionalStageSpec,
  ConditionSpec,
  Plan,
  PlannedDeadLetters,
  PlannedPipeline,
  PlannedTarget,
  PlanWarning,
  StageSpec,
} from "./plan.js";
export { SluiceConfigFileError } from "./sluice/errors.js";
export { type LoadSluiceConfigOptions, loadSluiceConfig } from "./sluice/load.js";
export { sluiceConfigSchema } from "./sluice/schema.js";
export { type StageContext, type StageEntry, sluiceStages } from "./sluice/stages.js";
export {
  loadVector,
  parseVector,
  planVector,
  VectorConfigError,
  type VectorDocument,
} from "./vector/index.js";
