import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { feeOnProfit, quoteAmounts, settlementSplit } from '../../machines/payout.ts';

test("the seed's example: $100 at 4.0× pays $400, the MM risks $300", () => {
  assert.deepEqual(quoteAmounts(100_000_000, 40_000), {
    totalCostMicro: 100_000_000,
    totalPayoutMicro: 400_000_000,
    mmRiskMicro: 300_000_000,
  });
});

test('total payout rounds down to the micro-unit', () => {
  // 11.000001 USDC × 1.0101 = 11.1111010101… → 11.111101
  assert.equal(quoteAmounts(11_000_001, 10_101).totalPayoutMicro, 11_111_101);
});

test('the fee on profit rounds down', () => {
  assert.equal(feeOnProfit(300_000_000, 100), 3_000_000);
  assert.equal(feeOnProfit(99, 100), 0);
  assert.equal(feeOnProfit(199, 100), 1);
  assert.equal(feeOnProfit(1_234_567, 0), 0);
  assert.equal(feeOnProfit(1_234_567, 10_000), 1_234_567);
});

test('win: the user receives stake + risk − fee(risk); loss: the MM receives stake − fee(stake)', () => {
  const win = settlementSplit('win', 100_000_000, 300_000_000, 100);
  assert.equal(win.feeMicro, 3_000_000);
  assert.equal(win.toUserMicro, 397_000_000);
  assert.equal(win.toTreasuryMicro, 3_000_000);
  const loss = settlementSplit('loss', 100_000_000, 300_000_000, 100);
  assert.equal(loss.feeMicro, 1_000_000);
  assert.equal(loss.toMmMicro, 99_000_000);
  assert.equal(loss.toUserMicro, 0);
});

test('no micro-unit is created or lost, for any bet, odds and fee', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1_000_000_000 }),
      fc.integer({ min: 10_001, max: 10_000_000 }),
      fc.integer({ min: 0, max: 10_000 }),
      fc.constantFrom('win' as const, 'loss' as const),
      (bet, odds, feeBps, outcome) => {
        const { totalPayoutMicro, mmRiskMicro } = quoteAmounts(bet, odds);
        assert.ok(totalPayoutMicro >= bet && mmRiskMicro >= 0);
        const exact = BigInt(bet) * BigInt(odds);
        assert.ok(BigInt(totalPayoutMicro) * 10_000n <= exact, 'payout never exceeds bet × odds');
        assert.ok(BigInt(totalPayoutMicro + 1) * 10_000n > exact, 'payout is the floor');
        const s = settlementSplit(outcome, bet, mmRiskMicro, feeBps);
        assert.ok(s.feeMicro >= 0 && s.feeMicro <= s.profitMicro);
        // Everything at stake ends with exactly one of user, MM, treasury.
        const mmKeeps = outcome === 'win' ? 0 : mmRiskMicro;
        assert.equal(s.toUserMicro + s.toMmMicro + mmKeeps + s.toTreasuryMicro, bet + mmRiskMicro);
      },
    ),
    { numRuns: 2_000 },
  );
});
