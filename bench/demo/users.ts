/**
 * Simulated users, over REST only: each asks for a parlay on 2–4 markets from the trading pool, waits
 * briefly for quotes, accepts the best one (or cancels when none came), and goes again.
 */
import { ApiError, type Market, RestClient } from '../../gateway/client/restClient.ts';
import type { DemoStats } from './stats.ts';

export interface UserOptions {
  url: string;
  apiKey: string;
  pool: Market[];
  /** Stops asking for new parlays after this many (all users together). */
  budget: { remaining: number };
  stats: DemoStats;
  random: () => number;
  stopped: () => boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 2–4 legs on distinct markets, never two `yes` legs in one mutually exclusive event. */
export function pickLegs(
  pool: Market[],
  random: () => number,
): Array<{ kalshi_market_ticker: string; side: 'yes' | 'no' }> {
  const count = 2 + Math.floor(random() * 3);
  const legs: Array<{ kalshi_market_ticker: string; side: 'yes' | 'no' }> = [];
  const usedTickers = new Set<string>();
  const exclusiveYes = new Set<string>();
  for (let tries = 0; legs.length < count && tries < 50; tries++) {
    const m = pool[Math.floor(random() * pool.length)];
    if (!m?.ticker || usedTickers.has(m.ticker)) continue;
    let side: 'yes' | 'no' = random() < 0.5 ? 'yes' : 'no';
    const exclusive = (m as { mutually_exclusive?: boolean }).mutually_exclusive === true;
    if (side === 'yes' && exclusive && m.event_ticker && exclusiveYes.has(m.event_ticker)) side = 'no';
    if (side === 'yes' && exclusive && m.event_ticker) exclusiveYes.add(m.event_ticker);
    usedTickers.add(m.ticker);
    legs.push({ kalshi_market_ticker: m.ticker, side });
  }
  return legs;
}

export async function runUser(options: UserOptions): Promise<void> {
  const rest = new RestClient(options.url, { apiKey: options.apiKey });
  const { stats, random } = options;
  while (!options.stopped() && options.budget.remaining > 0) {
    options.budget.remaining--;
    try {
      const betAmount = 11 + Math.floor(random() * 90);
      const ticket = await rest.createRfq({
        legs: pickLegs(options.pool, random),
        bet_amount: betAmount,
        expires_in_seconds: 120,
      });
      let best: { id: string } | undefined;
      for (let i = 0; i < 30 && !best; i++) {
        await sleep(100);
        const view = await rest.getRfq(ticket.id);
        // Quotes come best odds first; give slower bots a moment before taking the first one.
        if (view.quotes && view.quotes.length > 0 && (i >= 5 || view.quotes.length >= 3))
          best = view.quotes[0];
      }
      if (best) await rest.acceptQuote(ticket.id, best.id);
      else await rest.cancelRfq(ticket.id, 'no quote in time');
    } catch (error) {
      stats.countError(error instanceof ApiError ? error.code : 'NETWORK');
    }
    await sleep(200 + Math.floor(random() * 600));
  }
}
