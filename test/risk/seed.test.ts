/**
 * The seed system's own example: A = team wins & player over (risk 12,000), B = team loses & player
 * over (risk 8,000). B cannot win with A, so B locks nothing: 12,000 locked instead of 20,000.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pino from 'pino';
import { MemoryMarkets } from '../../bench/risk/memoryMarkets.ts';
import type { PositionRisk } from '../../engine/ports/risk.ts';
import { FullRiskEngine } from '../../engine/risk/fullRisk.ts';
import { IlpRiskEngine } from '../../engine/risk/ilpRisk.ts';

const USDC = 1_000_000;
const markets = new MemoryMarkets([
  { ticker: 'GAME-TEAM', eventTicker: 'GAME', mutuallyExclusive: true, ladder: null, result: null },
  { ticker: 'GAME-OPP', eventTicker: 'GAME', mutuallyExclusive: true, ladder: null, result: null },
  {
    ticker: 'PTS-25',
    eventTicker: 'PTS',
    mutuallyExclusive: false,
    ladder: { key: 'PTS', strikeType: 'greater', floorStrike: 24.5, capStrike: null },
    result: null,
  },
]);
const position = (mmId: string, id: string, team: 'yes' | 'no', riskUsdc: number): PositionRisk => ({
  positionId: id,
  mmId,
  riskMicro: riskUsdc * USDC,
  stakeMicro: 100 * USDC,
  legs: [
    { ticker: 'GAME-TEAM', eventTicker: 'GAME', side: team },
    { ticker: 'PTS-25', eventTicker: 'PTS', side: 'yes' },
  ],
});

const engine = new IlpRiskEngine({ markets, factsPollMs: 0, logger: pino({ level: 'silent' }) });
const releases: Array<{ mmId: string; requiredMicro: number }> = [];
engine.onRelease((r) => releases.push(r));
after(() => engine.shutdown());

test('B, which cannot win with A, locks nothing', async () => {
  const a = await engine.reserve(position('mm-a', 'A', 'yes', 12_000));
  assert.equal(a.collateralMicro, 12_000 * USDC);
  engine.commit('mm-a', 'A');
  const b = await engine.reserve(position('mm-a', 'B', 'no', 8_000));
  assert.equal(b.collateralMicro, 0);
  assert.equal(b.requiredMicro, 12_000 * USDC);
  engine.commit('mm-a', 'B');
  await engine.whenSettled('mm-a');
  const status = engine.status('mm-a')!;
  assert.equal(status.requiredMicro, 12_000 * USDC);
  assert.equal(status.firmMicro, 12_000 * USDC);
  assert.equal(status.snapshot?.exactComponents, status.snapshot?.components);
});

test('in the other order A tops up only the difference; A losing releases down to B', async () => {
  const b = await engine.reserve(position('mm-b', 'B', 'no', 8_000));
  engine.commit('mm-b', 'B');
  const a = await engine.reserve(position('mm-b', 'A', 'yes', 12_000));
  assert.equal(b.collateralMicro, 8_000 * USDC);
  assert.equal(a.collateralMicro, 4_000 * USDC);
  engine.commit('mm-b', 'A');
  await engine.whenSettled('mm-b');
  engine.close('mm-b', 'A', 'loss');
  assert.deepEqual(releases.at(-1), { mmId: 'mm-b', requiredMicro: 8_000 * USDC });
  assert.equal(engine.status('mm-b')!.firmMicro, 8_000 * USDC);
});

test('A winning is paid out of the locked 12,000; once results are known B needs nothing either', async () => {
  const own = new MemoryMarkets(markets.facts(['GAME-TEAM', 'GAME-OPP', 'PTS-25']));
  const solo = new IlpRiskEngine({
    markets: own,
    refineWorkers: 0,
    factsPollMs: 0,
    logger: pino({ level: 'silent' }),
  });
  const seen: number[] = [];
  solo.onRelease((r) => seen.push(r.requiredMicro));
  await solo.reserve(position('mm', 'A', 'yes', 12_000));
  solo.commit('mm', 'A');
  await solo.reserve(position('mm', 'B', 'no', 8_000));
  solo.commit('mm', 'B');
  own.setResult('GAME-TEAM', 'yes');
  own.setResult('PTS-25', 'yes');
  solo.close('mm', 'A');
  assert.equal(
    solo.status('mm')!.firmMicro,
    0,
    'the payout came out of the locked collateral (outcome read from facts)',
  );
  solo.refreshFacts('mm');
  assert.equal(solo.status('mm')!.requiredMicro, 0, 'B lost with the team winning');
  assert.deepEqual(seen, []);
  await solo.shutdown();
});

test('the full-risk policy locks both', async () => {
  const full = new FullRiskEngine({ logger: pino({ level: 'silent' }) });
  const a = await full.reserve(position('mm-f', 'A', 'yes', 12_000));
  const b = await full.reserve(position('mm-f', 'B', 'no', 8_000));
  assert.equal(a.collateralMicro + b.collateralMicro, 20_000 * USDC);
  assert.equal(b.method, 'full-risk');
  await full.shutdown();
});
