/**
 * Every error the product can return, in one table: the code (UPPER_SNAKE, stable, on the wire), the
 * human message, the HTTP status the REST adapter answers with. The names the seed system publishes
 * (INVALID_REQUEST, INVALID_LEGS, MARKET_NOT_FOUND, NOT_FOUND, FORBIDDEN, UNAUTHORIZED,
 * INSUFFICIENT_BALANCE, EXCLUSION_GROUP_CONFLICT, INTERNAL_ERROR) keep their meaning.
 */
export const ERRORS = {
  // malformed input
  INVALID_REQUEST: { status: 400, message: 'The request is malformed' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  AMOUNT_PRECISION: { status: 400, message: 'Amounts carry at most 6 decimals (micro-USDC)' },
  ODDS_PRECISION: { status: 400, message: 'Payout odds carry at most 4 decimals' },
  // validation table
  LEG_COUNT_OUT_OF_RANGE: {
    status: 400,
    message: 'A parlay has between the minimum and maximum number of legs',
  },
  INVALID_LEGS: { status: 400, message: 'Market validation failed' },
  DUPLICATE_MARKET: { status: 400, message: 'Two legs reference the same market' },
  MARKET_NOT_FOUND: { status: 400, message: 'Market not found' },
  MARKET_NOT_ACTIVE: { status: 400, message: 'Market is not active' },
  MARKET_NOT_BINARY: { status: 400, message: 'Market is not a binary market' },
  MARKET_CLOSES_BEFORE_EXPIRY: { status: 400, message: 'Market closes before the RFQ expires' },
  EXCLUSION_GROUP_CONFLICT: { status: 400, message: 'Legs contradict each other: they can never all win' },
  MARKET_DATA_STALE: { status: 503, message: 'Market data is too old to validate legs; try again shortly' },
  BET_OUT_OF_RANGE: { status: 400, message: 'Bet amount is outside the allowed range' },
  ODDS_OUT_OF_RANGE: { status: 400, message: 'Payout odds are outside the allowed range' },
  EXPIRY_OUT_OF_RANGE: { status: 400, message: 'RFQ expiry is outside the allowed range' },
  QUOTE_VALIDITY_OUT_OF_RANGE: { status: 400, message: 'Quote validity is outside the allowed range' },
  // identity and ownership
  UNAUTHORIZED: { status: 401, message: 'Authentication required or failed' },
  FORBIDDEN: { status: 403, message: 'Not allowed for this caller' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  // lifecycle
  RFQ_EXPIRED: { status: 400, message: 'The RFQ has expired' },
  RFQ_NOT_QUOTABLE: { status: 409, message: 'The RFQ no longer takes quotes' },
  RFQ_NOT_CANCELLABLE: { status: 409, message: 'The RFQ can no longer be cancelled' },
  RFQ_NOT_ACCEPTABLE: { status: 409, message: 'The RFQ is not in a state where a quote can be accepted' },
  QUOTE_ALREADY_EXISTS: { status: 409, message: 'This market maker already has a live quote on the RFQ' },
  QUOTE_EXPIRED: { status: 400, message: 'The quote has expired' },
  QUOTE_NOT_LIVE: { status: 409, message: 'The quote is no longer live' },
  QUOTE_NOT_ACCEPTED: { status: 400, message: 'The quote is not in the accepted state' },
  CONFIRM_WINDOW_CLOSED: { status: 409, message: 'The confirmation window has closed' },
  INVALID_TRANSITION: { status: 409, message: 'The RFQ is not in a state that takes this input' },
  // funds
  INSUFFICIENT_BALANCE: { status: 400, message: "The user's free vault balance cannot cover the bet" },
  INSUFFICIENT_COLLATERAL: {
    status: 400,
    message: "The market maker's free vault balance cannot cover the collateral",
  },
  // protocol and service
  IDEMPOTENCY_CONFLICT: { status: 409, message: 'The idempotency key was used with a different request' },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  SERVICE_UNAVAILABLE: {
    status: 503,
    message: 'The service cannot make this durable right now; nothing was applied',
  },
  INTERNAL_ERROR: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export type ErrorDetails = Record<string, unknown>;

/** The one error class of the product: a code from the table plus structured details. */
export class RfqError extends Error {
  override readonly name = 'RfqError';
  constructor(
    readonly code: ErrorCode,
    readonly details: ErrorDetails = {},
    message?: string,
  ) {
    super(message ?? ERRORS[code].message);
  }

  static of(code: ErrorCode, details: ErrorDetails = {}, message?: string): RfqError {
    return new RfqError(code, details, message);
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(ERRORS, value);

/** Commands return values, not exceptions: a rejection is data the caller must look at. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: RfqError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = (code: ErrorCode, details: ErrorDetails = {}, message?: string): Result<never> => ({
  ok: false,
  error: new RfqError(code, details, message),
});
export const fail = (error: RfqError): Result<never> => ({ ok: false, error });
