import assert from 'node:assert/strict';
import { test } from 'node:test';
import { marketInfo } from '../../engine/memoryMarkets.ts';
import type { MarketLookup } from '../../engine/ports/markets.ts';
import { codeOf, FAR, LEGS, makeEngine, must, T0 } from '../support/engineHarness.ts';

const bet = 50_000_000;

test('a valid RFQ is created open, with absolute expiry, the fee snapshotted, and announced once', async () => {
  const h = await makeEngine();
  const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet, ttlMs: 120_000 }));
  assert.equal(rfq.status, 'open');
  assert.equal(rfq.createdAt, T0);
  assert.equal(rfq.expiresAt, T0 + 120_000);
  assert.equal(rfq.feeBps, 100);
  assert.deepEqual(
    rfq.legs.map((l) => [l.ticker, l.eventTicker, l.side]),
    [
      ['KXA-26-T1', 'KXA-26', 'yes'],
      ['KXB-26-T2', 'KXB-26', 'no'],
    ],
  );
  assert.deepEqual(h.types(), ['rfq.created']);
  assert.equal(h.events[0]?.seq, 1);
  assert.equal(h.store.snapshots.get(rfq.id)?.value, 'open', 'acked only once durable');
});

async function refused(
  code: string,
  command: Parameters<Awaited<ReturnType<typeof makeEngine>>['engine']['createRfq']>[1],
  details?: (d: Record<string, unknown>) => void,
) {
  const h = await makeEngine();
  const result = await h.engine.createRfq('user-1', command);
  assert.equal(codeOf(result), code);
  if (!result.ok && details) details(result.error.details);
  assert.equal(h.engine.liveCount, 0, 'nothing created');
  assert.equal(h.store.commits, 0, 'nothing written');
  assert.equal(h.events.length, 0, 'nothing announced');
}

test('leg count: 2 and 5 pass, 1 and 6 are LEG_COUNT_OUT_OF_RANGE', async () => {
  const six = ['KXA-26-T1', 'KXB-26-T2', 'KXC-26-T3', 'KXD-26-T4', 'KXE-26-T5', 'KXF-26-T6'].map(
    (ticker) => ({ ticker, side: 'yes' as const }),
  );
  const h = await makeEngine();
  must(await h.engine.createRfq('u', { legs: six.slice(0, 5), betMicro: bet }));
  must(await h.engine.createRfq('u', { legs: six.slice(0, 2), betMicro: bet }));
  await refused('LEG_COUNT_OUT_OF_RANGE', { legs: six, betMicro: bet });
  await refused('LEG_COUNT_OUT_OF_RANGE', { legs: six.slice(0, 1), betMicro: bet });
  await refused('LEG_COUNT_OUT_OF_RANGE', { legs: [], betMicro: bet });
});

test('two legs on one market is DUPLICATE_MARKET, whatever the sides', async () => {
  await refused('DUPLICATE_MARKET', {
    legs: [
      { ticker: 'KXA-26-T1', side: 'yes' },
      { ticker: 'KXA-26-T1', side: 'no' },
    ],
    betMicro: bet,
  });
});

test('a side other than yes/no, or a malformed ticker, is INVALID_REQUEST naming the field', async () => {
  await refused(
    'INVALID_REQUEST',
    { legs: [LEGS[0]!, { ticker: 'KXB-26-T2', side: 'maybe' as 'yes' }], betMicro: bet },
    (d) => assert.equal(d.field, 'legs[1].side'),
  );
  await refused(
    'INVALID_REQUEST',
    { legs: [LEGS[0]!, { ticker: 'has space', side: 'yes' }], betMicro: bet },
    (d) => assert.equal(d.field, 'legs[1].kalshi_market_ticker'),
  );
});

