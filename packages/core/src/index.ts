/**
 * The event model, the stage contract, acknowledgements, flow control and the pipeline.
 *
 * @module \@sluice/core
 */

export type {
  CommitOffset,
  ComponentContext,
  HealthReport,
  HealthStatus,
  Sink,
  SinkResult,
  Source,
  SourceBatch,
  SourceContext,
} from "./components.js";
export {
  type DeadLetter,
  type DeadLetterContentOptions,
  type DeadLetterContext,
  type DeadLetterOutcome,
  type DeadLetterSink,
  deadLetterContentSchema,
  type EncodedBytes,
  encodeBytes,
  headerList,
  minimalLetter,
  type RawContent,
  rawContent,
  toDeadLetter,
} from "./dead-letter.js";
export type { DeadLetterWatchOptions } from "./dead-letter-watch.js";
export { describeError, ErrorCode, isTlsError, SluiceConfigError, SluiceError } from "./errors.js";
export {
  type Batch,
  eventOf,
  type Failure,
  type HeaderValue,
  type Origin,
  type Outcome,
  originId,
  SluiceEvent,
} from "./event.js";
export { type FanOutOptions, type FanOutTarget, fanOut } from "./fan-out.js";
export type { UnroutedAction } from "./fan-out-write.js";
export {
  deleteField,
  getField,
  hasField,
  isUnsafeKey,
  setField,
  setOwn,
} from "./fields/access.js";
export {
  type FieldPath,
  FieldReferenceError,
  fieldOption,
  formatFieldPath,
  parseFieldReference,
  type Segment,
} from "./fields/path.js";
export { type DateFormatter, hasReferences, sprintf } from "./fields/sprintf.js";
export { defaultFlowOptions, FlowController, type FlowOptions } from "./flow.js";
export { type ProcessTuning, tuneProcess } from "./heap-growth.js";
export {
  type HttpAnswer,
  type HttpEndpoint,
  type HttpEndpointOptions,
  type HttpRoutes,
  startHttpEndpoint,
} from "./http.js";
export {
  healthAnswer,
  metricsAnswer,
  notLive,
  notReady,
  pipelineRoutes,
  probeAnswer,
} from "./http-routes.js";
export { isDocumentObject, JsonBytes } from "./json-bytes.js";
export {
  createLogger,
  type Logger,
  type LoggerOptions,
  redactedPaths,
  scrubbingLogger,
  silentLogger,
} from "./logger.js";
export { PipelineMetrics } from "./metrics.js";
export { type OptionsSchema, validateOptions } from "./options.js";
export {
  createPipeline,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  Pipeline,
  type PipelineOptions,
  type PipelineState,
  type StopReport,
} from "./pipeline.js";
export { type BackoffOptions, backoffDelay, retry, sleep } from "./retry.js";
export { type RunUntilSignalOptions, runUntilSignal } from "./run-until-signal.js";
export { type DeclaresSecrets, isSecretKey, REDACTED, Secrets, urlPassword } from "./secrets.js";
export {
  type AnyStage,
  failureFromError,
  filterEvents,
  mapValues,
  namedStage,
  Rejection,
  reject,
  type Stage,
} from "./stage.js";
export {
  type CheckedPipelineOptions,
  type DynamicStages,
  dynamicStages,
  type StageChain,
  type StageEntry,
  type StageList,
} from "./stage-chain.js";
