/** The conservative policy: full risk locked, released down to the risk still open as positions close. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { MemoryMarkets } from '../../bench/risk/memoryMarkets.ts';
import type { PositionRisk } from '../../engine/ports/risk.ts';
import { FullRiskEngine } from '../../engine/risk/fullRisk.ts';

const silent = pino({ level: 'silent' });
const p = (id: string, riskMicro: number, ticker = 'M'): PositionRisk => ({
  positionId: id,
  mmId: 'mm',
  riskMicro,
  stakeMicro: 1,
  legs: [{ ticker, eventTicker: ticker, side: 'yes' }],
});

test('every position locks its full risk', async () => {
  const risk = new FullRiskEngine({ logger: silent });
  const a = await risk.reserve(p('a', 300));
  const b = await risk.reserve(p('b', 200));
  assert.deepEqual([a.collateralMicro, b.collateralMicro, b.requiredMicro], [300, 200, 500]);
  assert.equal(risk.lockedBy('mm'), 500);
});

test('a loss releases its risk; a win is paid out of it; a failed creation never locked anything', async () => {
  const risk = new FullRiskEngine({ logger: silent });
  const released: number[] = [];
  risk.onRelease((r) => released.push(r.requiredMicro));
  for (const [id, r] of [
    ['a', 300],
    ['b', 200],
    ['c', 100],
    ['d', 50],
  ] as const) {
    await risk.reserve(p(id, r));
    if (id !== 'd') risk.commit('mm', id);
  }
  risk.close('mm', 'a', 'loss');
  assert.deepEqual(released, [350], "b, c and d's risk stay locked (d's once it lands)");
  risk.close('mm', 'b', 'win');
  assert.equal(risk.status('mm')!.expectedMicro, 150, '350 − 200 paid out');
  assert.deepEqual(released, [350], 'nothing to release after a payout');
  risk.abandon('mm', 'd');
  assert.deepEqual(released, [350, 100], "d's share comes back: it never landed");
  assert.equal(risk.status('mm')!.firmMicro, 100);
});

test('without an outcome, a lost leg in the facts proves a loss; otherwise a win is assumed', async () => {
  const markets = new MemoryMarkets([
    { ticker: 'X', eventTicker: 'X', mutuallyExclusive: false, ladder: null, result: null },
    { ticker: 'Y', eventTicker: 'Y', mutuallyExclusive: false, ladder: null, result: null },
  ]);
  const risk = new FullRiskEngine({ logger: silent, markets });
  await risk.reserve(p('x', 100, 'X'));
  await risk.reserve(p('y', 100, 'Y'));
  risk.commit('mm', 'x');
  risk.commit('mm', 'y');
  markets.setResult('X', 'no');
  risk.close('mm', 'x');
  assert.equal(risk.status('mm')!.firmMicro, 100, 'loss: released down to y');
  risk.close('mm', 'y');
  assert.equal(risk.status('mm')!.firmMicro, 0, 'unknown: taken as paid out');
});

test('restore starts from the chain total and releases down to the open risk', async () => {
  const risk = new FullRiskEngine({ logger: silent });
  const released: number[] = [];
  risk.onRelease((r) => released.push(r.requiredMicro));
  risk.restore([
    {
      mmId: 'mm',
      lockedMicro: 450,
      positions: [
        { ...p('a', 300), collateralMicro: 300 },
        { ...p('b', 150), collateralMicro: 150 },
      ],
    },
  ]);
  assert.equal(risk.lockedBy('mm'), 450);
  risk.close('mm', 'b', 'void');
  assert.deepEqual(released, [300]);
});

test('bad amounts are refused at the boundary', async () => {
  const risk = new FullRiskEngine({ logger: silent });
  await assert.rejects(risk.reserve(p('a', -1)), RangeError);
  await assert.rejects(risk.reserve({ ...p('a', 1), legs: [] }), TypeError);
});
