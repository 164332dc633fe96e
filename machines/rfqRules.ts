/**
 * Which input an RFQ takes in which state, as one pure function. The machine's guards call it and so
 * does the engine before sending, so a refused command gets the precise error code and changes nothing.
 *
 * Deadlines are half-open: a quote is live while at < validUntil, an RFQ takes quotes and accepts while
 * at < expiresAt, a confirm counts while at < confirmDeadline. An input arriving exactly at a deadline is late.
 */
import type {
  PositionStatus,
  PositionView,
  Quote,
  QuoteView,
  RfqContext,
  RfqStatus,
  RfqView,
} from './domain.ts';
import { RfqError } from './errors.ts';
import { quoteAmounts } from './payout.ts';
import type { RfqInput } from './rfqEvents.ts';

/** What an RFQ is created with; the machine derives the rest. */
export type RfqOpening = Pick<
  RfqContext,
  'id' | 'userId' | 'legs' | 'betMicro' | 'feeBps' | 'createdAt' | 'expiresAt'
>;

/** A just-opened RFQ: the machine's initial context, and what its rfq.created event shows. */
export const openedContext = (input: RfqOpening): RfqContext => ({
  ...input,
  updatedAt: input.createdAt,
  quotes: [],
  acceptedQuoteId: null,
  confirmDeadline: null,
  collateralMicro: null,
  position: null,
  pendingOutcome: null,
  settlement: null,
  endReason: null,
});

export const isLive = (quote: Quote, at: number): boolean =>
  quote.status === 'pending' && at < quote.validUntil;

export const findQuote = (context: RfqContext, quoteId: string): Quote | undefined =>
  context.quotes.find((q) => q.id === quoteId);

export const liveQuoteOf = (context: RfqContext, mmId: string, at: number): Quote | undefined =>
  context.quotes.find((q) => q.mmId === mmId && isLive(q, at));

export const hasLiveQuote = (context: RfqContext, at: number, except?: string): boolean =>
  context.quotes.some((q) => q.id !== except && isLive(q, at));

/** Errors for an input in a state; null when the machine will take it. */
export function inputError(status: RfqStatus, context: RfqContext, input: RfqInput): RfqError | null {
  switch (input.type) {
    case 'QUOTE.SUBMIT': {
      if (status !== 'open' && status !== 'quoted') return RfqError.of('RFQ_NOT_QUOTABLE', { status });
      if (input.at >= context.expiresAt) return RfqError.of('RFQ_EXPIRED', { expiresAt: context.expiresAt });
      if (input.validUntil <= input.at)
        return RfqError.of('QUOTE_VALIDITY_OUT_OF_RANGE', { validUntil: input.validUntil });
      if (findQuote(context, input.quoteId))
        return RfqError.of('INVALID_REQUEST', { field: 'quote_id', reason: 'duplicate id' });
      const own = liveQuoteOf(context, input.mmId, input.at);
      if (own && !input.replace) return RfqError.of('QUOTE_ALREADY_EXISTS', { quoteId: own.id });
      return null;
    }
    case 'QUOTE.WITHDRAW': {
      const quote = findQuote(context, input.quoteId);
      if (!quote) return RfqError.of('NOT_FOUND', { resource: 'quote', id: input.quoteId });
      if (quote.mmId !== input.mmId)
        return RfqError.of('FORBIDDEN', { resource: 'quote', id: input.quoteId });
      if (status !== 'open' && status !== 'quoted')
        return RfqError.of('QUOTE_NOT_LIVE', { status: quote.status });
      if (!isLive(quote, input.at)) return RfqError.of('QUOTE_NOT_LIVE', { status: quote.status });
      return null;
    }
    case 'ACCEPT': {
      if (input.userId !== context.userId)
        return RfqError.of('FORBIDDEN', { resource: 'rfq', id: context.id });
      const quote = findQuote(context, input.quoteId);
      if (!quote) return RfqError.of('NOT_FOUND', { resource: 'quote', id: input.quoteId });
      if (status !== 'quoted' && status !== 'open') return RfqError.of('RFQ_NOT_ACCEPTABLE', { status });
      if (input.at >= context.expiresAt) return RfqError.of('RFQ_EXPIRED', { expiresAt: context.expiresAt });
      if (quote.status === 'pending' && input.at >= quote.validUntil) {
        return RfqError.of('QUOTE_EXPIRED', { validUntil: quote.validUntil });
      }
      if (quote.status !== 'pending') return RfqError.of('QUOTE_NOT_LIVE', { status: quote.status });
      return null;
    }
    case 'CONFIRM':
    case 'REJECT': {
      const quote = findQuote(context, input.quoteId);
      if (!quote) return RfqError.of('NOT_FOUND', { resource: 'quote', id: input.quoteId });
      if (quote.mmId !== input.mmId)
        return RfqError.of('FORBIDDEN', { resource: 'quote', id: input.quoteId });
      if (status !== 'accepted' || context.acceptedQuoteId !== quote.id) {
        return RfqError.of('QUOTE_NOT_ACCEPTED', { status: quote.status });
      }
      if (context.confirmDeadline === null || input.at >= context.confirmDeadline) {
        return RfqError.of('CONFIRM_WINDOW_CLOSED', { confirmDeadline: context.confirmDeadline });
      }
      return null;
    }
    case 'CANCEL': {
      if (input.userId !== context.userId)
        return RfqError.of('FORBIDDEN', { resource: 'rfq', id: context.id });
      if (status !== 'open' && status !== 'quoted') return RfqError.of('RFQ_NOT_CANCELLABLE', { status });
      return null;
    }
    case 'TICK': {
      const due = nextDeadline(status, context);
      return due !== null && input.at >= due
        ? null
        : RfqError.of('INVALID_TRANSITION', { input: input.type, status });
    }
    case 'EXECUTED':
    case 'EXECUTION_FAILED':
      return status === 'confirmed' ? null : RfqError.of('INVALID_TRANSITION', { input: input.type, status });
    case 'OUTCOME':
      if (status !== 'executed') return RfqError.of('INVALID_TRANSITION', { input: input.type, status });
      return context.pendingOutcome === null || context.pendingOutcome === input.outcome
        ? null
        : RfqError.of('INVALID_TRANSITION', { input: input.type, pendingOutcome: context.pendingOutcome });
    case 'SETTLED':
    case 'VOIDED':
      return status === 'executed' ? null : RfqError.of('INVALID_TRANSITION', { input: input.type, status });
  }
}

