import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../engine/manualClock.ts';
import { MemoryFunds } from '../../engine/memoryFunds.ts';
import type { RfqStatus } from '../../machines/domain.ts';
import { LEGS, must, T0 } from '../support/engineHarness.ts';
import { cleanup, engineOn, freshNames, type Names, openPersistence, redisState } from './support.ts';

const bet = 50_000_000;

function funded(): MemoryFunds {
  const funds = new MemoryFunds();
  funds.credit({ kind: 'user', id: 'user-1' }, 1e12);
  funds.credit({ kind: 'mm', id: 'mm-1' }, 1e12);
  return funds;
}

/** Drives one RFQ to `status` on real stores, then shuts engine and persistence down. */
async function driveTo(names: Names, status: RfqStatus) {
  const p = openPersistence(names);
  await p.start();
  const h = await engineOn(p, { funds: funded() });
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
  await p.stop();
  return { rfqId: rfq.id, quoteId, deadline, seq: h.engine.lastSeq };
}

async function restart(names: Names, at: number) {
  const p = openPersistence(names);
  await p.start();
  const h = await engineOn(p, { clock: new ManualClock(at), funds: funded() });
  return { p, h };
}

const nextStatus: Partial<Record<RfqStatus, RfqStatus>> = {
  open: 'expired',
  quoted: 'open',
  accepted: 'cancelled',
};

describe('restore from Redis in every state', () => {
  for (const status of ['open', 'quoted', 'accepted', 'confirmed', 'executed'] as const) {
    test(`${status}: deadline ahead fires at its original time; the record agrees`, async () => {
      const names = freshNames();
      try {
        const before = await driveTo(names, status);
        const { p, h } = await restart(names, T0 + 1);
        assert.equal(h.engine.liveCount, 1);
        assert.equal((await h.engine.queries.getRfq(before.rfqId))?.status, status);
        assert.equal(h.engine.lastSeq, before.seq, 'the sequence resumes after the last durable event');
        assert.deepEqual(
          await p.records.getRfq(before.rfqId),
          h.engine.queries.liveView(before.rfqId),
          'postgres holds what the actor holds',
        );
        if (before.deadline !== null) {
          h.clock.advanceTo(before.deadline - 1);
          await h.engine.flush();
          assert.equal((await h.engine.queries.getRfq(before.rfqId))?.status, status, 'not before');
          h.clock.advanceTo(before.deadline);
          await h.engine.flush();
          assert.equal((await h.engine.queries.getRfq(before.rfqId))?.status, nextStatus[status]);
          assert.equal(h.events[0]?.seq, before.seq + 1);
          assert.equal(h.events[0]?.at, before.deadline);
        }
        await h.engine.stop();
        await p.stop();
      } finally {
        await cleanup(names);
      }
    });

    test(`${status}: deadline already past fires at once, stamped with its original time`, async () => {
      const names = freshNames();
      try {
        const before = await driveTo(names, status);
        const { p, h } = await restart(names, T0 + 10 * 3_600_000);
        await h.engine.flush();
        const view = await h.engine.queries.getRfq(before.rfqId);
        if (before.deadline === null) assert.equal(view?.status, status, 'no deadline: nothing fires');
        else {
          assert.equal(h.events[0]?.at, before.deadline);
          assert.equal(view?.status, status === 'quoted' ? 'expired' : nextStatus[status]);
        }
        await h.engine.stop();
        await p.stop();
        if (before.deadline !== null) {
          const redis = await redisState(p, names.redisUrl);
          assert.equal(redis.snap[before.rfqId], undefined, 'an ended rfq leaves redis once postgres has it');
          assert.equal(redis.live.size, 0);
          assert.equal(redis.bufferedEvents, 0, 'the buffer is drained');
          const reopened = openPersistence(names);
          await reopened.start();
          assert.deepEqual(await reopened.records.getRfq(before.rfqId), view, 'the record has its end');
          await reopened.stop();
        }
      } finally {
        await cleanup(names);
      }
    });
  }

  test('past deadlines of many RFQs fire in deadline order after a restart', async () => {
    const names = freshNames();
    try {
      const p = openPersistence(names);
      await p.start();
      const h = await engineOn(p);
      const ids: string[] = [];
      for (const ttlMs of [90_000, 60_000, 75_000])
        ids.push(must(await h.engine.createRfq('u', { legs: LEGS, betMicro: bet, ttlMs })).id);
      await h.engine.stop();
      await p.stop();
      const after = await restart(names, T0 + 3_600_000);
      await after.h.engine.flush();
      const expired = after.h.events.filter((e) => e.type === 'rfq.expired');
      assert.deepEqual(
        expired.map((e) => e.rfqId),
        [ids[1], ids[2], ids[0]],
      );
      assert.deepEqual(
        expired.map((e) => e.at),
        [T0 + 60_000, T0 + 75_000, T0 + 90_000],
      );
      await after.h.engine.stop();
      await after.p.stop();
    } finally {
      await cleanup(names);
    }
  });
});

