/**
 * What can go wrong talking to Kalshi, as classes the callers branch on. `retryable` is the client's
 * own decision input: 429, 5xx, timeouts and network failures are retried; everything else is not.
 */

export abstract class KalshiError extends Error {
  abstract readonly retryable: boolean;
  constructor(
    message: string,
    /** `METHOD /path` without the query, for logs. */
    readonly request: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A non-2xx answer. `code` is Kalshi's `error.code` when the body carried one. */
export class KalshiHttpError extends KalshiError {
  override readonly name: string = 'KalshiHttpError';
  readonly retryable: boolean;
  constructor(
    request: string,
    readonly status: number,
    readonly code: string | null,
    message: string,
    /** From a `Retry-After` header, when present. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(`${request} answered ${status}${code ? ` (${code})` : ''}: ${message}`, request);
    this.retryable = status === 429 || status >= 500;
  }
}

/** 404: the market or event does not exist (or no longer does). Never retried. */
export class KalshiNotFoundError extends KalshiHttpError {
  override readonly name = 'KalshiNotFoundError';
  constructor(request: string, code: string | null, message: string) {
    super(request, 404, code, message);
  }
}

export class KalshiTimeoutError extends KalshiError {
  override readonly name = 'KalshiTimeoutError';
  readonly retryable = true;
  constructor(request: string, timeoutMs: number) {
    super(`${request} timed out after ${timeoutMs} ms`, request);
  }
}

/** The connection failed before an answer (refused, reset, DNS). */
export class KalshiNetworkError extends KalshiError {
  override readonly name = 'KalshiNetworkError';
  readonly retryable = true;
  constructor(request: string, cause: unknown) {
    super(`${request} failed: ${cause instanceof Error ? cause.message : String(cause)}`, request, { cause });
  }
}

/** The caller aborted (shutdown). Never retried. */
export class KalshiAbortedError extends KalshiError {
  override readonly name = 'KalshiAbortedError';
  readonly retryable = false;
  constructor(request: string) {
    super(`${request} aborted`, request);
  }
}

/** A 2xx answer whose body is not the JSON shape Kalshi documents. Not retried: the same bytes would come back. */
export class KalshiResponseShapeError extends KalshiError {
  override readonly name = 'KalshiResponseShapeError';
  readonly retryable = false;
  constructor(
    request: string,
    /** Where in the body, e.g. `markets[3].close_time`. */
    readonly at: string,
    problem: string,
  ) {
    super(`${request}: ${at} ${problem}`, request);
  }
}

export const isRetryable = (error: unknown): boolean => error instanceof KalshiError && error.retryable;