/** The earliest absolute deadline the RFQ waits on in this state, or null when none. */
export function nextDeadline(status: RfqStatus, context: RfqContext): number | null {
  if (status === 'accepted') return context.confirmDeadline;
  if (status !== 'open' && status !== 'quoted') return null;
  let next = context.expiresAt;
  for (const q of context.quotes) if (q.status === 'pending' && q.validUntil < next) next = q.validUntil;
  return next;
}

/** Best odds first; equal odds, earliest first (then id, so the order is total). */
export function compareQuotes(a: Quote, b: Quote): number {
  return b.oddsFp - a.oddsFp || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function toQuoteView(context: RfqContext, quote: Quote): QuoteView {
  return { ...quote, rfqId: context.id, ...quoteAmounts(context.betMicro, quote.oddsFp) };
}

export function toRfqView(status: RfqStatus, context: RfqContext): RfqView {
  const quotes = [...context.quotes].sort(compareQuotes).map((q) => toQuoteView(context, q));
  return {
    id: context.id,
    userId: context.userId,
    status,
    legs: context.legs.map((l) => ({ ...l })),
    betMicro: context.betMicro,
    feeBps: context.feeBps,
    createdAt: context.createdAt,
    expiresAt: context.expiresAt,
    updatedAt: context.updatedAt,
    quotes,
    acceptedQuoteId: context.acceptedQuoteId,
    confirmDeadline: context.confirmDeadline,
    collateralMicro: context.collateralMicro,
    position: context.position ? { ...context.position } : null,
    pendingOutcome: context.pendingOutcome,
    settlement: context.settlement ? { ...context.settlement } : null,
    endReason: context.endReason,
  };
}

/** The RFQ's on-chain position as an MM's history shows it, or null if it never executed. */
export function toPositionView(status: RfqStatus, context: RfqContext): PositionView | null {
  const position = context.position;
  const quote = context.quotes.find((q) => q.id === context.acceptedQuoteId);
  if (!position || !quote) return null;
  const settlement = context.settlement;
  const positionStatus: PositionStatus =
    status === 'settled'
      ? settlement?.outcome === 'win'
        ? 'settled_win'
        : 'settled_loss'
      : status === 'cancelled'
        ? 'cancelled'
        : 'active';
  return {
    rfqId: context.id,
    quoteId: quote.id,
    userId: context.userId,
    mmId: quote.mmId,
    positionAddress: position.address,
    createSignature: position.signature,
    stakeMicro: context.betMicro,
    mmRiskMicro: quoteAmounts(context.betMicro, quote.oddsFp).mmRiskMicro,
    mmCollateralMicro: context.collateralMicro ?? 0,
    status: positionStatus,
    executedAt: position.executedAt,
    closedAt: positionStatus === 'active' ? null : (settlement?.settledAt ?? context.updatedAt),
    closeSignature: position.closeSignature,
    settlement: settlement
      ? {
          outcome: settlement.outcome,
          payoutMicro: settlement.payoutMicro,
          feeMicro: settlement.feeMicro,
          signature: settlement.signature,
        }
      : null,
  };
}
