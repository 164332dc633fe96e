/** The seed's user endpoints under /rfqs. */
import type { Static } from '@sinclair/typebox';
import type { Engine } from '../../engine/engine.ts';
import type { MarketSource } from '../../engine/ports/markets.ts';
import type { EndReason } from '../../machines/domain.ts';
import { RfqError } from '../../machines/errors.ts';
import { microToUsdcNumber, oddsFpToNumber, usdcToMicro } from '../../machines/money.ts';
import { iso, quoteJson, ticketJson } from '../wire/seedJson.ts';
import { legMarkets, uuidParam } from './enrich.ts';
import { errorReply } from './http.ts';
import { type Route, route } from './router.ts';
import { CancelRFQRequest, CreateRFQRequest, ListRfqsQuery } from './schemas.ts';

const TAG = 'RFQs';
const AUTH_ERRORS = {
  401: { description: 'Missing or invalid authentication', schema: 'ApiError' },
  429: { description: 'Rate limited (writes)', schema: 'ApiError' },
  500: { description: 'Internal server error', schema: 'ApiError' },
} as const;

/** Words the engine uses for its own endings: a user's free-text reason may not impersonate them. */
const SYSTEM_REASONS: ReadonlySet<string> = new Set<EndReason>([
  'rfq_expired',
  'replaced',
  'withdrawn',
  'quote_expired',
  'other_quote_accepted',
  'mm_rejected',
  'confirm_timeout',
  'execution_failed',
  'leg_void',
  'mm_disconnected',
]);

