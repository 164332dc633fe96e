import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RfqStatus } from '../../machines/domain.ts';
import { inputError, nextDeadline } from '../../machines/rfqRules.ts';
import { driveRfq, submit, T0 } from '../support/rfqActor.ts';

const accept = (at: number, quoteId: string, userId = 'user-1') =>
  ({ type: 'ACCEPT', at, userId, quoteId, confirmWindowMs: 5_000 }) as const;

/** An RFQ driven to `accepted` with quote q1 (mm-1) accepted and q2 (mm-2) rejected. */
function accepted() {
  const r = driveRfq();
  r.send(submit(T0 + 1, 'mm-1', 'q1', 40_000));
  r.send(submit(T0 + 2, 'mm-2', 'q2', 39_000));
  r.send(accept(T0 + 10, 'q1'));
  return r;
}

function executed() {
  const r = accepted();
  r.send({ type: 'CONFIRM', at: T0 + 11, mmId: 'mm-1', quoteId: 'q1', collateralMicro: 100_000_000 });
  r.send({ type: 'EXECUTED', at: T0 + 20, positionAddress: 'PDA1', signature: 'SIG1' });
  return r;
}

describe('open and quoted', () => {
  test('creation announces the RFQ once', () => {
    const r = driveRfq();
    assert.equal(r.status(), 'open');
    assert.deepEqual(r.types(), ['rfq.created']);
    const created = r.emitted[0];
    assert.equal(created?.type === 'rfq.created' && created.rfq.status, 'open');
  });

  test('open → quoted on the first live quote; a second MM adds a quote', () => {
    const r = driveRfq();
    r.clear();
    r.send(submit(T0 + 1, 'mm-1', 'q1'));
    assert.equal(r.status(), 'quoted');
    assert.deepEqual(r.types(), ['quote.submitted', 'rfq.status']);
    r.send(submit(T0 + 2, 'mm-2', 'q2'));
    assert.equal(r.context().quotes.length, 2);
  });

  test('one live quote per MM: a new one replaces the old (withdrawn, reason replaced)', () => {
    const r = driveRfq();
    r.send(submit(T0 + 1, 'mm-1', 'q1', 40_000));
    r.clear();
    r.send(submit(T0 + 2, 'mm-1', 'q1b', 41_000));
    assert.deepEqual(r.types(), ['quote.withdrawn', 'quote.submitted']);
    const q1 = r.context().quotes.find((q) => q.id === 'q1');
    assert.equal(q1?.status, 'withdrawn');
    assert.equal(q1?.reason, 'replaced');
    const submitted = r.emitted[1];
    assert.equal(submitted?.type === 'quote.submitted' && submitted.replacedQuoteId, 'q1');
  });

  test('without replace, a second live quote from the same MM is QUOTE_ALREADY_EXISTS and changes nothing', () => {
    const r = driveRfq();
    r.send(submit(T0 + 1, 'mm-1', 'q1'));
    const before = r.actor.getSnapshot();
    const input = submit(T0 + 2, 'mm-1', 'q1b', 41_000, 60_000, false);
    assert.equal(inputError('quoted', r.context(), input)?.code, 'QUOTE_ALREADY_EXISTS');
    r.send(input);
    assert.equal(r.actor.getSnapshot(), before);
  });

  test('quoted → open when the last live quote is withdrawn; only its MM may withdraw', () => {
    const r = driveRfq();
    r.send(submit(T0 + 1, 'mm-1', 'q1'));
    const stranger = {
      type: 'QUOTE.WITHDRAW',
      at: T0 + 2,
      mmId: 'mm-2',
      quoteId: 'q1',
      reason: 'withdrawn',
    } as const;
    assert.equal(inputError('quoted', r.context(), stranger)?.code, 'FORBIDDEN');
    r.send(stranger);
    assert.equal(r.status(), 'quoted');
    r.send({ ...stranger, mmId: 'mm-1' });
    assert.equal(r.status(), 'open');
    assert.equal(r.context().quotes[0]?.status, 'withdrawn');
  });

  test('withdrawing one of two live quotes stays quoted', () => {
    const r = driveRfq();
    r.send(submit(T0 + 1, 'mm-1', 'q1'));
    r.send(submit(T0 + 1, 'mm-2', 'q2'));
    r.send({ type: 'QUOTE.WITHDRAW', at: T0 + 2, mmId: 'mm-1', quoteId: 'q1', reason: 'withdrawn' });
    assert.equal(r.status(), 'quoted');
  });

  test('quotes expire at validUntil; quoted → open when the last one does', () => {
    const r = driveRfq();
    r.send(submit(T0, 'mm-1', 'q1', 40_000, 10_000));
    r.send(submit(T0, 'mm-2', 'q2', 40_000, 20_000));
    assert.equal(nextDeadline('quoted', r.context()), T0 + 10_000);
    r.send({ type: 'TICK', at: T0 + 10_000 });
    assert.equal(r.status(), 'quoted');
    assert.equal(r.context().quotes[0]?.status, 'expired');
    assert.equal(nextDeadline('quoted', r.context()), T0 + 20_000);
    r.send({ type: 'TICK', at: T0 + 20_000 });
    assert.equal(r.status(), 'open');
    assert.equal(nextDeadline('open', r.context()), T0 + 300_000);
  });

  test('a quote left pending past its validity when the RFQ reopens expires at its TICK (no deadline stays due)', () => {
    const r = driveRfq();
    r.send(submit(T0, 'mm-1', 'q1', 40_000, 1_000));
    r.send(submit(T0 + 500, 'mm-2', 'q2', 40_000, 60_000));
    // q1 is past validity but not yet ticked; withdrawing q2 leaves no live quote: back to open.
    r.send({ type: 'QUOTE.WITHDRAW', at: T0 + 2_000, mmId: 'mm-2', quoteId: 'q2', reason: 'withdrawn' });
    assert.equal(r.status(), 'open');
    assert.equal(nextDeadline('open', r.context()), T0 + 1_000);
    r.send({ type: 'TICK', at: T0 + 1_000 });
    assert.equal(r.context().quotes[0]?.status, 'expired');
    assert.equal(nextDeadline('open', r.context()), T0 + 300_000);
  });

  test('a TICK before any deadline is refused', () => {
    const r = driveRfq();
    assert.equal(
      inputError('open', r.context(), { type: 'TICK', at: T0 + 299_999 })?.code,
      'INVALID_TRANSITION',
    );
    r.send({ type: 'TICK', at: T0 + 299_999 });
    assert.equal(r.status(), 'open');
  });

  for (const withQuote of [false, true]) {
    test(`${withQuote ? 'quoted' : 'open'} → expired at the RFQ's expiry, pending quotes expire with it`, () => {
      const r = driveRfq();
      if (withQuote) r.send(submit(T0 + 1, 'mm-1', 'q1', 40_000, 3_600_000));
      r.clear();
      r.send({ type: 'TICK', at: T0 + 300_000 });
      assert.equal(r.status(), 'expired');
      assert.equal(r.context().endReason, 'rfq_expired');
      assert.deepEqual(r.types(), [...(withQuote ? ['quote.expired'] : []), 'rfq.expired', 'rfq.status']);
    });

    test(`${withQuote ? 'quoted' : 'open'} → cancelled by its owner only`, () => {
      const r = driveRfq();
      if (withQuote) r.send(submit(T0 + 1, 'mm-1', 'q1'));
      const status = r.status();
      const byOther = { type: 'CANCEL', at: T0 + 5, userId: 'user-2', reason: 'user_cancelled' } as const;
      assert.equal(inputError(status, r.context(), byOther)?.code, 'FORBIDDEN');
      r.send(byOther);
      assert.equal(r.status(), status);
      r.send({ ...byOther, userId: 'user-1' });
      assert.equal(r.status(), 'cancelled');
      if (withQuote) assert.equal(r.context().quotes[0]?.status, 'rejected');
    });
  }

  test('quotes arriving at or after the RFQ expiry are RFQ_EXPIRED', () => {
    const r = driveRfq();
    assert.equal(inputError('open', r.context(), submit(T0 + 300_000, 'mm-1', 'q1'))?.code, 'RFQ_EXPIRED');
    assert.equal(inputError('open', r.context(), submit(T0 + 299_999, 'mm-1', 'q1'))?.code, undefined);
  });
});

