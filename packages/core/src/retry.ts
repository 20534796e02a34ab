// Retrying with exponential backoff and full jitter, until success or an abort signal.

/**
 * Exponential backoff with full jitter: each delay is drawn between half and all of the attempt's ceiling.
 */
export interface BackoffOptions {
  /** The ceiling of the first delay (ms), doubled after each failed attempt. */
  initialDelayMs: number;
  /** The largest ceiling (ms). */
  maxDelayMs: number;
  /** Give up after this many attempts; Infinity retries until aborted. */
  maxAttempts: number;
}

export const defaultBackoff: BackoffOptions = {
  initialDelayMs: 100,
  maxDelayMs: 30_000,
  maxAttempts: Infinity,
};

/** The delay before attempt `attempt` (1-based count of failures so far), with full jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions, random = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it resolves. Each failure calls `onError` (for logs and metrics) and waits a
 * backoff delay. Rejects with the last error after maxAttempts, or with the abort reason when aborted.
 */
export async function retry<T>(
  attempt: () => Promise<T>,
  options: Partial<BackoffOptions> & {
    signal?: AbortSignal;
    onError?: (error: unknown, attempt: number) => void;
  },
): Promise<T> {
  const backoff = { ...defaultBackoff, ...options };
  for (let n = 1; ; n++) {
    if (options.signal?.aborted) throw options.signal.reason;
    try {
      return await attempt();
    } catch (error) {
      options.onError?.(error, n);
      if (n >= backoff.maxAttempts) throw error;
      await sleep(backoffDelay(n, backoff), options.signal);
    }
  }
}
