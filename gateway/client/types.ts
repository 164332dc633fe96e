/** What the MM SDK hands its users: plain numbers (micro-USDC, odds × 10,000, Unix ms), no bigints. */
export type RfqStatus =
  | 'open'
  | 'quoted'
  | 'accepted'
  | 'confirmed'
  | 'executed'
  | 'settled'
  | 'cancelled'
  | 'expired';
export type QuoteStatus =
  | 'pending'
  | 'accepted'
  | 'confirmed'
  | 'executed'
  | 'rejected'
  | 'expired'
  | 'withdrawn';

export interface Leg {
  ticker: string;
  eventTicker: string;
  side: 'yes' | 'no';
}

export interface Rfq {
  id: string;
  userId: string;
  status: RfqStatus;
  legs: Leg[];
  betMicro: number;
  createdAt: number;
  expiresAt: number;
  liveQuotes: number;
}

export interface Quote {
  id: string;
  rfqId: string;
  mmId: string;
  oddsFp: number;
  totalCostMicro: number;
  totalPayoutMicro: number;
  mmRiskMicro: number;
  validUntil: number;
  status: QuoteStatus;
  createdAt: number;
  updatedAt: number;
  reason: string | null;
}

interface EventBase {
  channel: string;
  seq: number;
  at: number;
  rfqId: string;
}

export type MmEvent = EventBase &
  (
    | { type: 'rfq.created'; rfq: Rfq }
    | { type: 'rfq.status'; status: RfqStatus; acceptedQuoteId: string | null }
    | { type: 'rfq.expired' }
    | { type: 'rfq.cancelled'; reason: string }
    | { type: 'rfq.quoteCount'; liveQuotes: number }
    | { type: 'quote.submitted'; quote: Quote; replacedQuoteId: string | null }
    | {
        type: 'quote.withdrawn' | 'quote.expired' | 'quote.rejected';
        quoteId: string;
        mmId: string;
        reason: string;
      }
    | { type: 'quote.accepted'; quote: Quote; confirmDeadline: number }
    | { type: 'quote.confirmed'; quoteId: string; mmId: string; collateralMicro: number; executionId: string }
    | {
        type: 'position.executed';
        quoteId: string;
        mmId: string;
        positionAddress: string;
        signature: string;
        collateralMicro: number;
        txUrl: string | null;
        positionUrl: string | null;
      }
    | {
        type: 'position.settled';
        quoteId: string;
        mmId: string;
        positionAddress: string;
        outcome: 'win' | 'loss';
        payoutMicro: number;
        feeMicro: number;
        signature: string;
        txUrl: string | null;
      }
    | {
        type: 'position.cancelled';
        quoteId: string;
        mmId: string;
        positionAddress: string | null;
        reason: string;
        signature: string | null;
        txUrl: string | null;
      }
    | { type: 'quote.book'; quotes: Quote[] }
    | { type: 'position.error'; error: string }
  );

export type MmEventType = MmEvent['type'];

export interface Snapshot {
  channel: string;
  epoch: string;
  seq: number;
  rfqs: Rfq[];
  quotes: Quote[];
  pendingConfirms: Array<{ quote: Quote; confirmDeadline: number }>;
}

export interface CommandAck {
  requestId: string;
  quote: Quote | null;
  rfqStatus: RfqStatus | null;
  cancelOnDisconnect: boolean;
}

export interface AuthInfo {
  mmId: string;
  sessionId: string;
  cancelOnDisconnect: boolean;
  heartbeatIntervalMs: number;
  idleTimeoutMs: number;
}

/** The server refused a command (or the auth): its error code from docs/protocol.md. */
export class MmCommandError extends Error {
  override readonly name = 'MmCommandError';
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
    readonly requestId: string | null,
    readonly retryAfterMs: number | null,
  ) {
    super(`${code}: ${message}`);
  }
}

/** The connection dropped before the answer came: the command may or may not have been applied. */
export class MmConnectionError extends Error {
  override readonly name = 'MmConnectionError';
}
