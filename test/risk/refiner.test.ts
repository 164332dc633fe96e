/**
 * The refinement worker's logic, driven in this thread: snapshots cover a version, unchanged problems
 * keep what earlier steps proved, escalation tightens until exact, and a failing book stops looping.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Highs } from 'highs';
import { generateBook, generateCatalogue } from '../../bench/risk/catalogue.ts';
import { loadHighs } from '../../engine/risk/loadHighs.ts';
import { DEFAULT_REFINER_OPTIONS, type PositionWire, Refiner } from '../../engine/risk/refiner.ts';

let highs: Highs;
before(async () => {
  highs = await loadHighs();
});

const catalogue = generateCatalogue(3, { markets: 200 });
const wire = (n: number, seed: number): PositionWire[] =>
  generateBook(seed, catalogue, { positions: n }).map((p, slot) => ({
    id: p.positionId,
    slot,
    riskMicro: p.riskMicro,
    legs: p.legs.map((l) => [l.ticker, l.side === 'yes']),
  }));
const facts = [...catalogue.facts.values()];

test('a snapshot covers its version; escalation steps tighten it until nothing is left', () => {
  const refiner = new Refiner(highs, {
    ...DEFAULT_REFINER_OPTIONS,
    enumerateMaxMarkets: 0,
    mipSeconds: [0.2, 1],
  });
  const positions = wire(40, 1);
  refiner.apply({ type: 'sync', mmId: 'mm', version: 3, facts, add: positions });
  const first = refiner.step()!;
  assert.equal(first.kind, 'snapshot');
  assert.equal(first.version, 3);
  const covered = new Set([...first.sureSlots, ...first.components.flatMap((c) => [...c.slots])]);
  assert.equal(covered.size, positions.length, 'every live position is in exactly one component');
  let last = first;
  for (let step = refiner.step(); step !== null; step = refiner.step()) {
    assert.equal(step.kind, 'escalation');
    const ub = (r: typeof step) => r.components.reduce((a, c) => a + c.ub, 0);
    assert.ok(ub(step) <= ub(last), 'bounds only tighten');
    last = step;
  }
  assert.ok(last.settled);
  for (const c of last.components) {
    assert.ok(c.lb <= c.ub);
    for (const bound of c.cond) assert.ok(bound <= c.ub, 'no conditional bound above the bound');
  }
});

test('an unchanged component keeps what escalation proved; a new one gets quick bounds', () => {
  const refiner = new Refiner(highs, {
    ...DEFAULT_REFINER_OPTIONS,
    enumerateMaxMarkets: 0,
    mipSeconds: [1],
    snapshotIntervalMs: 0,
  });
  refiner.apply({ type: 'sync', mmId: 'mm', version: 1, facts, add: wire(30, 2) });
  let settled = refiner.step()!;
  for (let s = refiner.step(); s !== null; s = refiner.step()) settled = s;
  assert.ok(settled.components.every((c) => c.method === 'mip'));
  refiner.apply({
    type: 'sync',
    mmId: 'mm',
    version: 2,
    add: [{ id: 'lonely', slot: 999, riskMicro: 5, legs: [['UNSEEN', true]] }],
  });
  const after = refiner.step()!;
  assert.equal(after.version, 2);
  const old = after.components.filter((c) => !c.slots.includes(999));
  assert.deepEqual(
    old.map((c) => [c.ub, c.method]),
    settled.components.map((c) => [c.ub, c.method]),
  );
  // Quick bounds only: the LP's rounding margin puts it above the full risk, which is kept.
  const lonely = after.components.find((c) => c.slots.includes(999))!;
  assert.deepEqual([lonely.ub, lonely.method], [5, 'full-risk']);
});

test('known results shrink the problem; results that break the rules drop them, never the safety', () => {
  const refiner = new Refiner(highs);
  const x = { ticker: 'X', eventTicker: 'E', mutuallyExclusive: true, ladder: null, result: null };
  const y = { ...x, ticker: 'Y' };
  refiner.apply({
    type: 'sync',
    mmId: 'mm',
    version: 1,
    facts: [x, y],
    add: [
      { id: 'px', slot: 1, riskMicro: 10, legs: [['X', true]] },
      { id: 'py', slot: 2, riskMicro: 7, legs: [['Y', true]] },
    ],
  });
  const both = refiner.step()!;
  assert.equal(
    both.components.reduce((a, c) => a + c.ub, 0),
    10,
  );
  refiner.apply({ type: 'sync', mmId: 'mm', version: 2, facts: [{ ...x, result: 'no' }] });
  const shrunk = refiner.step()!;
  assert.deepEqual(
    shrunk.components.map((c) => [...c.slots]),
    [[2]],
  );
  refiner.apply({
    type: 'sync',
    mmId: 'mm',
    version: 3,
    facts: [
      { ...x, result: 'yes' },
      { ...y, result: 'yes' },
    ],
  });
  const broken = refiner.step()!;
  assert.ok(broken.rulesDropped);
  assert.deepEqual([...broken.sureSlots].sort(), [1, 2]);
});

test('a book whose step throws is not retried until it changes', () => {
  const refiner = new Refiner(highs);
  refiner.apply({
    type: 'sync',
    mmId: 'bad',
    version: 1,
    add: [{ id: 'p', slot: 1, riskMicro: 0.5, legs: [['X', true]] }],
  });
  assert.throws(() => refiner.step(), /refinement of bad failed at version 1/);
  assert.equal(refiner.step(), null);
  refiner.apply({ type: 'sync', mmId: 'bad', version: 2, remove: ['p'] });
  assert.equal(refiner.step()?.version, 2);
});
