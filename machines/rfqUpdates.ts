/**
 * How each accepted input changes an RFQ's context and which domain events it produces. Pure: the
 * machine applies these after its guards (rfqRules.inputError) have let the input through.
 */
import type { DomainEventBody, Quote, RfqContext } from './domain.ts';
import type { RfqInput } from './rfqEvents.ts';
import { isLive, toQuoteView } from './rfqRules.ts';

export interface Update {
  context: RfqContext;
  events: DomainEventBody[];
}

type Of<T extends RfqInput['type']> = Extract<RfqInput, { type: T }>;

const endQuote = (q: Quote, status: Quote['status'], reason: string | null, at: number): Quote => ({
  ...q,
  status,
  reason,
  updatedAt: at,
});

export function submitQuote(context: RfqContext, input: Of<'QUOTE.SUBMIT'>): Update {
  const events: DomainEventBody[] = [];
  let replacedQuoteId: string | null = null;
  const quotes = context.quotes.map((q) => {
    if (q.mmId !== input.mmId || !isLive(q, input.at)) return q;
    replacedQuoteId = q.id;
    events.push({ type: 'quote.withdrawn', quoteId: q.id, mmId: q.mmId, reason: 'replaced' });
    return endQuote(q, 'withdrawn', 'replaced', input.at);
  });
  const quote: Quote = {
    id: input.quoteId,
    mmId: input.mmId,
    oddsFp: input.oddsFp,
    createdAt: input.at,
    validUntil: input.validUntil,
    updatedAt: input.at,
    status: 'pending',
    reason: null,
  };
  quotes.push(quote);
  const next = { ...context, quotes, updatedAt: input.at };
  events.push({ type: 'quote.submitted', quote: toQuoteView(next, quote), replacedQuoteId });
  return { context: next, events };
}

export function withdrawQuote(context: RfqContext, input: Of<'QUOTE.WITHDRAW'>): Update {
  const quotes = context.quotes.map((q) =>
    q.id === input.quoteId ? endQuote(q, 'withdrawn', input.reason, input.at) : q,
  );
  return {
    context: { ...context, quotes, updatedAt: input.at },
    events: [{ type: 'quote.withdrawn', quoteId: input.quoteId, mmId: input.mmId, reason: input.reason }],
  };
}

/** Expires every pending quote due at `at`; with `all`, every pending quote (the RFQ itself ended). */
export function expireQuotes(context: RfqContext, at: number, all: boolean): Update {
  const events: DomainEventBody[] = [];
  const quotes = context.quotes.map((q) => {
    if (q.status !== 'pending' || (!all && at < q.validUntil)) return q;
    const reason = all ? 'rfq_expired' : 'quote_expired';
    events.push({ type: 'quote.expired', quoteId: q.id, mmId: q.mmId, reason });
    return endQuote(q, 'expired', reason, at);
  });
  return { context: { ...context, quotes, updatedAt: at }, events };
}

export function expireRfq(context: RfqContext, at: number): Update {
  const { context: next, events } = expireQuotes(context, at, true);
  events.push({ type: 'rfq.expired' });
  return { context: { ...next, endReason: 'rfq_expired' }, events };
}

export function cancelRfq(context: RfqContext, input: Of<'CANCEL'>): Update {
  const events: DomainEventBody[] = [];
  const quotes = context.quotes.map((q) => {
    if (q.status !== 'pending') return q;
    events.push({ type: 'quote.rejected', quoteId: q.id, mmId: q.mmId, reason: 'rfq_cancelled' });
    return endQuote(q, 'rejected', 'rfq_cancelled', input.at);
  });
  events.push({ type: 'rfq.cancelled', reason: input.reason });
  return { context: { ...context, quotes, updatedAt: input.at, endReason: input.reason }, events };
}

export function acceptQuote(context: RfqContext, input: Of<'ACCEPT'>): Update {
  const confirmDeadline = input.at + input.confirmWindowMs;
  const rejected: DomainEventBody[] = [];
  let accepted: Quote | undefined;
  const quotes = context.quotes.map((q) => {
    if (q.id === input.quoteId) {
      accepted = endQuote(q, 'accepted', null, input.at);
      return accepted;
    }
    if (q.status !== 'pending') return q;
    rejected.push({ type: 'quote.rejected', quoteId: q.id, mmId: q.mmId, reason: 'other_quote_accepted' });
    return endQuote(q, 'rejected', 'other_quote_accepted', input.at);
  });
  const next = { ...context, quotes, acceptedQuoteId: input.quoteId, confirmDeadline, updatedAt: input.at };
  const quote = accepted as Quote;
  return {
    context: next,
    events: [
      {
        type: 'quote.accepted',
        quoteId: quote.id,
        mmId: quote.mmId,
        confirmDeadline,
        quote: toQuoteView(next, quote),
      },
      ...rejected,
    ],
  };
}

