// Names the origin of an error that ends the stream: a SluiceError keeps its own code; any other error
// becomes one whose code says where it came from (a stage, the source or the sink).
import { catchError, type Observable, type OperatorFunction, tap, throwError } from "rxjs";
import { describeError, type ErrorCode, SluiceError } from "./errors.js";

/**
 * `operator` with the errors it raises itself turned into a SluiceError of `code` naming `origin`. Errors
 * that reach it from upstream pass through unchanged, so each is named after where it began.
 */
export function nameCrashes<A, B>(
  operator: OperatorFunction<A, B>,
  code: ErrorCode,
  origin: string,
): OperatorFunction<A, B> {
  return (input: Observable<A>) => {
    const upstream = new WeakSet<object>();
    return operator(
      input.pipe(
        tap({
          error: (error: unknown) => {
            if (typeof error === "object" && error !== null) upstream.add(error);
          },
        }),
      ),
    ).pipe(catchError((error: unknown) => throwError(() => crashError(error, code, origin, upstream))));
  };
}

function crashError(error: unknown, code: ErrorCode, origin: string, upstream: WeakSet<object>): unknown {
  if (typeof error === "object" && error !== null && upstream.has(error)) return error;
  return asSluiceError(error, code, origin);
}

/** `error` if it is a SluiceError, else one of `code` saying that `origin` failed, with `error` as its cause. */
export function asSluiceError(error: unknown, code: ErrorCode, origin: string): SluiceError {
  if (error instanceof SluiceError) return error;
  return new SluiceError(code, `${origin} failed: ${describeError(error)}`, { cause: error });
}
