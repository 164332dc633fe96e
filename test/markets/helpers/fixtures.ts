/**
 * The Kalshi JSON fixtures (test/fixtures/kalshi, built from Kalshi's documented shapes and the
 * kalshi-typescript models) and a small simulator catalogue made of them.
 */
import { readFileSync } from 'node:fs';
import type { Catalogue } from '../../../engine/markets/simulator/catalogue.ts';
import type { KalshiEventJson, KalshiMarketJson } from '../../../engine/markets/wire.ts';

const DIR = new URL('../../fixtures/kalshi/', import.meta.url);

export function loadFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as T;
}

export const LADDER = [
  'KXBTCD-26JAN0617-T97500',
  'KXBTCD-26JAN0617-T100000',
  'KXBTCD-26JAN0617-T102500',
] as const;
export const GAME = ['KXNFLGAME-26JAN11BUFKC-KC', 'KXNFLGAME-26JAN11BUFKC-BUF'] as const;
/** A ladder whose tickers say nothing about their strikes: structure must come from the strike fields. */
export const OPAQUE_LADDER = ['WXRAIN-26JAN07-LOW', 'WXRAIN-26JAN07-MID', 'WXRAIN-26JAN07-HIGH'] as const;
export const SCALAR = 'KXGDP-26APR-SCALAR';
export const CLOSES_SOON = 'KXBTCD-26JAN0507-T99000';
export const PAUSED = 'KXTSAW-26JAN10-T2.5';

export function fixtureCatalogue(): Catalogue {
  const page = loadFixture<{ markets: KalshiMarketJson[] }>('markets-page.json');
  const game = loadFixture<{ event: KalshiEventJson; markets: KalshiMarketJson[] }>('event.json');
  const base = loadFixture<{ market: KalshiMarketJson }>('market.json').market;
  const like = (overrides: Partial<KalshiMarketJson>): KalshiMarketJson => ({
    ...structuredClone(base),
    ...overrides,
  });
  const event = (
    event_ticker: string,
    series_ticker: string,
    mutually_exclusive: boolean,
  ): KalshiEventJson => ({
    event_ticker,
    series_ticker,
    sub_title: event_ticker,
    title: event_ticker,
    collateral_return_type: mutually_exclusive ? 'MECNET' : 'DIRECNET',
    mutually_exclusive,
    category: 'Test',
  });
  const { markets: _nested, ...gameEvent } = game.event;
  return {
    events: [
      event('KXBTCD-26JAN0617', 'KXBTCD', false),
      gameEvent,
      event('WXRAIN-26JAN07', 'WXRAIN', false),
      event('KXGDP-26APR', 'KXGDP', false),
      event('KXBTCD-26JAN0507', 'KXBTCD', false),
      event('KXTSAW-26JAN10', 'KXTSAW', false),
    ],
    markets: [
      ...page.markets,
      ...game.markets,
      ...OPAQUE_LADDER.map((ticker, i) =>
        like({
          ticker,
          event_ticker: 'WXRAIN-26JAN07',
          strike_type: 'greater',
          floor_strike: 1 + i,
          close_time: '2026-01-07T23:00:00Z',
        }),
      ),
      like({
        ticker: SCALAR,
        event_ticker: 'KXGDP-26APR',
        market_type: 'scalar',
        strike_type: 'functional',
        floor_strike: null,
      }),
      like({
        ticker: CLOSES_SOON,
        event_ticker: 'KXBTCD-26JAN0507',
        close_time: '2026-01-05T12:03:00Z',
        floor_strike: 99000,
      }),
      like({ ticker: PAUSED, event_ticker: 'KXTSAW-26JAN10', status: 'inactive', floor_strike: 2.5 }),
    ],
  };
}
