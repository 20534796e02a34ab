// How many bulk requests may be in flight: fixed, or adaptive as Vector's adaptive request concurrency.

/**
 * How adaptive concurrency moves the limit of bulk requests in flight (`concurrency: { adaptive: {...} }`).
 */
export interface AdaptiveConcurrencyOptions {
  /** The limit to start from. Default 1, as Vector. */
  initial?: number;
  /** The limit never grows past this. Default 64. */
  max?: number;
  /** Multiplicative decrease on back-pressure or rising latency. Default 0.9, as Vector. */
  decreaseRatio?: number;
  /** Weight of the newest window in the average round-trip time. Default 0.4, as Vector. */
  ewmaAlpha?: number;
  /** How many deviations above its mean the round-trip time may rise before the limit shrinks. Default 2.5. */
  rttDeviationScale?: number;
}

export interface ConcurrencyLimiter {
  /** Requests that may be in flight now. */
  readonly limit: number;
  /** Report one request's round-trip time and whether the answer was back-pressure (429/503, timeout). */
  record(rttMs: number, backPressure: boolean, inFlight: number): void;
}

export class FixedConcurrency implements ConcurrencyLimiter {
  constructor(readonly limit: number) {}
  record(): void {}
}

/**
 * Additive increase, multiplicative decrease, judged once per window of about one round-trip time:
 * the limit grows by one when the window used the whole limit and its mean RTT was no worse than the
 * long-run mean; it shrinks by `decreaseRatio` when any answer in the window was back-pressure or the
 * RTT rose more than `rttDeviationScale` deviations above that mean; in between it holds. So a healthy cluster is driven as
 * hard as it answers quickly, and a struggling one is backed off before it starts refusing.
 */
export class AdaptiveConcurrency implements ConcurrencyLimiter {
  private current: number;
  private readonly max: number;
  private readonly decreaseRatio: number;
  private readonly alpha: number;
  private readonly scale: number;
  private meanRtt: number | undefined;
  private deviation = 0;
  // The window being observed.
  private windowStart = 0;
  private windowRttSum = 0;
  private windowCount = 0;
  private windowBackPressure = false;
  private windowReachedLimit = false;

  /**
   * A limit starting at `options.initial` (at most `options.max`); `now` is the clock round-trip times are
   * measured with (tests set it).
   */
  constructor(
    options: AdaptiveConcurrencyOptions = {},
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.max = options.max ?? 64;
    this.current = Math.min(options.initial ?? 1, this.max);
    this.decreaseRatio = options.decreaseRatio ?? 0.9;
    this.alpha = options.ewmaAlpha ?? 0.4;
    this.scale = options.rttDeviationScale ?? 2.5;
  }

  get limit(): number {
    return this.current;
  }

  record(rttMs: number, backPressure: boolean, inFlight: number): void {
    if (this.windowCount === 0 && !this.windowBackPressure) this.windowStart = this.now() - rttMs;
    this.windowRttSum += rttMs;
    this.windowCount++;
    if (backPressure) this.windowBackPressure = true;
    // `inFlight` counts this request too: the limit was in use when it finished.
    if (inFlight >= this.current) this.windowReachedLimit = true;
    const windowLength = this.meanRtt ?? rttMs;
    if (this.now() - this.windowStart >= windowLength || backPressure) this.closeWindow();
  }

  private closeWindow(): void {
    const rtt = this.windowCount > 0 ? this.windowRttSum / this.windowCount : (this.meanRtt ?? 0);
    const mean = this.meanRtt;
    const risen = mean !== undefined && rtt > mean + this.scale * Math.max(this.deviation, mean * 0.05);
    if (this.windowBackPressure || risen) {
      this.current = Math.max(1, Math.floor(this.current * this.decreaseRatio));
    } else if (
      this.windowReachedLimit &&
      this.current < this.max &&
      (mean === undefined || rtt <= mean * 1.05)
    ) {
      this.current++;
    }
    // Back-pressure answers are quick refusals: they would drag the mean down, so they stay out of it.
    if (!this.windowBackPressure) {
      if (mean === undefined) this.meanRtt = rtt;
      else {
        this.deviation = (1 - this.alpha) * this.deviation + this.alpha * Math.abs(rtt - mean);
        this.meanRtt = (1 - this.alpha) * mean + this.alpha * rtt;
      }
    }
    this.windowStart = this.now();
    this.windowRttSum = 0;
    this.windowCount = 0;
    this.windowBackPressure = false;
    this.windowReachedLimit = false;
  }
}
