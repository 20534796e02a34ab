// fanOut: one sink made of several, each event written to every target whose `when` takes it.
import type { OperatorFunction } from "rxjs";
import type { ComponentContext, HealthReport, HealthStatus, Sink, SinkResult } from "./components.js";
import { SluiceConfigError } from "./errors.js";
import type { Batch, SluiceEvent } from "./event.js";
import { fanOutWrite, type RoutedTarget, targetError, type UnroutedAction } from "./fan-out-write.js";
import type { Logger } from "./logger.js";
import { validateOptions } from "./options.js";

/** One destination of a `fanOut` sink. */
export interface FanOutTarget<T = unknown> {
  /** The sink this target writes to, e.g. `elasticsearchSink(...)`. */
  sink: Sink<T>;
  /**
   * Names the target in dead letters (the failure's `stage`), errors and `/health`. Default the sink's
   * name; unique within one fan-out.
   */
  name?: string;
  /**
   * Which events go to this target: called once per event, as the stages left it; it must not change the
   * event. Default: every event.
   */
  when?: (event: SluiceEvent<T>) => boolean;
  /**
   * Gives this target a deep copy of each value, for a sink that changes the document it is given. Default
   * false: each target gets an event of its own, but the value inside is shared, and the sink only reads it
   * (as the Elasticsearch sink does).
   */
  copyValue?: boolean;
}

/** The options of `fanOut`. */
export interface FanOutOptions<T = unknown> {
  /** Names the fan-out in logs, errors and dead letters (as the `stage` of an unrouted event). Default `fan-out`. */
  name?: string;
  /** Where events go; an event goes to every target whose `when` takes it. At least one. */
  targets: FanOutTarget<T>[];
  /**
   * What becomes of an event that no target takes: `dead-letter` (default) sends it to dead letters with
   * SLUICE_ERR_UNROUTED, so a routing gap is seen; `drop` acknowledges it unwritten, as Logstash does with
   * an event no output condition matches (counted in `sluice_events_dropped_total{stage=<name>}`).
   */
  unrouted?: UnroutedAction;
}

interface PlainOptions {
  name: string;
  unrouted: UnroutedAction;
  targets: Array<{ name?: string; copyValue: boolean }>;
}

const schema = {
  type: "object",
  properties: {
    name: { type: "string", minLength: 1, pattern: "^[A-Za-z0-9_.-]+$", default: "fan-out" },
    unrouted: { type: "string", enum: ["dead-letter", "drop"], default: "dead-letter" },
    targets: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        properties: {
          sink: {},
          name: { type: "string", minLength: 1 },
          when: {},
          copyValue: { type: "boolean", default: false },
        },
        required: ["sink"],
        additionalProperties: false,
      },
    },
  },
  required: ["targets"],
  additionalProperties: false,
} as const;

/**
 * A sink that writes each event to several sinks: to every target whose `when` takes it (all of them when
 * it has none). An event is reported to the pipeline once every target it went to has answered: delivered
 * when all delivered it, else dead-lettered with the first refusal, whose `stage` names the target. So its
 * offset commits only when each of its targets accepted it or it went to dead letters; a slow or down
 * target keeps its events in flight, and the pipeline's flow limits pause the source.
 *
 * @throws SluiceConfigError (`SLUICE_ERR_CONFIG`) when an option is wrong, a target's `sink` is not a Sink,
 * its `when` not a function, or two targets share a name.
 */
export function fanOut<T = unknown>(options: FanOutOptions<T>): Sink<T> {
  const plain = validateOptions<PlainOptions>("fanOut", schema, options);
  const targets: RoutedTarget[] = plain.targets.map((checked, i) => {
    const given = options.targets[i]!;
    if (!isSink(given.sink))
      throw new SluiceConfigError(
        "fanOut",
        `targets.${i}.sink`,
        "must be a Sink (e.g. elasticsearchSink(...))",
      );
    if (given.when !== undefined && typeof given.when !== "function")
      throw new SluiceConfigError("fanOut", `targets.${i}.when`, "must be a function (event) => boolean");
    return {
      name: checked.name ?? given.sink.name,
      sink: given.sink as Sink<unknown>,
      when: given.when as RoutedTarget["when"],
      copyValue: checked.copyValue,
    };
  });
  targets.forEach((target, i) => {
    if (targets.findIndex((other) => other.name === target.name) !== i)
      throw new SluiceConfigError(
        "fanOut",
        `targets.${i}.name`,
        `"${target.name}" names another target too; give each target a name of its own`,
      );
  });
  return new FanOutSink<T>(plain.name, targets, plain.unrouted);
}

class FanOutSink<T> implements Sink<T> {
  readonly secrets: readonly string[];
  private logger: Logger | undefined;
  private ctx: ComponentContext | undefined;

  constructor(
    readonly name: string,
    private readonly targets: readonly RoutedTarget[],
    private readonly unrouted: UnroutedAction,
  ) {
    this.secrets = [...new Set(targets.flatMap((target) => target.sink.secrets ?? []))];
  }

  async connect(ctx: ComponentContext): Promise<void> {
    this.ctx = ctx;
    this.logger = ctx.logger;
    // Every target is waited for, so none is still connecting when the pipeline closes them all.
    const results = await Promise.allSettled(
      this.targets.map((target) =>
        target.sink.connect({ ...ctx, logger: ctx.logger.child({ target: target.name }) }),
      ),
    );
    const failed = results.findIndex((result) => result.status === "rejected");
    if (failed >= 0)
      throw targetError(
        this.name,
        this.targets[failed]!.name,
        "could not connect",
        (results[failed] as PromiseRejectedResult).reason,
      );
  }

  write(): OperatorFunction<Batch<T>, SinkResult> {
    const hooks = {
      dropped: (count: number) => this.ctx?.metrics.eventsDropped.inc({ stage: this.name }, count),
      aborted: () => this.ctx?.signal.aborted === true,
    };
    return fanOutWrite(this.name, this.targets, this.unrouted, hooks) as unknown as OperatorFunction<
      Batch<T>,
      SinkResult
    >;
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled(this.targets.map((target) => target.sink.close()));
    const errors = results.flatMap((result, i) =>
      result.status === "rejected"
        ? [targetError(this.name, this.targets[i]!.name, "could not close", result.reason)]
        : [],
    );
    for (const error of errors.slice(1)) this.logger?.warn({ err: error.message }, "error while closing");
    if (errors.length > 0) throw errors[0];
  }

  /** The worst of the targets' statuses, with each target's report under its name. */
  health(): HealthReport {
    const targets: Record<string, HealthReport> = {};
    let status: HealthStatus = "ok";
    for (const target of this.targets) {
      const report = target.sink.health();
      targets[target.name] = report;
      if (report.status === "down" || (report.status === "degraded" && status === "ok"))
        status = report.status;
    }
    return { status, detail: { targets } };
  }
}

function isSink(value: unknown): value is Sink<unknown> {
  if (value === null || typeof value !== "object") return false;
  const record = value as Record<string, unknown>;
  return ["connect", "write", "close", "health"].every((method) => typeof record[method] === "function");
}
