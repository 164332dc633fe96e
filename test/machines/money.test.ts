import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RfqError } from '../../machines/errors.ts';
import {
  formatFixed,
  microToUsdcNumber,
  microToUsdcText,
  mulDivFloor,
  oddsFpToText,
  oddsToFp,
  usdcToMicro,
} from '../../machines/money.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof RfqError);
    return error.code;
  }
  return null;
};

test('USDC numbers convert exactly to micro-units', () => {
  assert.equal(usdcToMicro(100), 100_000_000);
  assert.equal(usdcToMicro(11), 11_000_000);
  assert.equal(usdcToMicro(12.345678), 12_345_678);
  assert.equal(usdcToMicro('0.000001'), 1);
  assert.equal(usdcToMicro(0.1), 100_000);
  assert.equal(usdcToMicro(1e-6), 1);
  assert.equal(usdcToMicro('50.10'), 50_100_000);
});

test('more than six decimals is AMOUNT_PRECISION, never rounded', () => {
  assert.equal(
    codeOf(() => usdcToMicro(12.3456789)),
    'AMOUNT_PRECISION',
  );
  assert.equal(
    codeOf(() => usdcToMicro('0.0000001')),
    'AMOUNT_PRECISION',
  );
  assert.equal(
    codeOf(() => usdcToMicro(1e-7)),
    'AMOUNT_PRECISION',
  );
});

test('malformed amounts are INVALID_REQUEST', () => {
  for (const bad of [-1, '-5', 'abc', '1e5', '', Number.NaN, Number.POSITIVE_INFINITY, '1.2.3', 1e300]) {
    assert.equal(
      codeOf(() => usdcToMicro(bad)),
      'INVALID_REQUEST',
      String(bad),
    );
  }
});

test('odds are fixed point at 1e-4; finer precision is ODDS_PRECISION', () => {
  assert.equal(oddsToFp(4.0), 40_000);
  assert.equal(oddsToFp(1.01), 10_100);
  assert.equal(oddsToFp(1000), 10_000_000);
  assert.equal(oddsToFp(2.5001), 25_001);
  assert.equal(
    codeOf(() => oddsToFp(2.50001)),
    'ODDS_PRECISION',
  );
  assert.equal(oddsFpToText(25_001), '2.5001');
  assert.equal(oddsFpToText(40_000), '4');
});

test('formatting round-trips every micro amount through text and through a JSON number', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000_000_000_000 }), (micro) => {
      assert.equal(usdcToMicro(microToUsdcText(micro)), micro);
      assert.equal(usdcToMicro(microToUsdcNumber(micro)), micro);
    }),
  );
  assert.equal(formatFixed(1, 6), '0.000001');
  assert.equal(formatFixed(-1_500_000, 6), '-1.5');
});

test('mulDivFloor is exact beyond 2^53 intermediates and refuses unsafe results', () => {
  assert.equal(mulDivFloor(9_007_199_254_740_991, 3, 3), 9_007_199_254_740_991);
  assert.equal(mulDivFloor(7, 3, 2), 10);
  assert.throws(() => mulDivFloor(9_007_199_254_740_991, 2, 1), RangeError);
});
