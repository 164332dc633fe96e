/**
 * The ledger's view of an MM's locked collateral against the chain program's rules, and the accounting
 * choice it enables: a decision never counts collateral still on its way, so abandoning a position can
 * never leave another one uncovered.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { MemoryMarkets } from '../../bench/risk/memoryMarkets.ts';
import type { PositionRisk } from '../../engine/ports/risk.ts';
import { IlpRiskEngine } from '../../engine/risk/ilpRisk.ts';
import { CollateralLedger } from '../../engine/risk/ledger.ts';

test('pending creations count in the expected total only; landing or failing settles them', () => {
  const l = new CollateralLedger(100);
  l.reserve('a', 50);
  l.reserve('b', 30);
  assert.deepEqual([l.firmMicro, l.expectedMicro, l.pendingCount], [100, 180, 2]);
  assert.ok(l.commit('a'));
  assert.ok(l.fail('b'));
  assert.deepEqual([l.firmMicro, l.expectedMicro, l.pendingCount], [150, 150, 0]);
  assert.equal(l.commit('a'), false, 'a position resolves once');
});

test('a release caps what was issued before it; creations issued after it add on top', () => {
  const l = new CollateralLedger(100);
  l.reserve('before', 50);
  l.release(120);
  l.reserve('after', 40);
  assert.equal(l.firmMicro, 100, 'nothing pending counts: min(100, 120)');
  assert.equal(l.expectedMicro, 160, 'min(150, 120) + 40');
  l.commit('after');
  assert.equal(l.firmMicro, 140);
  l.commit('before');
  assert.equal(l.firmMicro, 160);
});

test('a release above the locked total changes nothing, as the program refuses it', () => {
  const l = new CollateralLedger(100);
  l.release(150);
  assert.equal(l.firmMicro, 100);
});

test('a win is paid out of the locked collateral, never below zero', () => {
  const l = new CollateralLedger(100);
  l.payout(30);
  assert.equal(l.firmMicro, 70);
  l.payout(500);
  assert.equal(l.firmMicro, 0);
});

test('zero-collateral reservations are pending but queue nothing', () => {
  const l = new CollateralLedger(10);
  l.reserve('z', 0);
  assert.ok(l.isPending('z'));
  assert.equal(l.expectedMicro, 10);
  assert.ok(l.fail('z'));
  assert.equal(l.isPending('z'), false);
});

test('bad totals are refused', () => {
  assert.throws(() => new CollateralLedger(-1), RangeError);
  assert.throws(() => new CollateralLedger(0.5), RangeError);
});

const markets = new MemoryMarkets([
  { ticker: 'WIN', eventTicker: 'G', mutuallyExclusive: true, ladder: null, result: null },
  { ticker: 'LOSE', eventTicker: 'G', mutuallyExclusive: true, ladder: null, result: null },
]);
const parlay = (id: string, ticker: string, riskMicro: number): PositionRisk => ({
  positionId: id,
  mmId: 'mm',
  riskMicro,
  stakeMicro: 1,
  legs: [{ ticker, eventTicker: 'G', side: 'yes' }],
});

test('a hedge still on its way is not counted, so abandoning it leaves the other covered', async () => {
  const engine = new IlpRiskEngine({
    markets,
    refineWorkers: 0,
    factsPollMs: 0,
    logger: pino({ level: 'silent' }),
  });
  const a = await engine.reserve(parlay('A', 'WIN', 12_000));
  const b = await engine.reserve(parlay('B', 'LOSE', 8_000));
  assert.equal(a.collateralMicro, 12_000);
  assert.equal(b.collateralMicro, 8_000, "A's collateral has not landed: B cannot lean on it");
  engine.abandon('mm', 'A');
  engine.commit('mm', 'B');
  const status = engine.status('mm')!;
  assert.equal(status.firmMicro, 8_000);
  assert.ok(status.firmMicro >= status.requiredMicro, 'B alone is covered');
  await engine.shutdown();
});

test('once the hedge landed, the next position leans on it', async () => {
  const engine = new IlpRiskEngine({
    markets,
    refineWorkers: 0,
    factsPollMs: 0,
    logger: pino({ level: 'silent' }),
  });
  await engine.reserve(parlay('A', 'WIN', 12_000));
  engine.commit('mm', 'A');
  const b = await engine.reserve(parlay('B', 'LOSE', 8_000));
  assert.equal(b.collateralMicro, 0);
  assert.equal(b.method, 'conditioning');
  await engine.shutdown();
});