describe('accept', () => {
  test('quoted → accepted: other quotes rejected, confirm deadline = at + window', () => {
    const r = driveRfq();
    r.send(submit(T0 + 1, 'mm-1', 'q1', 40_000));
    r.send(submit(T0 + 2, 'mm-2', 'q2', 39_000));
    r.clear();
    r.send(accept(T0 + 10, 'q2'));
    assert.equal(r.status(), 'accepted');
    assert.equal(r.context().confirmDeadline, T0 + 5_010);
    assert.equal(r.context().acceptedQuoteId, 'q2');
    assert.deepEqual(
      r.context().quotes.map((q) => [q.id, q.status]),
      [
        ['q1', 'rejected'],
        ['q2', 'accepted'],
      ],
    );
    assert.deepEqual(r.types(), ['quote.accepted', 'quote.rejected', 'rfq.status']);
  });

  test('only the owner accepts, only a live quote, never after expiry', () => {
    const r = driveRfq();
    r.send(submit(T0 + 1, 'mm-1', 'q1', 40_000, 10_000));
    r.send(submit(T0 + 1, 'mm-2', 'q2', 40_000, 60_000));
    r.send({ type: 'QUOTE.WITHDRAW', at: T0 + 2, mmId: 'mm-2', quoteId: 'q2', reason: 'withdrawn' });
    const c = r.context();
    assert.equal(inputError('quoted', c, accept(T0 + 5, 'q1', 'user-2'))?.code, 'FORBIDDEN');
    assert.equal(inputError('quoted', c, accept(T0 + 5, 'nope'))?.code, 'NOT_FOUND');
    assert.equal(inputError('quoted', c, accept(T0 + 10_001, 'q1'))?.code, 'QUOTE_EXPIRED');
    assert.equal(inputError('quoted', c, accept(T0 + 5, 'q2'))?.code, 'QUOTE_NOT_LIVE');
    assert.equal(inputError('quoted', c, accept(T0 + 300_000, 'q1'))?.code, 'RFQ_EXPIRED');
    assert.equal(inputError('quoted', c, accept(T0 + 9_999, 'q1')), null);
    for (const bad of [accept(T0 + 5, 'q1', 'user-2'), accept(T0 + 10_001, 'q1'), accept(T0 + 5, 'q2')]) {
      r.send(bad);
      assert.equal(r.status(), 'quoted');
    }
  });
});

