import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isTerminal } from '../../machines/domain.ts';
import { quoteAmounts, settlementSplit } from '../../machines/payout.ts';
import type { RfqInput } from '../../machines/rfqEvents.ts';
import { inputError, isLive, nextDeadline } from '../../machines/rfqRules.ts';
import { driveRfq, T0 } from '../support/rfqActor.ts';

const mm = fc.constantFrom('mm-1', 'mm-2', 'mm-3');
const user = fc.constantFrom('user-1', 'user-1', 'user-2');
const quoteId = fc.constantFrom('q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'nope');
const dt = fc.integer({ min: 0, max: 120_000 });

/** A random input, valid or not; `at` is filled in as time moves forward. */
const input = fc.oneof(
  fc.record({
    type: fc.constant('QUOTE.SUBMIT' as const),
    mmId: mm,
    quoteId,
    oddsFp: fc.integer({ min: 10_100, max: 10_000_000 }),
    validFor: fc.integer({ min: 1, max: 400_000 }),
    replace: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('QUOTE.WITHDRAW' as const),
    mmId: mm,
    quoteId,
    reason: fc.constant('withdrawn' as const),
  }),
  fc.record({
    type: fc.constant('ACCEPT' as const),
    userId: user,
    quoteId,
    confirmWindowMs: fc.constant(5_000),
  }),
  fc.record({
    type: fc.constant('CONFIRM' as const),
    mmId: mm,
    quoteId,
    collateralMicro: fc.integer({ min: 0, max: 1e9 }),
  }),
  fc.record({ type: fc.constant('REJECT' as const), mmId: mm, quoteId }),
  fc.record({ type: fc.constant('CANCEL' as const), userId: user, reason: fc.constant('user_cancelled') }),
  fc.record({ type: fc.constant('TICK' as const) }),
  fc.record({
    type: fc.constant('EXECUTED' as const),
    positionAddress: fc.constant('PDA'),
    signature: fc.constant('S1'),
  }),
  fc.record({ type: fc.constant('EXECUTION_FAILED' as const), reason: fc.constant('boom') }),
  fc.record({
    type: fc.constant('OUTCOME' as const),
    outcome: fc.constantFrom('win' as const, 'loss' as const, 'void' as const),
  }),
  fc.record({
    type: fc.constant('SETTLED' as const),
    outcome: fc.constantFrom('win' as const, 'loss' as const),
    payoutMicro: fc.constant(1),
    feeMicro: fc.constant(0),
    signature: fc.constant('S2'),
  }),
  fc.record({
    type: fc.constant('VOIDED' as const),
    signature: fc.constant('S3'),
    reason: fc.constant('leg_void'),
  }),
);

test('random input sequences keep every invariant', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(dt, input), { minLength: 1, maxLength: 60 }), (steps) => {
      const r = driveRfq();
      let at = T0;
      for (const [delta, raw] of steps) {
        at += delta;
        const { validFor, ...rest } = raw as typeof raw & { validFor?: number };
        const event = (
          raw.type === 'QUOTE.SUBMIT' ? { ...rest, at, validUntil: at + (validFor ?? 1) } : { ...rest, at }
        ) as RfqInput;
        const before = r.persisted();
        const status = r.status();
        const refused = inputError(status, r.context(), event);
        r.clear();
        r.send(event);
        const after = r.persisted();
        if (isTerminal(status) || refused) {
          // Terminal states absorb; a refused input changes nothing and says nothing.
          assert.deepEqual(after, before, `${event.type} in ${status} (${refused?.code ?? 'terminal'})`);
          assert.equal(r.emitted.length, 0);
          continue;
        }
        const c = r.context();
        // At most one accepted quote, and only from acceptance on.
        const taken = c.quotes.filter((q) => ['accepted', 'confirmed', 'executed'].includes(q.status));
        assert.ok(taken.length <= 1);
        if (['accepted', 'confirmed', 'executed'].includes(r.status()))
          assert.equal(taken[0]?.id, c.acceptedQuoteId);
        // One live quote per MM; `open` has none live, `quoted` has a pending one until its TICK.
        const live = c.quotes.filter((q) => isLive(q, at));
        assert.equal(new Set(live.map((q) => q.mmId)).size, live.length);
        if (r.status() === 'open') assert.equal(live.length, 0);
        if (r.status() === 'quoted') assert.ok(c.quotes.some((q) => q.status === 'pending'));
        // After a deadline fires nothing is left due: the engine's wheel can never spin on it.
        if (event.type === 'TICK') {
          const due = nextDeadline(r.status(), c);
          assert.ok(due === null || due > at, `deadline ${due} still due at ${at} in ${r.status()}`);
        }
        // Money: every quote's amounts and any settlement split conserve micro-units.
        for (const q of c.quotes) {
          const a = quoteAmounts(c.betMicro, q.oddsFp);
          assert.equal(a.totalPayoutMicro - a.totalCostMicro, a.mmRiskMicro);
          for (const outcome of ['win', 'loss'] as const) {
            const s = settlementSplit(outcome, c.betMicro, a.mmRiskMicro, c.feeBps);
            const mmKeeps = outcome === 'win' ? 0 : a.mmRiskMicro;
            assert.equal(
              s.toUserMicro + s.toMmMicro + s.toTreasuryMicro + mmKeeps,
              c.betMicro + a.mmRiskMicro,
            );
          }
        }
        // A status change is always announced.
        if (r.status() !== status) assert.ok(r.emitted.some((e) => e.type === 'rfq.status'));
      }
    }),
    { numRuns: 400 },
  );
});
