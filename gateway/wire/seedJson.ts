/**
 * The seed system's JSON shapes (ParlayTicket, Quote, CachedMarket) from our views: one mapping, used
 * by the REST adapter and by the JSON WebSocket, so both speak exactly the published schemas. Amounts
 * go out as USDC numbers like the seed's, with the exact micro-USDC integer beside each
 * (`bet_amount_micro`); odds as numbers with `payout_odds_fp` beside them.
 */
import type { MarketInfo } from '../../engine/ports/markets.ts';
import type { PositionStatus, QuoteView, RfqView } from '../../machines/domain.ts';
import { microToUsdcNumber, oddsFpToNumber } from '../../machines/money.ts';

export const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The seed gives every leg a UUID; ours have none of their own, so each is derived from the RFQ's id
 * (a random v4 UUID): version nibble 8 (custom) and the last byte XOR (index + 1). Stable across reads
 * and restarts, distinct within an RFQ, and across RFQs as distinct as their 122 random bits. No
 * hashing: tickets are serialised on every read and every fan-out.
 */
export function legId(rfqId: string, index: number): string {
  const last = Number.parseInt(rfqId.slice(34, 36), 16);
  const tail = Number.isNaN(last) ? '00' : ((last ^ (index + 1)) & 0xff).toString(16).padStart(2, '0');
  return `${rfqId.slice(0, 14)}8${rfqId.slice(15, 34)}${tail}`;
}

export function positionStatus(view: RfqView): PositionStatus | null {
  if (!view.position) return null;
  if (view.settlement) return view.settlement.outcome === 'win' ? 'settled_win' : 'settled_loss';
  if (view.status === 'cancelled') return 'cancelled';
  return 'active';
}