describe('Redis came back empty', () => {
  test('live RFQs are rebuilt from the Postgres event log, exactly, and written back to Redis', async () => {
    const names = freshNames();
    try {
      const p = openPersistence(names);
      await p.start();
      const h = await engineOn(p, { funds: funded() });
      const created = [];
      for (let i = 0; i < 7; i++)
        created.push(must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet, ttlMs: 600_000 })));
      const [open, quoted, replaced, accepted, confirmed, executed, cancelled] = created.map(
        (r) => r.id,
      ) as string[];
      const quote = async (rfqId: string, mmId = 'mm-1', validForMs = 300_000) =>
        must(await h.engine.submitQuote(mmId, { rfqId, oddsFp: 25_000, validForMs, replace: true })).quote.id;
      await quote(quoted as string);
      await quote(quoted as string, 'mm-2', 1_000);
      await quote(replaced as string);
      await quote(replaced as string);
      for (const id of [accepted, confirmed, executed] as string[]) {
        const q = await quote(id);
        await quote(id, 'mm-2');
        must(await h.engine.acceptQuote('user-1', id, q));
        if (id !== accepted) must(await h.engine.confirmQuote('mm-1', q));
      }
      h.engine.positionExecuted(executed as string, { positionAddress: 'PDA1', signature: 'SIG1' });
      h.engine.resolve(executed as string, 'win');
      await h.engine.flush();
      must(await h.engine.cancelRfq('user-1', cancelled as string));
      h.clock.advance(1_000); // mm-2's short quote on `quoted` expires on its own
      await h.engine.flush();
      const seq = h.engine.lastSeq;
      const views = new Map(created.map((r) => [r.id, h.engine.queries.liveView(r.id)]));
      await h.engine.stop();
      await p.stop();

      const redisBefore = await redisState(p, names.redisUrl);
      assert.equal(redisBefore.live.size, 6);
      const wipe = (await import('ioredis')).Redis;
      const r = new wipe(names.redisUrl);
      await r.del(...Object.values(p.keys));
      r.disconnect();

      const after = await restart(names, T0 + 2_000);
      assert.equal(after.p.snapshots.lastLoad.rebuiltFromRecord, true);
      assert.equal(after.h.engine.liveCount, 6, 'the cancelled rfq is not live');
      assert.equal(after.h.engine.lastSeq, seq);
      for (const id of [open, quoted, replaced, accepted, confirmed, executed] as string[]) {
        assert.deepEqual(after.h.engine.queries.liveView(id), views.get(id), `rfq ${id} rebuilt exactly`);
      }
      const reseeded = await redisState(after.p, names.redisUrl);
      for (const id of [open, quoted, replaced, accepted, confirmed, executed] as string[])
        assert.deepEqual(
          JSON.parse(reseeded.snap[id] as string),
          JSON.parse(redisBefore.snap[id] as string),
          'the folded snapshot is the one the actor had persisted',
        );
      assert.deepEqual(reseeded.live, redisBefore.live, 'the live index is written back with its deadlines');
      assert.equal(reseeded.seq, seq);
      await after.h.engine.stop();
      await after.p.stop();
    } finally {
      await cleanup(names);
    }
  });
});
