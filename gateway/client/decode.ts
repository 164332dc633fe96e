/** parlay.v1 frames → the SDK's types (the inverse of the server's protoCodec). */
import {
  type Event,
  Outcome,
  type Quote as PbQuote,
  QuoteStatus as PbQuoteStatus,
  type Rfq as PbRfq,
  RfqStatus as PbRfqStatus,
  Side,
} from '../proto/gen/parlay/v1/protocol_pb.ts';
import type { MmEvent, Quote, QuoteStatus, Rfq, RfqStatus } from './types.ts';

const RFQ_STATUS: Record<number, RfqStatus> = {
  [PbRfqStatus.OPEN]: 'open',
  [PbRfqStatus.QUOTED]: 'quoted',
  [PbRfqStatus.ACCEPTED]: 'accepted',
  [PbRfqStatus.CONFIRMED]: 'confirmed',
  [PbRfqStatus.EXECUTED]: 'executed',
  [PbRfqStatus.SETTLED]: 'settled',
  [PbRfqStatus.CANCELLED]: 'cancelled',
  [PbRfqStatus.EXPIRED]: 'expired',
};

const QUOTE_STATUS: Record<number, QuoteStatus> = {
  [PbQuoteStatus.PENDING]: 'pending',
  [PbQuoteStatus.ACCEPTED]: 'accepted',
  [PbQuoteStatus.CONFIRMED]: 'confirmed',
  [PbQuoteStatus.EXECUTED]: 'executed',
  [PbQuoteStatus.REJECTED]: 'rejected',
  [PbQuoteStatus.EXPIRED]: 'expired',
  [PbQuoteStatus.WITHDRAWN]: 'withdrawn',
};

export const rfqStatusOf = (s: PbRfqStatus): RfqStatus | null => RFQ_STATUS[s] ?? null;

export function rfqOf(r: PbRfq): Rfq {
  return {
    id: r.id,
    userId: r.userId,
    status: RFQ_STATUS[r.status] ?? 'open',
    legs: r.legs.map((l) => ({
      ticker: l.ticker,
      eventTicker: l.eventTicker,
      side: l.side === Side.NO ? 'no' : 'yes',
    })),
    betMicro: Number(r.betMicro),
    createdAt: Number(r.createdAtMs),
    expiresAt: Number(r.expiresAtMs),
    liveQuotes: r.liveQuotes,
  };
}

export function quoteOf(q: PbQuote): Quote {
  return {
    id: q.id,
    rfqId: q.rfqId,
    mmId: q.mmId,
    oddsFp: q.payoutOddsFp,
    totalCostMicro: Number(q.totalCostMicro),
    totalPayoutMicro: Number(q.totalPayoutMicro),
    mmRiskMicro: Number(q.mmRiskMicro),
    validUntil: Number(q.validUntilMs),
    status: QUOTE_STATUS[q.status] ?? 'pending',
    createdAt: Number(q.createdAtMs),
    updatedAt: Number(q.updatedAtMs),
    reason: q.reason || null,
  };
}

const orNull = (s: string): string | null => (s === '' ? null : s);

/** An event frame as an MmEvent, or null for a body this SDK version does not know. */
export function eventOf(e: Event): MmEvent | null {
  const base = { channel: e.channel, seq: Number(e.seq), at: Number(e.atMs), rfqId: e.rfqId };
  const b = e.body;
  switch (b.case) {
    case 'rfqCreated':
      return { ...base, type: 'rfq.created', rfq: rfqOf(b.value) };
    case 'rfqStatus':
      return {
        ...base,
        type: 'rfq.status',
        status: RFQ_STATUS[b.value.status] ?? 'open',
        acceptedQuoteId: orNull(b.value.acceptedQuoteId),
      };
    case 'rfqExpired':
      return { ...base, type: 'rfq.expired' };
    case 'rfqCancelled':
      return { ...base, type: 'rfq.cancelled', reason: b.value.reason };
    case 'rfqQuoteCount':
      return { ...base, type: 'rfq.quoteCount', liveQuotes: b.value.liveQuotes };
    case 'quoteSubmitted':
      return b.value.quote
        ? {
            ...base,
            type: 'quote.submitted',
            quote: quoteOf(b.value.quote),
            replacedQuoteId: orNull(b.value.replacedQuoteId),
          }
        : null;
    case 'quoteWithdrawn':
    case 'quoteExpired':
    case 'quoteRejected': {
      const type =
        b.case === 'quoteWithdrawn'
          ? 'quote.withdrawn'
          : b.case === 'quoteExpired'
            ? 'quote.expired'
            : 'quote.rejected';
      return { ...base, type, quoteId: b.value.quoteId, mmId: b.value.mmId, reason: b.value.reason };
    }
    case 'quoteAccepted':
      return b.value.quote
        ? {
            ...base,
            type: 'quote.accepted',
            quote: quoteOf(b.value.quote),
            confirmDeadline: Number(b.value.confirmDeadlineMs),
          }
        : null;
    case 'quoteConfirmed':
      return {
        ...base,
        type: 'quote.confirmed',
        quoteId: b.value.quoteId,
        mmId: b.value.mmId,
        collateralMicro: Number(b.value.collateralMicro),
        executionId: b.value.executionId,
      };
    case 'positionExecuted':
      return {
        ...base,
        type: 'position.executed',
        quoteId: b.value.quoteId,
        mmId: b.value.mmId,
        positionAddress: b.value.positionAddress,
        signature: b.value.signature,
        collateralMicro: Number(b.value.collateralMicro),
        txUrl: orNull(b.value.txExplorerUrl),
        positionUrl: orNull(b.value.positionExplorerUrl),
      };
    case 'positionSettled':
      return {
        ...base,
        type: 'position.settled',
        quoteId: b.value.quoteId,
        mmId: b.value.mmId,
        positionAddress: b.value.positionAddress,
        outcome: b.value.outcome === Outcome.WIN ? 'win' : 'loss',
        payoutMicro: Number(b.value.payoutMicro),
        feeMicro: Number(b.value.feeMicro),
        signature: b.value.signature,
        txUrl: orNull(b.value.txExplorerUrl),
      };
    case 'positionCancelled':
      return {
        ...base,
        type: 'position.cancelled',
        quoteId: b.value.quoteId,
        mmId: b.value.mmId,
        positionAddress: orNull(b.value.positionAddress),
        reason: b.value.reason,
        signature: orNull(b.value.signature),
        txUrl: orNull(b.value.txExplorerUrl),
      };
    case 'quoteBook':
      return { ...base, type: 'quote.book', quotes: b.value.quotes.map(quoteOf) };
    case 'positionError':
      return { ...base, type: 'position.error', error: b.value.error };
    default:
      return null;
  }
}
