import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Side } from '../../machines/domain.ts';
import {
  decideParlay,
  legOutcome,
  type MarketResolution,
  marketResolution,
  type ParlayDecision,
  SETTLEMENT_FINAL_STATUS,
} from '../../machines/settlement.ts';

const SIDES: readonly Side[] = ['yes', 'no'];
const RESOLUTIONS: readonly MarketResolution[] = ['yes', 'no', 'void', 'pending'];
const STATUSES = [
  'initialized',
  'active',
  'inactive',
  'closed',
  'determined',
  'disputed',
  'amended',
  'finalized',
];
const RESULTS = ['yes', 'no', 'scalar', ''];

type LegCase = { side: Side; resolution: MarketResolution };

function* cases(n: number): Generator<LegCase[]> {
  if (n === 0) {
    yield [];
    return;
  }
  for (const rest of cases(n - 1))
    for (const side of SIDES) for (const resolution of RESOLUTIONS) yield [...rest, { side, resolution }];
}

/**
 * The oracle, stated differently from the code: a fully known parlay loses if a leg lost, is void if a
 * leg is void, and wins otherwise; a partly known parlay is decided exactly when every way its pending
 * legs could still finalize leads to the same outcome.
 */
function oracle(legs: LegCase[]): ParlayDecision {
  const finalOutcome = (resolved: LegCase[]): ParlayDecision => {
    if (resolved.some((l) => (l.resolution === 'yes' || l.resolution === 'no') && l.resolution !== l.side))
      return 'loss';
    if (resolved.some((l) => l.resolution === 'void')) return 'void';
    return 'win';
  };
  const outcomes = new Set<ParlayDecision>();
  const complete = (i: number, acc: LegCase[]): void => {
    if (i === legs.length) {
      outcomes.add(finalOutcome(acc));
      return;
    }
    const leg = legs[i] as LegCase;
    const options: MarketResolution[] =
      leg.resolution === 'pending' ? ['yes', 'no', 'void'] : [leg.resolution];
    for (const resolution of options) complete(i + 1, [...acc, { side: leg.side, resolution }]);
  };
  complete(0, []);
  return outcomes.size === 1 ? ([...outcomes][0] as ParlayDecision) : 'pending';
}

describe('settlement: which market status is final', () => {
  it('settles on finalized only: determined, disputed and amended results can still change', () => {
    assert.equal(SETTLEMENT_FINAL_STATUS, 'finalized');
    for (const status of STATUSES) {
      for (const result of RESULTS) {
        const expected =
          status !== 'finalized' ? 'pending' : result === 'yes' || result === 'no' ? result : 'void';
        assert.equal(marketResolution({ status, result }), expected, `${status}/${JSON.stringify(result)}`);
      }
    }
  });

  it('a market finalized without a yes/no result is void', () => {
    assert.equal(marketResolution({ status: 'finalized', result: '' }), 'void');
    assert.equal(marketResolution({ status: 'finalized', result: 'scalar' }), 'void');
  });

  it('a market gone from Kalshi (404) is void', () => {
    assert.equal(marketResolution({ gone: true }), 'void');
  });

  it('a determined result is not acted on until it is finalized', () => {
    assert.equal(
      decideParlay([
        { side: 'yes', resolution: marketResolution({ status: 'determined', result: 'no' }) },
        { side: 'yes', resolution: 'pending' },
      ]),
      'pending',
    );
    assert.equal(
      decideParlay([
        { side: 'yes', resolution: marketResolution({ status: 'finalized', result: 'no' }) },
        { side: 'yes', resolution: 'pending' },
      ]),
      'loss',
    );
  });
});

describe('settlement: leg outcome', () => {
  it('maps side × resolution', () => {
    const table: Array<[Side, MarketResolution, string]> = [
      ['yes', 'yes', 'won'],
      ['yes', 'no', 'lost'],
      ['no', 'no', 'won'],
      ['no', 'yes', 'lost'],
      ['yes', 'void', 'void'],
      ['no', 'void', 'void'],
      ['yes', 'pending', 'pending'],
      ['no', 'pending', 'pending'],
    ];
    for (const [side, resolution, outcome] of table) assert.equal(legOutcome(side, resolution), outcome);
  });
});

describe('settlement: parlay rule table', () => {
  for (const n of [2, 3, 4, 5]) {
    it(`agrees with the oracle on all ${8 ** n} leg combinations of a ${n}-leg parlay`, () => {
      const counts: Record<ParlayDecision, number> = { win: 0, loss: 0, void: 0, pending: 0 };
      for (const legs of cases(n)) {
        const decision = decideParlay(legs);
        assert.equal(decision, oracle(legs), JSON.stringify(legs));
        counts[decision] += 1;
      }
      // Closed forms per leg: 2 winning pairs, 2 losing, 2 void, 2 pending of the 8 (side, resolution) pairs.
      assert.equal(counts.win, 2 ** n);
      assert.equal(counts.loss, 8 ** n - 6 ** n);
      assert.equal(counts.void, 4 ** n - 2 ** n);
      assert.equal(counts.pending, 6 ** n - 4 ** n);
    });
  }

  it('any leg lost decides a loss at once, whatever the other legs', () => {
    for (const n of [2, 3, 4, 5]) {
      for (const legs of cases(n)) {
        if (legs.some((l) => legOutcome(l.side, l.resolution) === 'lost'))
          assert.equal(decideParlay(legs), 'loss');
      }
    }
  });

  it('a decision never changes as pending legs finalize (order independence)', () => {
    for (const legs of cases(4)) {
      const decision = decideParlay(legs);
      if (decision === 'pending') continue;
      legs.forEach((leg, i) => {
        if (leg.resolution !== 'pending') return;
        for (const resolution of ['yes', 'no', 'void'] as const) {
          const later = legs.map((l, j) => (j === i ? { side: l.side, resolution } : l));
          assert.equal(decideParlay(later), decision, JSON.stringify(later));
        }
      });
    }
  });

  it('reads as the product rules', () => {
    assert.equal(
      decideParlay([
        { side: 'yes', resolution: 'yes' },
        { side: 'no', resolution: 'no' },
      ]),
      'win',
    );
    assert.equal(
      decideParlay([
        { side: 'yes', resolution: 'no' },
        { side: 'no', resolution: 'pending' },
      ]),
      'loss',
    );
    assert.equal(
      decideParlay([
        { side: 'yes', resolution: 'void' },
        { side: 'no', resolution: 'no' },
      ]),
      'void',
    );
    assert.equal(
      decideParlay([
        { side: 'yes', resolution: 'void' },
        { side: 'no', resolution: 'pending' },
      ]),
      'pending',
    );
    assert.equal(
      decideParlay([
        { side: 'yes', resolution: 'void' },
        { side: 'no', resolution: 'yes' },
      ]),
      'loss',
    );
    assert.equal(
      decideParlay([
        { side: 'yes', resolution: 'yes' },
        { side: 'yes', resolution: 'pending' },
      ]),
      'pending',
    );
  });

  it('refuses a parlay without legs', () => {
    assert.throws(() => decideParlay([]), RangeError);
  });
});
