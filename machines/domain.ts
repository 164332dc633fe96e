/**
 * The domain's data: what an RFQ holds, what the engine emits, what the ports exchange. Plain data
 * only; times are absolute Unix milliseconds, money is micro-USDC (see money.ts).
 */
import type { Micro, OddsFp } from './money.ts';
import type { Outcome } from './payout.ts';

export type Side = 'yes' | 'no';

export interface Leg {
  ticker: string;
  eventTicker: string;
  side: Side;
}

/** The seed's RFQ statuses. */
export type RfqStatus =
  | 'open'
  | 'quoted'
  | 'accepted'
  | 'confirmed'
  | 'executed'
  | 'settled'
  | 'cancelled'
  | 'expired';
export const TERMINAL_STATUSES: ReadonlySet<RfqStatus> = new Set(['settled', 'cancelled', 'expired']);
export const isTerminal = (status: RfqStatus): boolean => TERMINAL_STATUSES.has(status);

/** The seed's quote statuses. A replaced quote is `withdrawn` with reason `replaced`. */
export type QuoteStatus =
  | 'pending'
  | 'accepted'
  | 'confirmed'
  | 'executed'
  | 'rejected'
  | 'expired'
  | 'withdrawn';

export type PositionStatus = 'active' | 'settled_win' | 'settled_loss' | 'cancelled';

/** Why an RFQ or quote ended, on the wire as these words. */
export type EndReason =
  | 'user_cancelled'
  | 'rfq_expired'
  | 'replaced'
  | 'withdrawn'
  | 'quote_expired'
  | 'other_quote_accepted'
  | 'mm_rejected'
  | 'confirm_timeout'
  | 'execution_failed'
  | 'leg_void'
  | 'mm_disconnected';

export interface Quote {
  id: string;
  mmId: string;
  oddsFp: OddsFp;
  createdAt: number;
  validUntil: number;
  updatedAt: number;
  status: QuoteStatus;
  reason: string | null;
}

export interface PositionRecord {
  address: string;
  /** The create_position transaction. */
  signature: string;
  executedAt: number;
  /** The settle or cancel transaction, once it landed. */
  closeSignature: string | null;
}

/** A position as an MM's history shows it. */
export interface PositionView {
  rfqId: string;
  quoteId: string;
  userId: string;
  mmId: string;
  positionAddress: string;
  createSignature: string;
  stakeMicro: Micro;
  mmRiskMicro: Micro;
  mmCollateralMicro: Micro;
  status: PositionStatus;
  executedAt: number;
  closedAt: number | null;
  closeSignature: string | null;
  settlement: { outcome: Outcome; payoutMicro: Micro; feeMicro: Micro; signature: string } | null;
}

export interface SettlementRecord {
  outcome: Outcome;
  /** What the user's vault received in total on a win (stake + risk − fee), 0 on a loss. */
  payoutMicro: Micro;
  feeMicro: Micro;
  signature: string;
  settledAt: number;
}

/** The RFQ actor's context: everything needed to restore it, deadlines included, as plain JSON. */
export interface RfqContext {
  id: string;
  userId: string;
  legs: Leg[];
  betMicro: Micro;
  feeBps: number;
  createdAt: number;
  expiresAt: number;
  updatedAt: number;
  quotes: Quote[];
  acceptedQuoteId: string | null;
  confirmDeadline: number | null;
  collateralMicro: Micro | null;
  position: PositionRecord | null;
  /** An outcome known from Kalshi whose settle/cancel transaction has not landed yet. */
  pendingOutcome: Outcome | 'void' | null;
  settlement: SettlementRecord | null;
  endReason: string | null;
}

/** A quote as callers see it: amounts derived from the RFQ's bet. */
export interface QuoteView extends Quote {
  rfqId: string;
  totalCostMicro: Micro;
  totalPayoutMicro: Micro;
  mmRiskMicro: Micro;
}

/** An RFQ as callers see it; quotes best odds first, ties earliest first. */
export interface RfqView {
  id: string;
  userId: string;
  status: RfqStatus;
  legs: Leg[];
  betMicro: Micro;
  feeBps: number;
  createdAt: number;
  expiresAt: number;
  updatedAt: number;
  quotes: QuoteView[];
  acceptedQuoteId: string | null;
  confirmDeadline: number | null;
  collateralMicro: Micro | null;
  position: PositionRecord | null;
  pendingOutcome: Outcome | 'void' | null;
  settlement: SettlementRecord | null;
  endReason: string | null;
}

/**
 * The engine's one event stream. Every event names its RFQ and the user who owns it; quote and
 * position events also name the MM, so the gateway routes private streams without lookups.
 */
export type DomainEventBody =
  | { type: 'rfq.created'; rfq: RfqView }
  | { type: 'rfq.status'; status: RfqStatus; acceptedQuoteId: string | null }
  | { type: 'rfq.expired' }
  | { type: 'rfq.cancelled'; reason: string }
  | { type: 'quote.submitted'; quote: QuoteView; replacedQuoteId: string | null }
  | { type: 'quote.withdrawn'; quoteId: string; mmId: string; reason: string }
  | {
      type: 'quote.expired';
      quoteId: string;
      mmId: string;
      reason: 'quote_expired' | 'rfq_expired' | 'confirm_timeout';
    }
  | { type: 'quote.rejected'; quoteId: string; mmId: string; reason: string }
  | { type: 'quote.accepted'; quoteId: string; mmId: string; confirmDeadline: number; quote: QuoteView }
  | { type: 'quote.confirmed'; quoteId: string; mmId: string; collateralMicro: Micro }
  | {
      type: 'position.executed';
      quoteId: string;
      mmId: string;
      positionAddress: string;
      signature: string;
      collateralMicro: Micro;
    }
  | { type: 'position.outcome'; mmId: string; outcome: Outcome | 'void' }
  | {
      type: 'position.settled';
      quoteId: string;
      mmId: string;
      positionAddress: string;
      outcome: Outcome;
      payoutMicro: Micro;
      feeMicro: Micro;
      signature: string;
    }
  | {
      type: 'position.cancelled';
      quoteId: string;
      mmId: string;
      positionAddress: string | null;
      reason: string;
      signature: string | null;
    };

export type DomainEventType = DomainEventBody['type'];

/** What the machine emits: the body plus the RFQ's identity and the time of the input. */
export type RfqEmitted = DomainEventBody & { rfqId: string; userId: string; at: number };

/** An emitted event once the engine has sequenced it. `seq` is global, gap-free, and starts at 1. */
export type DomainEvent = RfqEmitted & { seq: number };
