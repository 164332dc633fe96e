import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RfqError } from '../../machines/errors.ts';
import {
  checkBet,
  checkLimits,
  checkOdds,
  DEFAULT_LIMITS,
  quoteValidUntil,
  rfqTtlMs,
} from '../../machines/limits.ts';

const L = DEFAULT_LIMITS;
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (error) {
    assert.ok(error instanceof RfqError);
    return error.code;
  }
};

test("defaults are the seed's table", () => {
  assert.equal(L.minLegs, 2);
  assert.equal(L.maxLegs, 5);
  assert.equal(L.minBetMicro, 11_000_000);
  assert.equal(L.maxBetMicro, 100_000_000);
  assert.equal(L.minOddsFp, 10_100);
  assert.equal(L.maxOddsFp, 10_000_000);
  assert.equal(L.minRfqTtlMs, 60_000);
  assert.equal(L.maxRfqTtlMs, 3_600_000);
  assert.equal(L.defaultQuoteTtlMs, 60_000);
  assert.equal(L.confirmWindowMs, 5_000);
  assert.equal(L.feeBps, 100);
});

test('bet: at the bounds, inside, and one micro-unit outside', () => {
  for (const ok of [11_000_000, 50_000_000, 100_000_000])
    assert.equal(
      codeOf(() => checkBet(L, ok)),
      null,
    );
  for (const bad of [10_999_999, 100_000_001, 0, 1.5])
    assert.equal(
      codeOf(() => checkBet(L, bad)),
      'BET_OUT_OF_RANGE',
    );
});

test('odds: at the bounds, inside, and one step outside', () => {
  for (const ok of [10_100, 40_000, 10_000_000])
    assert.equal(
      codeOf(() => checkOdds(L, ok)),
      null,
    );
  for (const bad of [10_099, 10_000_001, 10_000])
    assert.equal(
      codeOf(() => checkOdds(L, bad)),
      'ODDS_OUT_OF_RANGE',
    );
});

test('RFQ expiry: default, bounds, just outside', () => {
  assert.equal(rfqTtlMs(L, undefined), 300_000);
  assert.equal(rfqTtlMs(L, 60_000), 60_000);
  assert.equal(rfqTtlMs(L, 3_600_000), 3_600_000);
  for (const bad of [59_999, 3_600_001, 0, -1])
    assert.equal(
      codeOf(() => rfqTtlMs(L, bad)),
      'EXPIRY_OUT_OF_RANGE',
    );
});

test('quote validity: default 60 s, bounds 1 s–1 h, never past the RFQ expiry', () => {
  const now = 1_000_000;
  assert.equal(quoteValidUntil(L, now, undefined, now + 300_000), now + 60_000);
  assert.equal(quoteValidUntil(L, now, 1_000, now + 300_000), now + 1_000);
  assert.equal(quoteValidUntil(L, now, 3_600_000, now + 300_000), now + 300_000, 'clamped to RFQ expiry');
  for (const bad of [999, 3_600_001, 0]) {
    assert.equal(
      codeOf(() => quoteValidUntil(L, now, bad, now + 300_000)),
      'QUOTE_VALIDITY_OUT_OF_RANGE',
    );
  }
});

test('contradictory limit sets are refused at boot', () => {
  assert.throws(() => checkLimits({ ...L, minLegs: 6 }), /minLegs must not exceed maxLegs/);
  assert.throws(() => checkLimits({ ...L, feeBps: 10_001 }), /feeBps/);
  assert.throws(() => checkLimits({ ...L, minOddsFp: 10_000 }), /minOddsFp/);
  assert.doesNotThrow(() => checkLimits({ ...L }));
});
