/**
 * Parlays the gateway will take: legs drawn from `GET /markets` — active binary markets that close
 * well after the RFQ expires and carry a usable price — on distinct markets, never two `yes` legs in
 * one mutually exclusive event (they could never both win: EXCLUSION_GROUP_CONFLICT), with fair odds
 * far enough inside the default limits that MMs' quotes are accepted.
 */
import { yesProbability } from '../../gateway/client/pricing.ts';
import type { Market } from '../../gateway/client/restClient.ts';
import { call } from './http.ts';

export interface LegChoice {
  kalshi_market_ticker: string;
  side: 'yes' | 'no';
}

export interface Candidate {
  ticker: string;
  eventTicker: string;
  mutuallyExclusive: boolean;
  yes: number;
}

/** Past this, quotes risk ODDS_OUT_OF_RANGE (default max 1000×) and MM collateral grows silly. */
const MAX_FAIR_ODDS = 200;
/** A market closing this soon after the RFQ's expiry is left out: it may close while the run goes on. */
const CLOSE_MARGIN_MS = 30 * 60_000;

export async function fetchMarkets(baseUrl: string, timeoutMs: number): Promise<Market[]> {
  const all: Market[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await call<{ markets?: Market[]; next_cursor?: string | null }>(
      baseUrl,
      'GET',
      `/markets?${query}`,
      { timeoutMs },
    );
    if (!page.ok) throw Object.assign(new Error(page.message), { code: page.code });
    if (!Array.isArray(page.body.markets))
      throw Object.assign(new Error('no markets array'), { code: 'BAD_RESPONSE' });
    all.push(...page.body.markets);
    cursor = page.body.next_cursor ?? null;
  } while (cursor);
  return all;
}

export function candidates(markets: readonly Market[], rfqTtlMs: number, now = Date.now()): Candidate[] {
  const out: Candidate[] = [];
  for (const m of markets) {
    if (m.status !== 'active' || m.market_type !== 'binary') continue;
    if (!(Date.parse(m.close_time) > now + rfqTtlMs + CLOSE_MARGIN_MS)) continue;
    const yes = yesProbability(m);
    if (yes === null || yes < 0.05 || yes > 0.95) continue;
    out.push({
      ticker: m.ticker,
      eventTicker: m.event_ticker,
      mutuallyExclusive: m.mutually_exclusive,
      yes,
    });
  }
  return out;
}

export class LegPicker {
  private readonly byTicker: Map<string, Candidate>;

  constructor(
    private readonly pool: readonly Candidate[],
    private readonly minLegs: number,
    private readonly maxLegs: number,
    private readonly random: () => number = Math.random,
  ) {
    if (pool.length < minLegs)
      throw new Error(`only ${pool.length} usable markets; a parlay needs ${minLegs} legs`);
    this.byTicker = new Map(pool.map((c) => [c.ticker, c]));
  }

  /** One parlay: 2–5 (min–max) legs; retried until its fair odds are reasonable. */
  pick(): LegChoice[] {
    for (let attempt = 0; ; attempt++) {
      const legs = this.draw();
      if (attempt >= 20 || this.fairOdds(legs) <= MAX_FAIR_ODDS) return legs;
    }
  }

  private draw(): LegChoice[] {
    const upper = Math.min(this.maxLegs, this.pool.length);
    const count = this.minLegs + Math.floor(this.random() * (upper - this.minLegs + 1));
    const used = new Set<string>();
    const exclusiveYes = new Set<string>();
    const legs: LegChoice[] = [];
    for (let tries = 0; legs.length < count && tries < count * 20; tries++) {
      const c = this.pool[Math.floor(this.random() * this.pool.length)];
      if (!c || used.has(c.ticker)) continue;
      let side: 'yes' | 'no' = this.random() < 0.5 ? 'yes' : 'no';
      if (side === 'yes' && c.mutuallyExclusive && exclusiveYes.has(c.eventTicker)) side = 'no';
      if (side === 'yes' && c.mutuallyExclusive) exclusiveYes.add(c.eventTicker);
      used.add(c.ticker);
      legs.push({ kalshi_market_ticker: c.ticker, side });
    }
    return legs;
  }

  private fairOdds(legs: readonly LegChoice[]): number {
    let p = 1;
    for (const leg of legs) {
      const c = this.byTicker.get(leg.kalshi_market_ticker);
      if (c) p *= leg.side === 'yes' ? c.yes : 1 - c.yes;
    }
    return 1 / p;
  }
}