describe('confirm and what follows', () => {
  test('accepted → confirmed by the quoting MM before the deadline', () => {
    const r = accepted();
    const other = { type: 'CONFIRM', at: T0 + 11, mmId: 'mm-2', quoteId: 'q1', collateralMicro: 1 } as const;
    assert.equal(inputError('accepted', r.context(), other)?.code, 'FORBIDDEN');
    const rejectedQuote = { ...other, quoteId: 'q2' };
    assert.equal(inputError('accepted', r.context(), rejectedQuote)?.code, 'QUOTE_NOT_ACCEPTED');
    const late = { ...other, mmId: 'mm-1', at: T0 + 5_010 };
    assert.equal(inputError('accepted', r.context(), late)?.code, 'CONFIRM_WINDOW_CLOSED');
    r.send(other);
    r.send(late);
    assert.equal(r.status(), 'accepted');
    r.clear();
    r.send({ ...other, mmId: 'mm-1', at: T0 + 5_009, collateralMicro: 42 });
    assert.equal(r.status(), 'confirmed');
    assert.equal(r.context().collateralMicro, 42);
    assert.deepEqual(r.types(), ['quote.confirmed', 'rfq.status']);
  });

  test('accepted → cancelled when the MM rejects (reason recorded)', () => {
    const r = accepted();
    r.send({ type: 'REJECT', at: T0 + 12, mmId: 'mm-1', quoteId: 'q1' });
    assert.equal(r.status(), 'cancelled');
    assert.equal(r.context().endReason, 'mm_rejected');
    assert.equal(r.context().quotes.find((q) => q.id === 'q1')?.status, 'rejected');
  });

  test('accepted → cancelled when the confirm deadline passes (reason recorded)', () => {
    const r = accepted();
    assert.equal(nextDeadline('accepted', r.context()), T0 + 5_010);
    r.send({ type: 'TICK', at: T0 + 5_009 });
    assert.equal(r.status(), 'accepted');
    r.clear();
    r.send({ type: 'TICK', at: T0 + 5_010 });
    assert.equal(r.status(), 'cancelled');
    assert.equal(r.context().endReason, 'confirm_timeout');
    assert.deepEqual(r.types(), ['quote.expired', 'rfq.cancelled', 'rfq.status']);
  });

  test('confirmed → executed with signature and position address', () => {
    const r = executed();
    assert.equal(r.status(), 'executed');
    assert.deepEqual(r.context().position, {
      address: 'PDA1',
      signature: 'SIG1',
      executedAt: T0 + 20,
      closeSignature: null,
    });
    assert.equal(r.context().quotes.find((q) => q.id === 'q1')?.status, 'executed');
    assert.equal(nextDeadline('executed', r.context()), null);
  });

  test('confirmed → cancelled when execution fails for good', () => {
    const r = accepted();
    r.send({ type: 'CONFIRM', at: T0 + 11, mmId: 'mm-1', quoteId: 'q1', collateralMicro: 1 });
    r.clear();
    r.send({ type: 'EXECUTION_FAILED', at: T0 + 30, reason: 'insufficient funds' });
    assert.equal(r.status(), 'cancelled');
    assert.equal(r.context().endReason, 'execution_failed: insufficient funds');
    assert.deepEqual(r.types(), ['position.cancelled', 'rfq.cancelled', 'rfq.status']);
  });

  test('executed → settled with outcome, payout, fee and signature; the outcome may be recorded first', () => {
    const r = executed();
    r.send({ type: 'OUTCOME', at: T0 + 100, outcome: 'win' });
    assert.equal(r.status(), 'executed');
    assert.equal(r.context().pendingOutcome, 'win');
    assert.equal(
      inputError('executed', r.context(), { type: 'OUTCOME', at: T0 + 101, outcome: 'loss' })?.code,
      'INVALID_TRANSITION',
    );
    r.send({
      type: 'SETTLED',
      at: T0 + 200,
      outcome: 'win',
      payoutMicro: 148_500_000,
      feeMicro: 1_500_000,
      signature: 'SIG2',
    });
    assert.equal(r.status(), 'settled');
    assert.equal(r.context().settlement?.payoutMicro, 148_500_000);
    assert.equal(r.context().position?.closeSignature, 'SIG2');
    assert.equal(r.context().pendingOutcome, null);
  });

  test('executed → cancelled when a leg is void (refund)', () => {
    const r = executed();
    r.send({ type: 'VOIDED', at: T0 + 200, signature: 'SIG3', reason: 'leg_void' });
    assert.equal(r.status(), 'cancelled');
    assert.equal(r.context().endReason, 'leg_void');
    assert.equal(r.context().position?.closeSignature, 'SIG3');
  });
});