export function rfqRoutes(engine: Engine, markets: MarketSource): Route[] {
  return [
    route({
      method: 'post',
      path: '/rfqs',
      operationId: 'createRfq',
      summary: 'Create RFQ',
      description: 'Create a parlay RFQ; it is broadcast at once to market makers on the rfqs:open channel.',
      tag: TAG,
      access: 'user',
      body: { schema: 'CreateRFQRequest', type: CreateRFQRequest },
      responses: {
        201: { description: 'RFQ created', schema: 'ParlayTicket' },
        400: {
          description: 'Invalid request, market validation failed, or insufficient balance',
          schema: 'ApiError',
        },
        403: { description: 'Not a user key', schema: 'ApiError' },
        ...AUTH_ERRORS,
      },
      async handle({ caller, body }) {
        const req = body as Static<typeof CreateRFQRequest>;
        const created = await engine.createRfq(caller.principal.id, {
          legs: req.legs.map((l) => ({ ticker: l.kalshi_market_ticker, side: l.side })),
          betMicro: usdcToMicro(req.bet_amount, 'bet_amount'),
          ...(req.expires_in_seconds !== undefined && { ttlMs: req.expires_in_seconds * 1000 }),
        });
        if (!created.ok) return errorReply(created.error);
        return { status: 201, body: ticketJson(created.value, await legMarkets(markets, [created.value])) };
      },
    }),
    route({
      method: 'get',
      path: '/rfqs',
      operationId: 'listRfqs',
      summary: 'List RFQs',
      description: "The caller's RFQs, newest first, optionally filtered by status; `cursor` pages on.",
      tag: TAG,
      access: 'user',
      query: ListRfqsQuery,
      responses: { 200: { description: 'List of RFQs', schema: 'RfqList' }, ...AUTH_ERRORS },
      async handle({ caller, query }) {
        const page = await engine.queries.listUserRfqs(caller.principal.id, {
          limit: query.limit ?? 20,
          ...(query.status && { status: query.status }),
          ...(query.cursor && { cursor: query.cursor }),
        });
        const facts = await legMarkets(markets, page.items);
        return {
          status: 200,
          body: { rfqs: page.items.map((v) => ticketJson(v, facts)), cursor: page.cursor },
        };
      },
    }),
    route({
      method: 'get',
      path: '/rfqs/{id}',
      operationId: 'getRfq',
      summary: 'Get RFQ',
      description:
        'The RFQ with its quotes, best odds first. Owners see every quote; a market maker sees only its own.',
      tag: TAG,
      access: 'any',
      responses: {
        200: { description: 'RFQ details with quotes', schema: 'ParlayTicketWithQuotes' },
        403: { description: 'Not the owner', schema: 'ApiError' },
        404: { description: 'Resource not found', schema: 'ApiError' },
        ...AUTH_ERRORS,
      },
      async handle({ caller, params }) {
        const found = await engine.queries.rfqFor(caller.principal, uuidParam(params, 'id'));
        if (!found.ok) return errorReply(found.error);
        const view = found.value;
        return {
          status: 200,
          body: {
            ...ticketJson(view, await legMarkets(markets, [view])),
            quotes: view.quotes.map(quoteJson),
          },
        };
      },
    }),
    route({
      method: 'del',
      path: '/rfqs/{id}',
      operationId: 'cancelRfq',
      summary: 'Cancel RFQ',
      description: 'Cancel an open or quoted RFQ.',
      tag: TAG,
      access: 'user',
      body: { schema: 'CancelRFQRequest', type: CancelRFQRequest, required: false },
      responses: {
        204: { description: 'RFQ cancelled' },
        403: { description: 'Not the owner', schema: 'ApiError' },
        404: { description: 'Resource not found', schema: 'ApiError' },
        409: {
          description: 'Cannot cancel the RFQ in its current status (RFQ_NOT_CANCELLABLE)',
          schema: 'ApiError',
        },
        ...AUTH_ERRORS,
      },
      async handle({ caller, params, body }) {
        const reason = (body as Static<typeof CancelRFQRequest> | undefined)?.reason?.trim();
        if (reason && SYSTEM_REASONS.has(reason))
          throw RfqError.of('INVALID_REQUEST', { field: 'reason', reason: 'reserved word' });
        const cancelled = await engine.cancelRfq(
          caller.principal.id,
          uuidParam(params, 'id'),
          reason || undefined,
        );
        return cancelled.ok ? { status: 204 } : errorReply(cancelled.error);
      },
    }),
    route({
      method: 'get',
      path: '/rfqs/{id}/quotes',
      operationId: 'listRfqQuotes',
      summary: 'List RFQ Quotes',
      description: 'Quotes on the RFQ, best payout odds first (ties: earliest first).',
      tag: TAG,
      access: 'user',
      responses: {
        200: { description: 'List of quotes sorted by payout odds', schema: 'QuoteList' },
        403: { description: 'Not the owner', schema: 'ApiError' },
        404: { description: 'Resource not found', schema: 'ApiError' },
        ...AUTH_ERRORS,
      },
      async handle({ caller, params }) {
        const found = await engine.queries.rfqFor(caller.principal, uuidParam(params, 'id'));
        return found.ok
          ? { status: 200, body: { quotes: found.value.quotes.map(quoteJson) } }
          : errorReply(found.error);
      },
    }),
    route({
      method: 'put',
      path: '/rfqs/{id}/quotes/{quoteId}/accept',
      operationId: 'acceptQuote',
      summary: 'Accept Quote',
      description:
        'Accept a quote: every other pending quote is rejected and the market maker has the confirmation window (5 s) to confirm.',
      tag: TAG,
      access: 'user',
      responses: {
        200: { description: 'Quote accepted', schema: 'AcceptQuoteResponse' },
        400: { description: 'RFQ expired, quote expired, or insufficient balance', schema: 'ApiError' },
        403: { description: 'Not the owner', schema: 'ApiError' },
        404: { description: 'Resource not found', schema: 'ApiError' },
        409: { description: 'RFQ or quote in invalid state for acceptance', schema: 'ApiError' },
        ...AUTH_ERRORS,
      },
      async handle({ caller, params }) {
        const rfqId = uuidParam(params, 'id');
        const quoteId = uuidParam(params, 'quoteId');
        const accepted = await engine.acceptQuote(caller.principal.id, rfqId, quoteId);
        if (!accepted.ok) return errorReply(accepted.error);
        const { rfq, quote } = accepted.value;
        return {
          status: 200,
          body: {
            status: 'accepted',
            message: 'Quote accepted; waiting for the market maker to confirm',
            confirmation_deadline: iso(rfq.confirmDeadline ?? rfq.updatedAt),
            quote_id: quote.id,
            payout_odds: oddsFpToNumber(quote.oddsFp),
            total_cost: microToUsdcNumber(quote.totalCostMicro),
            total_payout: microToUsdcNumber(quote.totalPayoutMicro),
            rfq_id: rfq.id,
            total_cost_micro: quote.totalCostMicro,
            total_payout_micro: quote.totalPayoutMicro,
          },
        };
      },
    }),
  ];
}
