// What a probe of `sluice check` reports: one line per thing checked, ok / warn / FAIL with the reason.
import { type ErrorCode, SluiceError } from "@sluice/core";

/** `FAIL`: `sluice run` would fail or lose data; `warn`: it runs, but read the reason. */
export type ProbeStatus = "ok" | "warn" | "FAIL";

/** One thing checked. */
export interface ProbeLine {
  /** The verdict. */
  readonly status: ProbeStatus;
  /** What was checked and what was found, in one sentence. */
  readonly text: string;
}

/** The lines of one connection (a Kafka broker list, an Elasticsearch cluster). */
export interface ProbeSection {
  /** The connection, as it may be shown (no password). */
  readonly title: string;
  /** Its lines, in the order checked. */
  readonly lines: ProbeLine[];
}

/** `work`, or a rejection naming `what` when it takes longer than `ms`: a probe never hangs `sluice check`. */
export async function withTimeout<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  code: ErrorCode,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SluiceError(code, `${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