const setAccepted = (
  context: RfqContext,
  status: Quote['status'],
  reason: string | null,
  at: number,
): Quote[] =>
  context.quotes.map((q) => (q.id === context.acceptedQuoteId ? endQuote(q, status, reason, at) : q));

const acceptedMm = (context: RfqContext): string =>
  context.quotes.find((q) => q.id === context.acceptedQuoteId)?.mmId ?? '';

export function confirmQuote(context: RfqContext, input: Of<'CONFIRM'>): Update {
  return {
    context: {
      ...context,
      quotes: setAccepted(context, 'confirmed', null, input.at),
      collateralMicro: input.collateralMicro,
      updatedAt: input.at,
    },
    events: [
      {
        type: 'quote.confirmed',
        quoteId: input.quoteId,
        mmId: input.mmId,
        collateralMicro: input.collateralMicro,
      },
    ],
  };
}

export function rejectAccepted(context: RfqContext, input: Of<'REJECT'>): Update {
  return {
    context: {
      ...context,
      quotes: setAccepted(context, 'rejected', 'mm_rejected', input.at),
      updatedAt: input.at,
      endReason: 'mm_rejected',
    },
    events: [
      { type: 'quote.rejected', quoteId: input.quoteId, mmId: input.mmId, reason: 'mm_rejected' },
      { type: 'rfq.cancelled', reason: 'mm_rejected' },
    ],
  };
}

export function confirmTimeout(context: RfqContext, at: number): Update {
  const mmId = acceptedMm(context);
  return {
    context: {
      ...context,
      quotes: setAccepted(context, 'expired', 'confirm_timeout', at),
      updatedAt: at,
      endReason: 'confirm_timeout',
    },
    events: [
      { type: 'quote.expired', quoteId: context.acceptedQuoteId ?? '', mmId, reason: 'confirm_timeout' },
      { type: 'rfq.cancelled', reason: 'confirm_timeout' },
    ],
  };
}

export function executed(context: RfqContext, input: Of<'EXECUTED'>): Update {
  const position = {
    address: input.positionAddress,
    signature: input.signature,
    executedAt: input.at,
    closeSignature: null,
  };
  return {
    context: {
      ...context,
      quotes: setAccepted(context, 'executed', null, input.at),
      position,
      updatedAt: input.at,
    },
    events: [
      {
        type: 'position.executed',
        quoteId: context.acceptedQuoteId ?? '',
        mmId: acceptedMm(context),
        positionAddress: input.positionAddress,
        signature: input.signature,
        collateralMicro: context.collateralMicro ?? 0,
      },
    ],
  };
}

export function executionFailed(context: RfqContext, input: Of<'EXECUTION_FAILED'>): Update {
  const reason = `execution_failed: ${input.reason}`;
  return {
    context: { ...context, updatedAt: input.at, endReason: reason },
    events: [
      {
        type: 'position.cancelled',
        quoteId: context.acceptedQuoteId ?? '',
        mmId: acceptedMm(context),
        positionAddress: null,
        reason,
        signature: null,
      },
      { type: 'rfq.cancelled', reason },
    ],
  };
}

export function outcomeKnown(context: RfqContext, input: Of<'OUTCOME'>): Update {
  return {
    context: { ...context, pendingOutcome: input.outcome, updatedAt: input.at },
    events: [{ type: 'position.outcome', mmId: acceptedMm(context), outcome: input.outcome }],
  };
}

export function settled(context: RfqContext, input: Of<'SETTLED'>): Update {
  const settlement = {
    outcome: input.outcome,
    payoutMicro: input.payoutMicro,
    feeMicro: input.feeMicro,
    signature: input.signature,
    settledAt: input.at,
  };
  return {
    context: {
      ...context,
      settlement,
      position: context.position ? { ...context.position, closeSignature: input.signature } : null,
      pendingOutcome: null,
      updatedAt: input.at,
    },
    events: [
      {
        type: 'position.settled',
        quoteId: context.acceptedQuoteId ?? '',
        mmId: acceptedMm(context),
        positionAddress: context.position?.address ?? '',
        outcome: input.outcome,
        payoutMicro: input.payoutMicro,
        feeMicro: input.feeMicro,
        signature: input.signature,
      },
    ],
  };
}

export function voided(context: RfqContext, input: Of<'VOIDED'>): Update {
  return {
    context: {
      ...context,
      position: context.position ? { ...context.position, closeSignature: input.signature } : null,
      pendingOutcome: null,
      updatedAt: input.at,
      endReason: input.reason,
    },
    events: [
      {
        type: 'position.cancelled',
        quoteId: context.acceptedQuoteId ?? '',
        mmId: acceptedMm(context),
        positionAddress: context.position?.address ?? null,
        reason: input.reason,
        signature: input.signature,
      },
      { type: 'rfq.cancelled', reason: input.reason },
    ],
  };
}
