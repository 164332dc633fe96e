import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../engine/manualClock.ts';
import { MemoryFunds } from '../../engine/memoryFunds.ts';
import type { RfqStatus } from '../../machines/domain.ts';
import { type Harness, LEGS, makeEngine, must, T0 } from '../support/engineHarness.ts';

const bet = 50_000_000;

/** Drives a fresh engine to `status` and returns its store plus the ids and deadline involved. */
async function driveTo(status: RfqStatus) {
  const h = await makeEngine();
  h.funds.credit({ kind: 'user', id: 'user-1' }, 1e9);
  h.funds.credit({ kind: 'mm', id: 'mm-1' }, 1e9);
  const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet, ttlMs: 120_000 }));
  let deadline: number | null = rfq.expiresAt;
  let quoteId = '';
  if (status !== 'open') {
    const q = must(
      await h.engine.submitQuote('mm-1', {
        rfqId: rfq.id,
        oddsFp: 30_000,
        validForMs: 30_000,
        replace: false,
      }),
    );
    quoteId = q.quote.id;
    deadline = q.quote.validUntil;
  }
  if (status === 'accepted' || status === 'confirmed' || status === 'executed') {
    deadline = must(await h.engine.acceptQuote('user-1', rfq.id, quoteId)).rfq.confirmDeadline;
  }
  if (status === 'confirmed' || status === 'executed') {
    must(await h.engine.confirmQuote('mm-1', quoteId));
    deadline = null;
  }
  if (status === 'executed') {
    h.engine.positionExecuted(rfq.id, { positionAddress: 'PDA', signature: 'SIG' });
    await h.engine.flush();
  }
  await h.engine.stop();
  assert.equal(h.store.snapshots.get(rfq.id)?.value, status);
  return { store: h.store, rfqId: rfq.id, quoteId, deadline, seq: h.engine.lastSeq };
}

async function restart(store: Harness['store'], at: number) {
  return makeEngine({ store, clock: new ManualClock(at) });
}

const nextStatus: Partial<Record<RfqStatus, RfqStatus>> = {
  open: 'expired',
  quoted: 'open',
  accepted: 'cancelled',
};

describe('restore in every state', () => {
  for (const status of ['open', 'quoted', 'accepted', 'confirmed', 'executed'] as const) {
    test(`${status}: deadline ahead fires at its original time`, async () => {
      const before = await driveTo(status);
      const h = await restart(before.store, T0 + 1);
      assert.equal(h.engine.liveCount, 1);
      assert.equal((await h.engine.queries.getRfq(before.rfqId))?.status, status);
      assert.equal(h.engine.lastSeq, before.seq, 'the sequence resumes after the last durable event');
      if (before.deadline === null) return;
      h.clock.advanceTo(before.deadline - 1);
      await h.engine.flush();
      assert.equal((await h.engine.queries.getRfq(before.rfqId))?.status, status, 'not before');
      h.clock.advanceTo(before.deadline);
      await h.engine.flush();
      assert.equal((await h.engine.queries.getRfq(before.rfqId))?.status, nextStatus[status]);
      assert.equal(h.events[0]?.seq, before.seq + 1);
      assert.equal(h.events[0]?.at, before.deadline);
    });

    test(`${status}: deadline already past fires at once, stamped with its original time`, async () => {
      const before = await driveTo(status);
      const h = await restart(before.store, T0 + 10 * 3_600_000);
      await h.engine.flush();
      const view = await h.engine.queries.getRfq(before.rfqId);
      if (before.deadline === null) {
        assert.equal(view?.status, status, 'no deadline: nothing fires');
        return;
      }
      assert.equal(h.events[0]?.at, before.deadline);
      // quoted → open at the quote's expiry, and then the RFQ's own expiry is also past.
      assert.equal(view?.status, status === 'quoted' ? 'expired' : nextStatus[status]);
    });
  }

  test('a restored actor takes further commands normally', async () => {
    const before = await driveTo('accepted');
    const h = await restart(before.store, T0 + 1);
    h.funds.credit({ kind: 'mm', id: 'mm-1' }, 1e9);
    const confirmed = must(await h.engine.confirmQuote('mm-1', before.quoteId));
    assert.equal(confirmed.rfq.status, 'confirmed');
  });

  test('past deadlines of many RFQs fire in deadline order', async () => {
    const h = await makeEngine();
    const ids: string[] = [];
    for (const ttlMs of [90_000, 60_000, 75_000])
      ids.push(must(await h.engine.createRfq('u', { legs: LEGS, betMicro: bet, ttlMs })).id);
    await h.engine.stop();
    const after = await restart(h.store, T0 + 3_600_000);
    await after.engine.flush();
    const expired = after.events.filter((e) => e.type === 'rfq.expired');
    assert.deepEqual(
      expired.map((e) => e.rfqId),
      [ids[1], ids[2], ids[0]],
    );
    assert.deepEqual(
      expired.map((e) => e.at),
      [T0 + 60_000, T0 + 75_000, T0 + 90_000],
    );
  });
});

describe('what boot rebuilds besides actors', () => {
  test('reservations: an accepted RFQ holds the user stake again, a confirmed one the MM collateral too', async () => {
    const accepted = await driveTo('accepted');
    const confirmed = await driveTo('confirmed');
    for (const [before, mmReserved] of [
      [accepted, 0],
      [confirmed, 150_000_000 - 50_000_000],
    ] as const) {
      const funds = new MemoryFunds();
      funds.credit({ kind: 'user', id: 'user-1' }, 1e9);
      funds.credit({ kind: 'mm', id: 'mm-1' }, 1e9);
      await makeEngine({ store: before.store, clock: new ManualClock(T0 + 1), funds });
      assert.equal(funds.reservedBy({ kind: 'user', id: 'user-1' }), bet);
      assert.equal(funds.reservedBy({ kind: 'mm', id: 'mm-1' }), mmReserved);
    }
  });
});

describe('lazy restore', () => {
  test('restored RFQs are held as snapshots: reads do not create actors, a command creates exactly one', async () => {
    const h = await makeEngine();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet })).id);
    const q = must(await h.engine.submitQuote('mm-1', { rfqId: ids[0]!, oddsFp: 30_000, replace: false }));
    await h.engine.stop();

    const after = await restart(h.store, T0 + 1);
    assert.deepEqual(after.engine.stats(), { live: 5, heldAsSnapshots: 5, lastSeq: h.engine.lastSeq });
    assert.equal((await after.engine.queries.getRfq(ids[0]!))?.quotes[0]?.id, q.quote.id);
    assert.equal(after.engine.queries.openRfqs(null, { limit: 10 }).length, 5);
    assert.equal((await after.engine.queries.listUserRfqs('user-1', { limit: 10 })).items.length, 5);
    assert.equal(after.engine.stats().heldAsSnapshots, 5, 'reads leave them held');

    must(await after.engine.cancelRfq('user-1', ids[1]!));
    assert.equal(after.engine.stats().heldAsSnapshots, 4);
    assert.equal(after.engine.stats().live, 4, 'the cancelled one became an actor, ended and left');

    // A held RFQ whose deadline comes due becomes an actor and fires on time.
    after.clock.advanceTo(T0 + 60_000);
    await after.engine.flush();
    assert.equal(
      (await after.engine.queries.getRfq(ids[0]!))?.status,
      'open',
      'its quote expired at its own time',
    );
    assert.equal(after.events.find((e) => e.type === 'quote.expired')?.at, q.quote.validUntil);
  });
});
