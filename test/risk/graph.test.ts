/**
 * Market rules only where the facts prove them, and positions normalized against rules and results.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MarketFacts, StrikeType } from '../../engine/ports/markets.ts';
import { Assignment, buildGraph, lit } from '../../engine/risk/graph.ts';
import { KnownResults, normalizeLegs } from '../../engine/risk/normalize.ts';

const rung = (
  ticker: string,
  strikeType: StrikeType,
  floor: number | null,
  cap: number | null,
  key = 'L',
): MarketFacts => ({
  ticker,
  eventTicker: ticker,
  mutuallyExclusive: false,
  ladder: { key, strikeType, floorStrike: floor, capStrike: cap },
  result: null,
});
const plain = (
  ticker: string,
  event: string,
  exclusive: boolean,
  result: 'yes' | 'no' | null = null,
): MarketFacts => ({
  ticker,
  eventTicker: event,
  mutuallyExclusive: exclusive,
  ladder: null,
  result,
});

/** What setting `ticker` to `yes` forces, as "T=yes" strings. */
function forced(facts: MarketFacts[], ticker: string, yes: boolean): string[] {
  const g = buildGraph(facts);
  const a = new Assignment(g.size);
  assert.ok(a.assume(g.forces, [lit(g.index.get(ticker)!, yes)]));
  return a.set
    .filter((m) => g.tickers[m] !== ticker)
    .map((m) => `${g.tickers[m]}=${a.value[m] === 1 ? 'yes' : 'no'}`)
    .sort();
}

test('a stricter threshold yes forces the looser ones; strictness decides at equal strikes', () => {
  const facts = [
    rung('gt5', 'greater', 5, null),
    rung('ge5', 'greater_or_equal', 5, null),
    rung('gt7', 'greater', 7, null),
  ];
  assert.deepEqual(forced(facts, 'gt7', true), ['ge5=yes', 'gt5=yes']);
  assert.deepEqual(forced(facts, 'gt5', true), ['ge5=yes']);
  assert.deepEqual(forced(facts, 'ge5', true), [], 'v = 5 satisfies ≥ 5 but not > 5');
  assert.deepEqual(forced(facts, 'ge5', false), ['gt5=no', 'gt7=no']);
});

test('below-thresholds run the other way; opposite directions exclude only when their ranges are disjoint', () => {
  const facts = [
    rung('lt3', 'less', null, 3),
    rung('le3', 'less_or_equal', null, 3),
    rung('gt3', 'greater', 3, null),
    rung('ge3', 'greater_or_equal', 3, null),
  ];
  assert.deepEqual(forced(facts, 'lt3', true), ['ge3=no', 'gt3=no', 'le3=yes']);
  assert.deepEqual(forced(facts, 'le3', true), ['gt3=no'], 'v = 3: ≤ 3 and ≥ 3 both hold');
  assert.deepEqual(forced(facts, 'gt3', false), [], 'no "at least one yes" rule: a no forces nothing across');
});

test('no rule without proof: other ladders, missing strikes, between/functional markets', () => {
  const facts = [
    rung('a', 'greater', 5, null, 'K1'),
    rung('b', 'greater', 3, null, 'K2'),
    rung('c', 'greater', null, null),
    rung('d', 'between', 1, 9),
    rung('e', 'functional', 1, 9),
  ];
  for (const t of ['a', 'b', 'c', 'd', 'e']) assert.deepEqual(forced(facts, t, true), []);
});

test('exclusive events: one yes forces the others no; disagreeing flags distrust the event', () => {
  assert.deepEqual(forced([plain('x', 'E', true), plain('y', 'E', true), plain('z', 'E', true)], 'x', true), [
    'y=no',
    'z=no',
  ]);
  const g = buildGraph([plain('x', 'E', true), plain('y', 'E', false), plain('z', 'E', true)]);
  assert.equal(g.exclusiveEvents.size, 0);
  assert.deepEqual([...g.forces.flat()], []);
});

test('normalization: lost legs kill, won legs drop, contradictions kill, implied legs drop', () => {
  const g = buildGraph([
    plain('w', 'E', true),
    plain('l', 'E', true),
    plain('won', 'R', false, 'yes'),
    plain('lost', 'S', false, 'no'),
    plain('free', 'F', false),
  ]);
  const known = new KnownResults(g);
  const n = (legs: Array<[string, boolean]>) =>
    normalizeLegs(
      known,
      legs.map(([t, yes]) => lit(g.index.get(t)!, yes)),
    );
  assert.deepEqual(
    n([
      ['lost', true],
      ['free', true],
    ]),
    { kind: 'dead' },
  );
  assert.deepEqual(
    n([
      ['won', true],
      ['free', true],
    ]),
    { kind: 'live', lits: [lit(g.index.get('free')!, true)] },
  );
  assert.deepEqual(n([['won', true]]), { kind: 'sure' });
  assert.deepEqual(
    n([
      ['w', true],
      ['l', true],
    ]),
    { kind: 'dead' },
  );
  assert.deepEqual(
    n([
      ['free', true],
      ['free', false],
    ]),
    { kind: 'dead' },
  );
  assert.deepEqual(
    n([
      ['w', true],
      ['l', false],
    ]),
    { kind: 'live', lits: [lit(g.index.get('w')!, true)] },
  );
});

test('results the rules call impossible are flagged, so the owner can drop the rules', () => {
  const g = buildGraph([plain('x', 'E', true, 'yes'), plain('y', 'E', true, 'yes')]);
  assert.equal(new KnownResults(g).consistent, false);
  const loose = buildGraph([plain('x', 'E', true, 'yes'), plain('y', 'E', true, 'yes')], new Set(), false);
  assert.equal(new KnownResults(loose).consistent, true);
});
