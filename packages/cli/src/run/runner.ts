// The pipelines of one plan, run as one service: started together, stopped together, replaced on reload.
import {
  ErrorCode,
  type HttpRoutes,
  healthAnswer,
  type Logger,
  notLive,
  notReady,
  probeAnswer,
  SluiceError,
  type StopReport,
} from "@sluice/core";
import { AggregatorRegistry, Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { Plan } from "../plan.js";
import { type BuiltPipeline, buildPipelines } from "./components.js";

/** Where the runner is: `reloading` while an old plan drains and a new one starts. */
export type RunnerPhase =
  | "created"
  | "starting"
  | "running"
  | "reloading"
  | "stopping"
  | "stopped"
  | "failed";

/** What a runner reports on: one status line per change, for the operator and for scripts. */
export type StatusListener = (line: string) => void;

/** The options of a Runner. */
export interface RunnerOptions {
  /** Reads the config again and plans it; called at start and on every reload. */
  readonly load: () => Promise<Plan>;
  readonly logger: Logger;
  /** Called with each status line (`ready`, `reloading`, `reloaded`, ...). */
  readonly status?: StatusListener;
}

/** How one generation's pipelines stopped. */
export interface RunReport {
  readonly drained: boolean;
  readonly unsettled: number;
  /** The error a pipeline stopped with on its own, if one did. */
  readonly error?: SluiceError;
}

interface Generation {
  readonly number: number;
  readonly plan: Plan;
  readonly members: BuiltPipeline[];
  /** Set when the runner stops it on purpose (a reload or a stop), so its pipelines' ends are expected. */
  stopping: boolean;
}

// How often a start or a reload looks whether every source has joined its group.
const JOIN_POLL_MS = 100;

/**
 * Runs a plan's pipelines and replaces them on `reload()`: the old ones stop fetching, drain and commit
 * before the new ones join their groups, so no record is written twice by two generations and none is
 * skipped. A plan that does not load or build is refused and the running one goes on.
 */
export class Runner {
  private phase: RunnerPhase = "created";
  private generation: Generation | undefined;
  private busy: Promise<unknown> = Promise.resolve();
  private reloadPending = false;
  private failure: SluiceError | undefined;
  /** Aborted by stop(): a start or reload waiting for its group joins gives up waiting. */
  private readonly stopRequested = new AbortController();
  private resolveDone!: (report: RunReport) => void;
  /** Resolves once the runner stopped, by `stop()` or because a pipeline failed. */
  readonly done: Promise<RunReport>;
  private readonly own = new Registry();
  private readonly reloads: Counter<"result">;
  private readonly generationGauge: Gauge;

  constructor(private readonly options: RunnerOptions) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.reloads = new Counter({
      name: "sluice_config_reloads_total",
      help: "Config reloads, by result: reloaded, or refused (the config did not load; the running one went on)",
      labelNames: ["result"],
      registers: [this.own],
    });
    this.generationGauge = new Gauge({
      name: "sluice_config_generation",
      help: "How many times the config was loaded and started, the first start included",
      registers: [this.own],
    });
    // The process's memory, CPU and event-loop lag (prom-client's defaults) are the process's, not a pipeline's.
    collectDefaultMetrics({ register: this.own });
  }

  /** The runner's phase. */
  get currentPhase(): RunnerPhase {
    return this.phase;
  }

  /** The pipelines running now (empty between generations). */
  get members(): readonly BuiltPipeline[] {
    return this.generation?.members ?? [];
  }

  /** The plan running now. */
  get plan(): Plan | undefined {
    return this.generation?.plan;
  }

  /** Loads, builds and starts the plan; rejects (having closed what it opened) when it cannot. */
  start(): Promise<void> {
    // A stop() during the start waits for it, so no pipeline is left running behind the stop.
    const started = this.startNow();
    this.busy = started.catch(() => undefined);
    return started;
  }

  private async startNow(): Promise<void> {
    if (this.phase !== "created") throw new SluiceError(ErrorCode.CONFIG, `runner already ${this.phase}`);
    this.phase = "starting";
    try {
      const plan = await this.options.load();
      this.generation = await this.launch(plan, 1);
    } catch (error) {
      this.phase = "failed";
      throw error;
    }
    this.phase = "running";
    // "ready" when the members have joined, so a script (or a reload) does not act on a group mid-join.
    if (await this.joined()) this.status("ready");
  }

  /**
   * Replaces the running pipelines with the config as it is now. Calls made while one runs coalesce into
   * one more. Resolves true when the new config runs, false when it was refused (the old one still runs).
   */
  reload(): Promise<boolean> {
    if (this.reloadPending) return this.busy as Promise<boolean>;
    this.reloadPending = true;
    const next = this.busy.then(() => {
      this.reloadPending = false;
      return this.reloadNow();
    });
    this.busy = next.catch(() => undefined);
    return next;
  }

  /** Stops every pipeline (drain and commit) and resolves with whether all drained. */
  async stop(): Promise<RunReport> {
    if (this.phase === "stopping" || this.phase === "stopped" || this.phase === "failed") return this.done;
    this.stopRequested.abort();
    await this.busy;
    // A reload that failed meanwhile has ended the run already.
    if (this.ended()) return this.done;
    this.phase = "stopping";
    this.status("stopping");
    const report = await this.stopGeneration();
    this.finish(report);
    return report;
  }

  /** The HTTP routes of the whole process: every pipeline's metrics and health, and the probes. */
  routes(): HttpRoutes {
    return {
      "/metrics": async () => {
        const registries = [this.own, ...this.members.map((member) => member.pipeline.metrics.registry)];
        const merged = AggregatorRegistry.aggregate(
          await Promise.all(registries.map((r) => r.getMetricsAsJSON())),
        );
        return { status: 200, contentType: merged.contentType, body: await merged.metrics() };
      },
      "/health": () => healthAnswer(this.health()),
      "/livez": () => probeAnswer(this.notLive()),
      "/readyz": () => probeAnswer(this.notReady()),
    };
  }

  /** Every pipeline's health under its name; `down` when one is down, `degraded` unless all are ok. */
  health(): { status: "ok" | "degraded" | "down"; detail: Record<string, unknown> } {
    const pipelines: Record<string, unknown> = {};
    let status: "ok" | "degraded" | "down" = this.phase === "running" ? "ok" : "degraded";
    for (const { pipeline } of this.members) {
      const report = pipeline.health();
      pipelines[pipeline.name] = report;
      if (report.status === "down") status = "down";
      else if (report.status === "degraded" && status === "ok") status = "degraded";
    }
    if (this.phase === "failed" || this.phase === "stopped") status = "down";
    return { status, detail: { phase: this.phase, pipelines } };
  }

  /** Why the process should be restarted, or undefined: a pipeline failed on its own. */
  notLive(): string | undefined {
    if (this.phase === "failed") return `failed: ${this.failure?.message ?? "a pipeline could not start"}`;
    for (const { pipeline } of this.members) {
      const reason = this.phase === "running" ? notLive(pipeline.currentState) : undefined;
      if (reason !== undefined) return `${pipeline.name}: ${reason}`;
    }
    return undefined;
  }

  /** Why this member should not count as serving now, or undefined: every pipeline runs and has joined its group. */
  notReady(): string | undefined {
    if (this.phase !== "running") return this.phase;
    for (const { pipeline } of this.members) {
      const health = pipeline.health();
      const reason = notReady(pipeline.currentState, health);
      if (reason !== undefined) return `${pipeline.name}: ${reason}`;
      const source = (health.detail as { source?: { detail?: { state?: string } } } | undefined)?.source;
      const state = source?.detail?.state;
      if (state !== undefined && state !== "running") return `${pipeline.name}: source ${state}`;
    }
    return undefined;
  }

  private async reloadNow(): Promise<boolean> {
    if (this.phase !== "running") return false;
    this.status("reloading");
    let plan: Plan;
    try {
      plan = await this.options.load();
    } catch (error) {
      this.reloads.inc({ result: "refused" });
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.error(
        { err: error },
        "reload refused: the config does not load; the running one goes on",
      );
      this.status(`reload refused: ${message}`);
      return false;
    }
    this.phase = "reloading";
    const stopped = await this.stopGeneration();
    if (!stopped.drained)
      this.options.logger.warn(
        { unsettled: stopped.unsettled },
        "reload: the old pipelines did not drain in time; their uncommitted records are read again",
      );
    try {
      this.generation = await this.launch(plan, (this.generation?.number ?? 0) + 1);
    } catch (error) {
      this.failure =
        error instanceof SluiceError
          ? error
          : new SluiceError(ErrorCode.STOPPED, String(error), { cause: error });
      this.finish({ drained: stopped.drained, unsettled: stopped.unsettled, error: this.failure }, "failed");
      throw error;
    }
    this.reloads.inc({ result: "reloaded" });
    // Still "reloading" until the new members joined: a stop mid-join leaves the group waiting for them.
    const joined = await this.joined();
    if (this.phase === "reloading") this.phase = "running";
    if (joined) this.status("reloaded");
    return true;
  }

  /**
   * Resolves true once every member's source has joined its group (or its pipeline stopped), false when
   * stop() asked first.
   */
  private async joined(): Promise<boolean> {
    const signal = this.stopRequested.signal;
    while (!signal.aborted && this.joining() !== undefined)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, JOIN_POLL_MS);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    return !signal.aborted;
  }

  /** The first running member whose source has not joined its group yet, by name. */
  private joining(): string | undefined {
    for (const { pipeline } of this.members) {
      if (pipeline.currentState !== "running") continue;
      const source = (pipeline.health().detail as { source?: { detail?: { state?: string } } } | undefined)
        ?.source;
      const state = source?.detail?.state;
      if (state !== undefined && state !== "running") return pipeline.name;
    }
    return undefined;
  }

  /** Builds and starts one generation; on failure closes what started and rethrows. */
  private async launch(plan: Plan, number: number): Promise<Generation> {
    const members = buildPipelines(plan, this.options.logger);
    const started = await Promise.allSettled(members.map((member) => member.pipeline.start()));
    const failed = started.find((result) => result.status === "rejected");
    if (failed !== undefined) {
      await Promise.all(
        members.filter((_, i) => started[i]!.status === "fulfilled").map((member) => member.pipeline.stop()),
      );
      throw failed.reason;
    }
    const generation: Generation = { number, plan, members, stopping: false };
    this.generationGauge.set(number);
    for (const member of members)
      void member.pipeline.stopped.then((report) => this.stoppedAlone(generation, report));
    return generation;
  }

  /** A pipeline that stops while its generation should run failed: stop the rest and end the run. */
  private stoppedAlone(generation: Generation, report: StopReport): void {
    if (this.generation !== generation || generation.stopping) return;
    if (this.phase !== "running" && this.phase !== "reloading") return;
    this.failure = report.error ?? new SluiceError(ErrorCode.STOPPED, "a pipeline stopped on its own");
    this.phase = "stopping";
    this.status(`failed: ${this.failure.message}`);
    void this.stopGeneration().then((stopped) => this.finish({ ...stopped, error: this.failure! }, "failed"));
  }

  private async stopGeneration(): Promise<{ drained: boolean; unsettled: number }> {
    if (this.generation) this.generation.stopping = true;
    const members = this.generation?.members ?? [];
    const reports = await Promise.all(members.map((member) => member.pipeline.stop()));
    return {
      drained: reports.every((report) => report.drained),
      unsettled: reports.reduce((sum, report) => sum + report.unsettled, 0),
    };
  }

  private ended(): boolean {
    return this.phase === "stopping" || this.phase === "stopped" || this.phase === "failed";
  }

  private finish(report: RunReport, phase: RunnerPhase = "stopped"): void {
    this.phase = phase;
    this.resolveDone(report);
  }

  private status(line: string): void {
    this.options.status?.(line);
  }
}