test('every failing leg is reported at once in the seed INVALID_LEGS shape', async () => {
  await refused(
    'INVALID_LEGS',
    {
      legs: [
        { ticker: 'KXA-26-T1', side: 'yes' },
        { ticker: 'KXNOPE-1', side: 'yes' },
        { ticker: 'KXCLOSED-26', side: 'no' },
        { ticker: 'KXSCALAR-26', side: 'yes' },
        { ticker: 'KXSOON-26', side: 'yes' },
      ],
      betMicro: bet,
      ttlMs: 300_000,
    },
    (d) =>
      assert.deepEqual(
        (d.leg_errors as Array<{ index: number; code: string }>).map((e) => [e.index, e.code]),
        [
          [1, 'MARKET_NOT_FOUND'],
          [2, 'MARKET_NOT_ACTIVE'],
          [3, 'MARKET_NOT_BINARY'],
          [4, 'MARKET_CLOSES_BEFORE_EXPIRY'],
        ],
      ),
  );
});

test('a market closing exactly at the RFQ expiry is refused; one ms later is fine', async () => {
  const h = await makeEngine();
  h.markets.put(marketInfo('KXEDGE-1', { closeTime: T0 + 60_000 }));
  h.markets.put(marketInfo('KXEDGE-2', { closeTime: T0 + 60_001 }));
  const edge = (ticker: string) =>
    h.engine.createRfq('u', { legs: [LEGS[0]!, { ticker, side: 'yes' }], betMicro: bet, ttlMs: 60_000 });
  assert.equal(codeOf(await edge('KXEDGE-1')), 'INVALID_LEGS');
  assert.equal(codeOf(await edge('KXEDGE-2')), null);
});

test('yes on two markets of one mutually exclusive event can never win: EXCLUSION_GROUP_CONFLICT', async () => {
  await refused(
    'INVALID_LEGS',
    {
      legs: [
        { ticker: 'KXGAME-26-HOME', side: 'yes' },
        { ticker: 'KXGAME-26-AWAY', side: 'yes' },
      ],
      betMicro: bet,
    },
    (d) => assert.equal((d.leg_errors as Array<{ code: string }>)[0]?.code, 'EXCLUSION_GROUP_CONFLICT'),
  );
  const h = await makeEngine();
  must(
    await h.engine.createRfq('u', {
      legs: [
        { ticker: 'KXGAME-26-HOME', side: 'yes' },
        { ticker: 'KXGAME-26-AWAY', side: 'no' },
      ],
      betMicro: bet,
    }),
  );
});

test('stale market data refuses the RFQ with MARKET_DATA_STALE', async () => {
  const h = await makeEngine();
  const fresh = h.markets.get('KXA-26-T1')!;
  h.markets.lookup = async (tickers): Promise<MarketLookup[]> =>
    tickers.map((t) =>
      t === 'KXB-26-T2' ? { kind: 'stale', market: fresh } : { kind: 'found', market: fresh },
    );
  const result = await h.engine.createRfq('u', { legs: LEGS, betMicro: bet });
  assert.equal(codeOf(result), 'MARKET_DATA_STALE');
  assert.equal(h.engine.liveCount, 0);
});

test('bet and expiry bounds: at the bounds pass, one unit outside is refused', async () => {
  const h = await makeEngine();
  for (const betMicro of [11_000_000, 100_000_000])
    must(await h.engine.createRfq('u', { legs: LEGS, betMicro }));
  for (const ttlMs of [60_000, 3_600_000])
    must(await h.engine.createRfq('u', { legs: LEGS, betMicro: bet, ttlMs }));
  await refused('BET_OUT_OF_RANGE', { legs: LEGS, betMicro: 10_999_999 });
  await refused('BET_OUT_OF_RANGE', { legs: LEGS, betMicro: 100_000_001 });
  await refused('EXPIRY_OUT_OF_RANGE', { legs: LEGS, betMicro: bet, ttlMs: 59_999 });
  await refused('EXPIRY_OUT_OF_RANGE', { legs: LEGS, betMicro: bet, ttlMs: 3_600_001 });
  assert.ok(FAR > T0);
});