/** Dollar text as Kalshi sends it ("0.4200") → number, or undefined when absent or unreadable. */
export function dollars(text: string | null): number | undefined {
  if (text === null) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

export interface LegMarketFacts {
  title: string;
  subtitle: string | null;
  yesPrice: number | undefined;
  noPrice: number | undefined;
}

/** What a leg shows of its market: the title and a price per side (ask, else last, else the other side's complement). */
export function legFacts(market: MarketInfo): LegMarketFacts {
  const last = dollars(market.lastPriceDollars);
  const yesAsk = dollars(market.yesAskDollars);
  const noAsk = dollars(market.noAskDollars);
  const yesPrice = yesAsk ?? last ?? (noAsk !== undefined ? 1 - noAsk : undefined);
  const noPrice = noAsk ?? (yesPrice !== undefined ? roundPrice(1 - yesPrice) : undefined);
  return { title: market.title, subtitle: market.subtitle, yesPrice, noPrice };
}

const roundPrice = (p: number): number => Math.round(p * 10_000) / 10_000;

/** ParlayTicket (seed schema) plus our extra fields. `markets` adds titles and prices where known. */
export function ticketJson(
  view: RfqView,
  markets?: ReadonlyMap<string, LegMarketFacts>,
): Record<string, unknown> {
  let implied: number | undefined = 1;
  const legs = view.legs.map((leg, index) => {
    const facts = markets?.get(leg.ticker);
    const price = facts ? (leg.side === 'yes' ? facts.yesPrice : facts.noPrice) : undefined;
    implied = implied !== undefined && price !== undefined ? implied * price : undefined;
    return {
      id: legId(view.id, index),
      kalshi_event_ticker: leg.eventTicker,
      kalshi_market_ticker: leg.ticker,
      side: leg.side,
      ...(facts && { market_title: facts.title }),
      ...(facts?.subtitle && { event_title: facts.subtitle }),
      ...(facts?.yesPrice !== undefined && { current_yes_price: facts.yesPrice }),
      ...(facts?.noPrice !== undefined && { current_no_price: facts.noPrice }),
    };
  });
  const position = positionStatus(view);
  return {
    id: view.id,
    user_id: view.userId,
    legs,
    status: view.status,
    created_at: iso(view.createdAt),
    expires_at: iso(view.expiresAt),
    bet_amount: microToUsdcNumber(view.betMicro),
    ...(markets && implied !== undefined && { implied_probability: roundPrice(implied) }),
    accepted_quote_id: view.acceptedQuoteId,
    cancellation_reason: view.status === 'cancelled' || view.status === 'expired' ? view.endReason : null,
    position_pda: view.position?.address ?? null,
    ...(position && { position_status: position }),
    // ours
    bet_amount_micro: view.betMicro,
    updated_at: iso(view.updatedAt),
    fee_bps: view.feeBps,
    confirmation_deadline: view.confirmDeadline === null ? null : iso(view.confirmDeadline),
    collateral_micro: view.collateralMicro,
    tx_signature: view.position?.signature ?? null,
    settlement: view.settlement
      ? {
          outcome: view.settlement.outcome,
          payout: microToUsdcNumber(view.settlement.payoutMicro),
          payout_micro: view.settlement.payoutMicro,
          fee: microToUsdcNumber(view.settlement.feeMicro),
          fee_micro: view.settlement.feeMicro,
          tx_signature: view.settlement.signature,
          settled_at: iso(view.settlement.settledAt),
        }
      : null,
  };
}

/** Quote (seed schema) plus our extra fields. */
export function quoteJson(q: QuoteView): Record<string, unknown> {
  return {
    id: q.id,
    parlay_ticket_id: q.rfqId,
    market_maker_id: q.mmId,
    payout_odds: oddsFpToNumber(q.oddsFp),
    total_cost: microToUsdcNumber(q.totalCostMicro),
    total_payout: microToUsdcNumber(q.totalPayoutMicro),
    mm_payout: microToUsdcNumber(q.mmRiskMicro),
    valid_until: iso(q.validUntil),
    status: q.status,
    // The engine keeps no per-leg breakdown; accepted on input for compatibility, never stored.
    leg_prices: null,
    created_at: iso(q.createdAt),
    updated_at: iso(q.updatedAt),
    // ours
    payout_odds_fp: q.oddsFp,
    total_cost_micro: q.totalCostMicro,
    total_payout_micro: q.totalPayoutMicro,
    mm_payout_micro: q.mmRiskMicro,
    reason: q.reason,
  };
}

const KALSHI_MARKETS_URL = 'https://kalshi.com/markets/';

/** CachedMarket (seed schema). Prices as dollar numbers (0–1), with Kalshi's dollar strings beside them. */
export function marketJson(m: MarketInfo): Record<string, unknown> {
  return {
    ticker: m.ticker,
    event_ticker: m.eventTicker,
    ...(m.seriesTicker && { series_ticker: m.seriesTicker }),
    title: m.title,
    subtitle: m.subtitle,
    ...(m.category && { category: m.category }),
    status: m.status,
    ...optionalNumber('yes_bid', dollars(m.yesBidDollars)),
    ...optionalNumber('yes_ask', dollars(m.yesAskDollars)),
    ...optionalNumber('no_bid', dollars(m.noBidDollars)),
    ...optionalNumber('no_ask', dollars(m.noAskDollars)),
    ...optionalNumber('last_price', dollars(m.lastPriceDollars)),
    open_time: iso(m.openTime),
    close_time: iso(m.closeTime),
    ...(m.expectedExpirationTime !== null && { expiration_time: iso(m.expectedExpirationTime) }),
    kalshi_url: `${KALSHI_MARKETS_URL}${(m.seriesTicker ?? m.eventTicker).toLowerCase()}`,
    synced_at: iso(m.fetchedAt),
    // ours
    market_type: m.marketType,
    mutually_exclusive: m.mutuallyExclusive,
    yes_bid_dollars: m.yesBidDollars,
    yes_ask_dollars: m.yesAskDollars,
    no_bid_dollars: m.noBidDollars,
    no_ask_dollars: m.noAskDollars,
    last_price_dollars: m.lastPriceDollars,
  };
}

const optionalNumber = (key: string, value: number | undefined): Record<string, number> =>
  value === undefined ? {} : { [key]: value };
