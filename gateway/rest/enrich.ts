/**
 * What REST answers add to an RFQ from the market cache: leg titles, current prices and the implied
 * probability, as the seed's ParlayLeg shows them. One batched lookup per response.
 */
import type { MarketSource } from '../../engine/ports/markets.ts';
import type { RfqView } from '../../machines/domain.ts';
import { RfqError } from '../../machines/errors.ts';
import { type LegMarketFacts, legFacts } from '../wire/seedJson.ts';

export async function legMarkets(
  markets: MarketSource,
  views: readonly RfqView[],
): Promise<Map<string, LegMarketFacts>> {
  const tickers = [...new Set(views.flatMap((v) => v.legs.map((l) => l.ticker)))];
  const facts = new Map<string, LegMarketFacts>();
  if (tickers.length === 0) return facts;
  const lookups = await markets.lookup(tickers);
  lookups.forEach((lookup, i) => {
    const ticker = tickers[i];
    if (ticker === undefined) return;
    if (lookup.kind === 'found') facts.set(ticker, legFacts(lookup.market));
    else if (lookup.kind === 'stale' && lookup.market) facts.set(ticker, legFacts(lookup.market));
  });
  return facts;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id, which the seed types as a UUID: anything else is INVALID_REQUEST naming the parameter. */
export function uuidParam(params: Record<string, string>, name: string): string {
  const value = params[name] ?? '';
  if (!UUID.test(value))
    throw RfqError.of(
      'INVALID_REQUEST',
      { field: name, reason: 'must be a UUID' },
      `${name}: must be a UUID`,
    );
  return value.toLowerCase();
}