describe('terminal states absorb every input', () => {
  const inputs = (at: number) =>
    [
      submit(at, 'mm-9', 'q9'),
      { type: 'QUOTE.WITHDRAW', at, mmId: 'mm-1', quoteId: 'q1', reason: 'withdrawn' },
      accept(at, 'q1'),
      { type: 'CONFIRM', at, mmId: 'mm-1', quoteId: 'q1', collateralMicro: 1 },
      { type: 'REJECT', at, mmId: 'mm-1', quoteId: 'q1' },
      { type: 'CANCEL', at, userId: 'user-1', reason: 'x' },
      { type: 'TICK', at },
      { type: 'EXECUTED', at, positionAddress: 'P', signature: 'S' },
      { type: 'EXECUTION_FAILED', at, reason: 'x' },
      { type: 'OUTCOME', at, outcome: 'win' },
      { type: 'SETTLED', at, outcome: 'win', payoutMicro: 1, feeMicro: 0, signature: 'S' },
      { type: 'VOIDED', at, signature: 'S', reason: 'x' },
    ] as const;

  const endings: Array<[RfqStatus, () => ReturnType<typeof driveRfq>]> = [
    [
      'expired',
      () => {
        const r = driveRfq();
        r.send({ type: 'TICK', at: T0 + 300_000 });
        return r;
      },
    ],
    [
      'cancelled',
      () => {
        const r = accepted();
        r.send({ type: 'REJECT', at: T0 + 12, mmId: 'mm-1', quoteId: 'q1' });
        return r;
      },
    ],
    [
      'settled',
      () => {
        const r = executed();
        r.send({
          type: 'SETTLED',
          at: T0 + 200,
          outcome: 'loss',
          payoutMicro: 0,
          feeMicro: 500_000,
          signature: 'S',
        });
        return r;
      },
    ],
  ];

  for (const [status, make] of endings) {
    test(status, () => {
      const r = make();
      assert.equal(r.status(), status);
      assert.equal(r.actor.getSnapshot().status, 'done');
      const before = r.persisted();
      r.clear();
      for (const input of inputs(T0 + 400_000)) r.send(input);
      assert.deepEqual(r.persisted(), before);
      assert.deepEqual(r.emitted, []);
    });
  }
});
