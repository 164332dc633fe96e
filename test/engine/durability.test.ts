import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStore } from '../../engine/memoryStore.ts';
import type { CommitBatch } from '../../engine/ports/store.ts';
import { codeOf, LEGS, makeEngine, must } from '../support/engineHarness.ts';

/** A memory store whose writes can be made to fail, as Redis does when it goes away mid-flight. */
class FlakyStore extends MemoryStore {
  down = false;
  failWrites = 0;
  override get available(): boolean {
    return !this.down;
  }
  override async commit(batch: CommitBatch): Promise<void> {
    if (this.failWrites > 0) {
      this.failWrites--;
      throw new Error('connection reset');
    }
    return super.commit(batch);
  }
}

const bet = 50_000_000;

test('one event-loop turn is one commit: concurrent commands share a batch, acks wait for it', async () => {
  const h = await makeEngine();
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => h.engine.createRfq(`user-${i}`, { legs: LEGS, betMicro: bet })),
  );
  assert.ok(results.every((r) => r.ok));
  assert.equal(h.store.commits, 1);
  assert.equal(h.store.snapshots.size, 20);
  assert.equal(h.store.events.length, 20);
});

test('while the store is unavailable, commands are refused with SERVICE_UNAVAILABLE and nothing changes', async () => {
  const store = new FlakyStore();
  const h = await makeEngine({ store, snapshotStore: store });
  const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
  store.down = true;
  assert.equal(
    codeOf(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet })),
    'SERVICE_UNAVAILABLE',
  );
  assert.equal(
    codeOf(await h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp: 20_000, replace: false })),
    'SERVICE_UNAVAILABLE',
  );
  assert.equal(codeOf(await h.engine.cancelRfq('user-1', rfq.id)), 'SERVICE_UNAVAILABLE');
  assert.equal(h.engine.liveCount, 1);
  assert.equal((await h.engine.queries.getRfq(rfq.id))?.status, 'open');
  store.down = false;
  must(await h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp: 20_000, replace: false }));
});

test('a failed write undoes the whole batch: actors, sequence, reservations; callers are never acked', async () => {
  const store = new FlakyStore();
  const h = await makeEngine({ store, snapshotStore: store });
  h.funds.credit({ kind: 'user', id: 'user-1' }, bet);
  const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
  const q = must(await h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp: 20_000, replace: false }));
  const seqBefore = h.engine.lastSeq;
  const published = h.events.length;

  store.failWrites = 1;
  const [accept, other] = await Promise.all([
    h.engine.acceptQuote('user-1', rfq.id, q.quote.id),
    h.engine.createRfq('user-2', { legs: LEGS, betMicro: bet }),
  ]);
  assert.equal(codeOf(accept), 'SERVICE_UNAVAILABLE');
  assert.equal(codeOf(other), 'SERVICE_UNAVAILABLE');
  assert.equal((await h.engine.queries.getRfq(rfq.id))?.status, 'quoted', 'rolled back');
  assert.equal(h.engine.liveCount, 1, 'the RFQ created in the failed batch is gone');
  assert.equal(h.engine.lastSeq, seqBefore, 'the sequence rewinds: no gap');
  assert.equal(h.events.length, published, 'nothing from the failed batch was published');
  assert.equal(h.funds.reservedBy({ kind: 'user', id: 'user-1' }), 0, 'the reservation is compensated');

  // The engine backs off briefly, then goes on.
  h.clock.advance(1_000);
  const retried = must(await h.engine.acceptQuote('user-1', rfq.id, q.quote.id));
  assert.equal(retried.rfq.status, 'accepted');
  assert.equal(h.events.at(-1)?.seq, seqBefore + 2, 'quote.accepted and rfq.status follow on without a gap');
});

test('a deadline that cannot be made durable fires later, still at its own time', async () => {
  const store = new FlakyStore();
  const h = await makeEngine({ store, snapshotStore: store });
  const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet, ttlMs: 60_000 }));
  store.down = true;
  h.clock.advance(60_000);
  await h.engine.flush();
  assert.equal((await h.engine.queries.getRfq(rfq.id))?.status, 'open');
  store.down = false;
  h.clock.advance(1_000);
  await h.engine.flush();
  const ended = await h.engine.queries.getRfq(rfq.id);
  assert.equal(ended?.status, 'expired');
  assert.equal(h.events.find((e) => e.type === 'rfq.expired')?.at, rfq.expiresAt);
});
