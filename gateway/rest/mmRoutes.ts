/** The seed's market-maker endpoints under /mm, plus withdraw and reject. */
import type { Static } from '@sinclair/typebox';
import type { Engine } from '../../engine/engine.ts';
import type { MarketSource } from '../../engine/ports/markets.ts';
import { oddsToFp, usdcToMicro } from '../../machines/money.ts';
import { quoteJson, ticketJson } from '../wire/seedJson.ts';
import { legMarkets, uuidParam } from './enrich.ts';
import { errorReply } from './http.ts';
import { type Route, route } from './router.ts';
import { CreateQuoteRequest, ListMmQuotesQuery, ListOpenRfqsQuery } from './schemas.ts';

const TAG = 'Market Maker';
const COMMON = {
  401: { description: 'Missing or invalid authentication', schema: 'ApiError' },
  403: { description: 'Not a market maker key, or not this market maker’s quote', schema: 'ApiError' },
  429: { description: 'Rate limited (writes)', schema: 'ApiError' },
  500: { description: 'Internal server error', schema: 'ApiError' },
} as const;
const QUOTE_COMMAND = {
  400: { description: 'Quote not in a state for this command', schema: 'ApiError' },
  404: { description: 'Resource not found', schema: 'ApiError' },
  409: { description: 'Quote no longer live, or confirmation window closed', schema: 'ApiError' },
  ...COMMON,
} as const;

export function mmRoutes(engine: Engine, markets: MarketSource): Route[] {
  return [
    route({
      method: 'get',
      path: '/mm/rfqs',
      operationId: 'listOpenRfqs',
      summary: 'List Open RFQs',
      description: 'Open and quoted RFQs, newest first, each with only the caller’s own quotes.',
      tag: TAG,
      access: 'mm',
      query: ListOpenRfqsQuery,
      responses: { 200: { description: 'List of open RFQs', schema: 'OpenRfqList' }, ...COMMON },
      async handle({ caller, query }) {
        const views = engine.queries.openRfqs(caller.principal.id, {
          limit: query.limit ?? 50,
          ...(query.event_ticker && { eventTicker: query.event_ticker }),
          ...(query.min_bet !== undefined && { minBetMicro: usdcToMicro(query.min_bet, 'min_bet') }),
          ...(query.max_bet !== undefined && { maxBetMicro: usdcToMicro(query.max_bet, 'max_bet') }),
        });
        const facts = await legMarkets(markets, views);
        return {
          status: 200,
          body: { rfqs: views.map((v) => ({ ...ticketJson(v, facts), quotes: v.quotes.map(quoteJson) })) },
        };
      },
    }),
    route({
      method: 'post',
      path: '/mm/quotes',
      operationId: 'submitQuote',
      summary: 'Submit Quote',
      description:
        'Quote an open RFQ. One live quote per market maker per RFQ (409 QUOTE_ALREADY_EXISTS); replace over the WebSocket.',
      tag: TAG,
      access: 'mm',
      body: { schema: 'CreateQuoteRequest', type: CreateQuoteRequest },
      responses: {
        201: { description: 'Quote submitted', schema: 'Quote' },
        400: { description: 'Invalid request or RFQ expired', schema: 'ApiError' },
        404: { description: 'Resource not found', schema: 'ApiError' },
        409: {
          description: 'Already have a pending quote for this RFQ, or the RFQ no longer takes quotes',
          schema: 'ApiError',
        },
        ...COMMON,
      },
      async handle({ caller, body }) {
        const req = body as Static<typeof CreateQuoteRequest>;
        const submitted = await engine.submitQuote(caller.principal.id, {
          rfqId: req.rfq_id.toLowerCase(),
          oddsFp: oddsToFp(req.payout_odds, 'payout_odds'),
          ...(req.valid_for_seconds !== undefined && { validForMs: req.valid_for_seconds * 1000 }),
          replace: false,
        });
        return submitted.ok
          ? { status: 201, body: quoteJson(submitted.value.quote) }
          : errorReply(submitted.error);
      },
    }),
    route({
      method: 'get',
      path: '/mm/quotes',
      operationId: 'listMmQuotes',
      summary: 'List MM Quotes',
      description: 'The caller’s quotes, newest first, by status or RFQ; `cursor` pages on.',
      tag: TAG,
      access: 'mm',
      query: ListMmQuotesQuery,
      responses: { 200: { description: 'List of quotes', schema: 'MmQuoteList' }, ...COMMON },
      async handle({ caller, query }) {
        const page = await engine.queries.listMmQuotes(caller.principal.id, {
          limit: query.limit ?? 50,
          ...(query.status && { status: query.status }),
          ...(query.rfq_id && { rfqId: query.rfq_id.toLowerCase() }),
          ...(query.cursor && { cursor: query.cursor }),
        });
        return { status: 200, body: { quotes: page.items.map(quoteJson), cursor: page.cursor } };
      },
    }),
    route({
      method: 'put',
      path: '/mm/quotes/{quoteId}/confirm',
      operationId: 'confirmQuote',
      summary: 'Confirm Quote',
      description:
        'Confirm an accepted quote within its window: collateral is sized and the position goes on chain.',
      tag: TAG,
      access: 'mm',
      responses: {
        200: { description: 'Quote confirmed', schema: 'ConfirmQuoteResponse' },
        ...QUOTE_COMMAND,
      },
      async handle({ caller, params }) {
        const confirmed = await engine.confirmQuote(caller.principal.id, uuidParam(params, 'quoteId'));
        if (!confirmed.ok) return errorReply(confirmed.error);
        const { rfq, quote } = confirmed.value;
        return {
          status: 200,
          body: {
            status: 'confirmed',
            message: 'Quote confirmed; the position is being created on chain',
            execution_id: rfq.id,
            quote_id: quote.id,
            rfq_id: rfq.id,
            collateral_micro: rfq.collateralMicro ?? quote.mmRiskMicro,
          },
        };
      },
    }),
    route({
      method: 'del',
      path: '/mm/quotes/{quoteId}',
      operationId: 'withdrawQuote',
      summary: 'Withdraw Quote',
      description: 'Withdraw a live (pending) quote. Ours; the seed has no withdraw.',
      tag: TAG,
      access: 'mm',
      responses: { 200: { description: 'The withdrawn quote', schema: 'Quote' }, ...QUOTE_COMMAND },
      async handle({ caller, params }) {
        const withdrawn = await engine.withdrawQuote(caller.principal.id, uuidParam(params, 'quoteId'));
        return withdrawn.ok
          ? { status: 200, body: quoteJson(withdrawn.value.quote) }
          : errorReply(withdrawn.error);
      },
    }),
    route({
      method: 'put',
      path: '/mm/quotes/{quoteId}/reject',
      operationId: 'rejectQuote',
      summary: 'Reject Accepted Quote',
      description:
        'Decline an accepted quote instead of confirming it; the RFQ is cancelled (mm_rejected). Ours.',
      tag: TAG,
      access: 'mm',
      responses: { 200: { description: 'The rejected quote', schema: 'Quote' }, ...QUOTE_COMMAND },
      async handle({ caller, params }) {
        const rejected = await engine.rejectQuote(caller.principal.id, uuidParam(params, 'quoteId'));
        return rejected.ok
          ? { status: 200, body: quoteJson(rejected.value.quote) }
          : errorReply(rejected.error);
      },
    }),
  ];
}
