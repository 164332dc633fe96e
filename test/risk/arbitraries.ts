/**
 * fast-check generators of small, awkward market structures for the oracle tests: exclusive and
 * non-exclusive events, ladders mixing strict and non-strict thresholds in both directions with equal
 * strikes, ladders shared by two events, `between` markets that imply nothing, unknown tickers.
 */
import fc from 'fast-check';
import type { MarketFacts, StrikeType } from '../../engine/ports/markets.ts';
import type { PositionRisk } from '../../engine/ports/risk.ts';

const strikeTypes: Array<StrikeType | null> = [
  'greater',
  'greater_or_equal',
  'less',
  'less_or_equal',
  'between',
  null,
];

const marketArb = fc.record({
  strikeType: fc.constantFrom(...strikeTypes),
  floor: fc.constantFrom(1, 2, 3),
  cap: fc.constantFrom(1, 2, 3, 4),
});

const eventArb = fc.record({
  exclusive: fc.boolean(),
  ladder: fc.constantFrom<'own' | 'shared' | 'none'>('own', 'shared', 'none'),
  markets: fc.array(marketArb, { minLength: 1, maxLength: 4 }),
});

export interface SmallBook {
  facts: MarketFacts[];
  positions: PositionRisk[];
}

/** Facts for ≤ `maxMarkets` markets and 1–7 positions of 1–4 legs on them. */
export function smallBookArb(mmId: string, maxMarkets = 12): fc.Arbitrary<SmallBook> {
  return fc.array(eventArb, { minLength: 1, maxLength: 4 }).chain((events) => {
    const facts: MarketFacts[] = [];
    events.forEach((e, k) => {
      e.markets.forEach((m, j) => {
        if (facts.length >= maxMarkets) return;
        const ticker = `E${k}-M${j}`;
        const key = e.ladder === 'shared' ? 'L-shared' : `L${k}`;
        facts.push({
          ticker,
          eventTicker: `E${k}`,
          mutuallyExclusive: e.exclusive,
          ladder:
            e.ladder === 'none' || m.strikeType === null
              ? null
              : { key, strikeType: m.strikeType, floorStrike: m.floor, capStrike: m.cap },
          result: null,
        });
      });
    });
    const tickers = facts.map((f) => f.ticker);
    const legArb = fc.record({
      ticker: fc.constantFrom(...tickers),
      side: fc.constantFrom<'yes' | 'no'>('yes', 'no'),
    });
    const positionArb = fc.record({
      legs: fc.uniqueArray(legArb, {
        minLength: 1,
        maxLength: Math.min(4, tickers.length),
        selector: (l) => l.ticker,
      }),
      risk: fc.integer({ min: 1, max: 20_000 }),
    });
    return fc.array(positionArb, { minLength: 1, maxLength: 7 }).map((ps) => ({
      facts,
      positions: ps.map((p, i) => ({
        positionId: `${mmId}-p${i}`,
        mmId,
        riskMicro: p.risk * 1000,
        stakeMicro: 1_000_000,
        legs: p.legs.map((l) => ({ ticker: l.ticker, eventTicker: l.ticker.split('-')[0]!, side: l.side })),
      })),
    }));
  });
}
