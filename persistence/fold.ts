/**
 * The record of an RFQ rebuilt from its events: the write-behind projection and the Redis-empty
 * recovery both fold the sequenced event stream with these rules, so Postgres holds what the actors
 * held. Pure; it mirrors machines/rfqUpdates.ts event by event.
 *
 * One field is not carried by the events: `quote.expired` has no reason. The machine gives three
 * ('quote_expired' on a quote's own deadline, 'rfq_expired' when the RFQ expires, 'confirm_timeout'
 * for the accepted quote), and the two terminal ones are always followed, at the same instant, by the
 * RFQ's own end event. So a quote expiring is recorded as 'quote_expired' and corrected when
 * `rfq.expired` / `rfq.cancelled(confirm_timeout)` arrives; an event that carries `reason` wins.
 */
import type { DomainEvent, Quote, RfqContext, RfqStatus } from '../machines/domain.ts';
import { isTerminal } from '../machines/domain.ts';
import { type PersistedRfq, rfqMachine } from '../machines/rfq.ts';

export interface RfqRecord {
  status: RfqStatus;
  context: RfqContext;
  /** Seq of the last event folded in. */
  lastSeq: number;
  /** Signature of the void (cancel) transaction of an executed position: not part of the context. */
  closeSignature: string | null;
}

export class FoldError extends Error {
  override readonly name = 'FoldError';
  constructor(
    readonly seq: number,
    readonly rfqId: string,
    message: string,
  ) {
    super(`event ${seq} (rfq ${rfqId}): ${message}`);
  }
}

/** Applies one event to the RFQ's record (null before its `rfq.created`); returns the new record. */
export function foldEvent(record: RfqRecord | null, event: DomainEvent): RfqRecord {
  if (event.type === 'rfq.created') {
    const { rfq } = event;
    return {
      status: rfq.status,
      lastSeq: event.seq,
      closeSignature: null,
      context: {
        id: rfq.id,
        userId: rfq.userId,
        legs: rfq.legs.map((l) => ({ ...l })),
        betMicro: rfq.betMicro,
        feeBps: rfq.feeBps,
        createdAt: rfq.createdAt,
        expiresAt: rfq.expiresAt,
        updatedAt: rfq.updatedAt,
        quotes: rfq.quotes.map(quoteOf),
        acceptedQuoteId: rfq.acceptedQuoteId,
        confirmDeadline: rfq.confirmDeadline,
        collateralMicro: rfq.collateralMicro,
        position: rfq.position ? { ...rfq.position } : null,
        pendingOutcome: rfq.pendingOutcome,
        settlement: rfq.settlement ? { ...rfq.settlement } : null,
        endReason: rfq.endReason,
      },
    };
  }
  if (!record) throw new FoldError(event.seq, event.rfqId, `${event.type} before rfq.created`);
  if (event.seq <= record.lastSeq) return record;
  const c: RfqContext = { ...record.context, updatedAt: Math.max(record.context.updatedAt, event.at) };
  const next: RfqRecord = { ...record, context: c, lastSeq: event.seq };
  const at = event.at;
  const setQuote = (quoteId: string, status: Quote['status'], reason: string | null) => {
    if (!c.quotes.some((q) => q.id === quoteId))
      throw new FoldError(event.seq, event.rfqId, `${event.type} for unknown quote ${quoteId}`);
    c.quotes = c.quotes.map((q) => (q.id === quoteId ? { ...q, status, reason, updatedAt: at } : q));
  };
  switch (event.type) {
    case 'rfq.status':
      next.status = event.status;
      c.acceptedQuoteId = event.acceptedQuoteId;
      break;
    case 'rfq.expired':
      c.endReason = 'rfq_expired';
      c.quotes = c.quotes.map((q) =>
        q.status === 'expired' && q.updatedAt === at ? { ...q, reason: 'rfq_expired' } : q,
      );
      break;
    case 'rfq.cancelled':
      c.endReason = event.reason;
      if (event.reason === 'confirm_timeout')
        c.quotes = c.quotes.map((q) =>
          q.id === c.acceptedQuoteId && q.status === 'expired' ? { ...q, reason: 'confirm_timeout' } : q,
        );
      break;
    case 'quote.submitted':
      c.quotes = [...c.quotes, quoteOf(event.quote)];
      break;
    case 'quote.withdrawn':
      setQuote(event.quoteId, 'withdrawn', event.reason);
      break;
    case 'quote.expired': {
      const carried = (event as { reason?: unknown }).reason;
      setQuote(event.quoteId, 'expired', typeof carried === 'string' ? carried : 'quote_expired');
      break;
    }
    case 'quote.rejected':
      setQuote(event.quoteId, 'rejected', event.reason);
      break;
    case 'quote.accepted':
      setQuote(event.quoteId, 'accepted', null);
      c.acceptedQuoteId = event.quoteId;
      c.confirmDeadline = event.confirmDeadline;
      break;
    case 'quote.confirmed':
      setQuote(event.quoteId, 'confirmed', null);
      c.collateralMicro = event.collateralMicro;
      break;
    case 'position.executed':
      setQuote(event.quoteId, 'executed', null);
      c.position = {
        address: event.positionAddress,
        signature: event.signature,
        executedAt: at,
        closeSignature: null,
      };
      break;
    case 'position.outcome':
      c.pendingOutcome = event.outcome;
      break;
    case 'position.settled':
      c.pendingOutcome = null;
      if (c.position) c.position = { ...c.position, closeSignature: event.signature };
      c.settlement = {
        outcome: event.outcome,
        payoutMicro: event.payoutMicro,
        feeMicro: event.feeMicro,
        signature: event.signature,
        settledAt: at,
      };
      break;
    case 'position.cancelled':
      c.pendingOutcome = null;
      c.endReason = event.reason;
      if (c.position) c.position = { ...c.position, closeSignature: event.signature };
      next.closeSignature = event.signature;
      break;
  }
  return next;
}

/** Folds a seq-ordered list of events, grouped by RFQ, onto the records given (which it does not change). */
export function foldEvents(
  start: ReadonlyMap<string, RfqRecord>,
  events: readonly DomainEvent[],
): Map<string, RfqRecord> {
  const touched = new Map<string, RfqRecord>();
  for (const event of events) {
    const before = touched.get(event.rfqId) ?? start.get(event.rfqId) ?? null;
    touched.set(event.rfqId, foldEvent(before, event));
  }
  return touched;
}

/** The persisted actor snapshot for a record, exactly as `actor.getPersistedSnapshot()` would give it. */
export function toPersisted(record: RfqRecord): PersistedRfq {
  const state = rfqMachine.resolveState({ value: record.status, context: record.context });
  return rfqMachine.getPersistedSnapshot(state) as unknown as PersistedRfq;
}

export const isLiveRecord = (record: RfqRecord): boolean => !isTerminal(record.status);

function quoteOf(view: Quote): Quote {
  return {
    id: view.id,
    mmId: view.mmId,
    oddsFp: view.oddsFp,
    createdAt: view.createdAt,
    validUntil: view.validUntil,
    updatedAt: view.updatedAt,
    status: view.status,
    reason: view.reason,
  };
}
