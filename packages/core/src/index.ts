// @sluice/core: the event model, the stage contract, acknowledgements, flow control and the pipeline.

export { BufferPool } from "./buffer-pool.js";
export type {
  ComponentContext,
  HealthReport,
  HealthStatus,
  Sink,
  SinkResult,
  Source,
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
export { defaultFlowOptions, FlowController, type FlowOptions } from "./flow.js";
export { DEFAULT_HEAP_GROWING_PERCENT, HeapGrowth, heapGrowth } from "./heap-growth.js";
export { type HttpEndpoint, startHttpEndpoint } from "./http.js";
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
export { PartitionProgress } from "./progress.js";
export { type BackoffOptions, backoffDelay, retry, sleep } from "./retry.js";
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
export { Ticket } from "./ticket.js";
