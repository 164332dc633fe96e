/** Refinement workers: TypeScript loads in the thread, a crashed worker is replaced and re-fed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { RefinePool } from '../../engine/risk/refinePool.ts';
import { DEFAULT_REFINER_OPTIONS, type PositionWire, type RefineResult } from '../../engine/risk/refiner.ts';

test('a worker that dies is replaced, and the books it held are asked for again', async () => {
  const results: RefineResult[] = [];
  const restarted: number[] = [];
  let onResult: () => void = () => {};
  const pool = new RefinePool(
    1,
    DEFAULT_REFINER_OPTIONS,
    {
      result: (r) => {
        results.push(r);
        onResult();
      },
      restarted: (i) => restarted.push(i),
      failed: () => {},
    },
    pino({ level: 'silent' }),
  );
  const next = () =>
    new Promise<void>((resolve) => {
      onResult = resolve;
    });
  try {
    await pool.ready();
    let arrived = next();
    pool.send({
      type: 'sync',
      mmId: 'mm',
      version: 1,
      add: [{ id: 'p', slot: 1, riskMicro: 9, legs: [['T', true]] }],
    });
    await arrived;
    assert.equal(results.at(-1)?.components[0]?.ub, 9);

    // A malformed delta throws inside the worker's message handler: the thread dies.
    pool.send({ type: 'sync', mmId: 'mm', version: 2, add: [null as unknown as PositionWire] });
    while (restarted.length === 0) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(restarted, [0]);
    await pool.ready();
    arrived = next();
    pool.send({
      type: 'sync',
      mmId: 'mm',
      version: 3,
      add: [{ id: 'q', slot: 2, riskMicro: 4, legs: [['U', true]] }],
    });
    await arrived;
    assert.deepEqual(
      results.at(-1)?.components.map((c) => c.ub),
      [4],
      'the new worker starts empty',
    );
  } finally {
    await pool.stop();
  }
});

test('a step that fails is reported with its MM and version, and the worker carries on', async () => {
  const failures: Array<[string, number]> = [];
  const results: RefineResult[] = [];
  const pool = new RefinePool(
    1,
    DEFAULT_REFINER_OPTIONS,
    {
      result: (r) => results.push(r),
      restarted: () => {},
      failed: (mmId, version) => failures.push([mmId, version]),
    },
    pino({ level: 'silent' }),
  );
  try {
    pool.send({
      type: 'sync',
      mmId: 'bad',
      version: 1,
      add: [{ id: 'p', slot: 1, riskMicro: 0.5, legs: [['X', true]] }],
    });
    pool.send({
      type: 'sync',
      mmId: 'good',
      version: 1,
      add: [{ id: 'q', slot: 1, riskMicro: 3, legs: [['Y', true]] }],
    });
    while (failures.length === 0 || results.length === 0) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(failures, [['bad', 1]]);
    assert.deepEqual(
      results.map((r) => r.mmId),
      ['good'],
    );
  } finally {
    await pool.stop();
  }
});
