/**
 * An in-memory MarketStructure for the risk tests and benchmark: a fixed catalogue whose results can
 * be set. Tickers it does not know come back with no structure (their own event), as the port specifies.
 */
import type { MarketFacts, MarketStructure } from '../../engine/ports/markets.ts';

export class MemoryMarkets implements MarketStructure {
  private readonly byTicker: Map<string, MarketFacts>;
  /** How many tickers were asked for, to show what the engine reads. */
  lookups = 0;

  constructor(facts: Iterable<MarketFacts>) {
    this.byTicker = new Map([...facts].map((f) => [f.ticker, { ...f }]));
  }

  facts(tickers: readonly string[]): MarketFacts[] {
    this.lookups += tickers.length;
    return tickers.map(
      (ticker) =>
        this.byTicker.get(ticker) ?? {
          ticker,
          eventTicker: '',
          mutuallyExclusive: false,
          ladder: null,
          result: null,
        },
    );
  }

  /** More markets (tests that build a catalogue per case share one structure). */
  add(facts: Iterable<MarketFacts>): void {
    for (const f of facts) this.byTicker.set(f.ticker, { ...f });
  }

  /** A market determines: later lookups carry its result. */
  setResult(ticker: string, result: 'yes' | 'no'): void {
    const f = this.byTicker.get(ticker);
    if (f === undefined) throw new Error(`unknown ticker ${ticker}`);
    this.byTicker.set(ticker, { ...f, result });
  }
}
