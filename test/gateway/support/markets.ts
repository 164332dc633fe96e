/** The catalogue the gateway tests and the bench use: active binary markets with prices, plus edge cases. */
import { MemoryMarkets, marketInfo } from '../../../engine/memoryMarkets.ts';

/** Markets close long after any run of these tests, on any clock. */
export const FAR = Date.UTC(2099, 0, 1);

const priced = (ticker: string, eventTicker: string, yes: string, no: string, extra = {}) =>
  marketInfo(ticker, {
    eventTicker,
    seriesTicker: eventTicker.split('-')[0] ?? null,
    title: `Will ${ticker} happen?`,
    category: 'Crypto',
    closeTime: FAR,
    yesBidDollars: yes,
    yesAskDollars: yes,
    noBidDollars: no,
    noAskDollars: no,
    lastPriceDollars: yes,
    ...extra,
  });

export function gatewayCatalogue(): MemoryMarkets {
  return new MemoryMarkets([
    priced('KXA-26-T1', 'KXA-26', '0.5000', '0.5000'),
    priced('KXB-26-T2', 'KXB-26', '0.4000', '0.6000'),
    priced('KXC-26-T3', 'KXC-26', '0.2500', '0.7500'),
    priced('KXD-26-T4', 'KXD-26', '0.8000', '0.2000'),
    priced('KXE-26-T5', 'KXE-26', '0.6000', '0.4000', { category: 'Politics' }),
    marketInfo('KXCLOSED-26', { status: 'closed', closeTime: FAR }),
  ]);
}

export const LEGS_AB = [
  { kalshi_market_ticker: 'KXA-26-T1', side: 'yes' },
  { kalshi_market_ticker: 'KXB-26-T2', side: 'no' },
] as const;
