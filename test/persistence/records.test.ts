import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../engine/manualClock.ts';
import { MemoryFunds } from '../../engine/memoryFunds.ts';
import { MemoryIdentity } from '../../engine/memoryIdentity.ts';
import type { ApiKeyRecord } from '../../engine/ports/identity.ts';
import type { Page } from '../../engine/ports/store.ts';
import type { PositionView } from '../../machines/domain.ts';
import { DuplicateApiKeyError } from '../../persistence/errors.ts';
import { type Harness, LEGS, makeEngine, must, T0 } from '../support/engineHarness.ts';
import { cleanup, engineOn, freshNames, openPersistence } from './support.ts';

const bet = 30_000_000;

function twinDeps() {
  let n = 0;
  const funds = new MemoryFunds();
  for (const id of ['user-a', 'user-b']) funds.credit({ kind: 'user', id }, 1e12);
  for (const id of ['mm-1', 'mm-2', 'mm-3']) funds.credit({ kind: 'mm', id }, 1e12);
  // Ids that sort differently from creation order, so the id tie-break is exercised.
  return { funds, newId: () => `id-${String((++n * 7919) % 1000).padStart(3, '0')}` };
}

/** The same commands, at the same times, on any engine: ends with RFQs in every status. */
async function drive(h: Harness): Promise<void> {
  const e = h.engine;
  const ids: string[] = [];
  for (let i = 0; i < 14; i++) {
    // Pairs share a creation instant: pages must split ties by id.
    if (i % 2 === 0) h.clock.advance(10);
    ids.push(
      must(
        await e.createRfq(i % 3 === 0 ? 'user-b' : 'user-a', { legs: LEGS, betMicro: bet, ttlMs: 120_000 }),
      ).id,
    );
  }
  const quotes: string[] = [];
  for (const [i, rfqId] of ids.entries()) {
    if (i < 2) continue; // two stay open
    for (const mm of ['mm-1', 'mm-2', 'mm-3'].slice(0, 1 + (i % 3)))
      quotes[i] = must(
        await e.submitQuote(mm, { rfqId, oddsFp: 20_000 + i * 1_000, validForMs: 60_000, replace: true }),
      ).quote.id;
  }
  const at = (i: number) => ids[i] as string;
  const q = (i: number) => quotes[i] as string;
  for (const i of [4, 5, 6, 7, 8, 9])
    must(await e.acceptQuote(i % 3 === 0 ? 'user-b' : 'user-a', at(i), q(i)));
  for (const i of [5, 6, 7, 8]) must(await e.confirmQuote(mmOf(i), q(i)));
  must(await e.rejectQuote(mmOf(9), q(9)));
  for (const i of [6, 7, 8])
    e.positionExecuted(at(i), { positionAddress: `PDA-${i}`, signature: `SIG-${i}` });
  await e.flush();
  e.resolve(at(7), 'win');
  e.positionSettled(at(7), {
    outcome: 'win',
    payoutMicro: 55_000_000,
    feeMicro: 250_000,
    signature: 'SET-7',
  });
  e.positionCancelled(at(8), { signature: 'VOID-8', reason: 'leg_void' });
  must(await e.cancelRfq('user-a', at(10)));
  h.clock.advance(61_000); // quotes of 11–13 expire; 2–3 go back to open
  await e.flush();
  must(await e.submitQuote('mm-1', { rfqId: at(12), oddsFp: 30_000, validForMs: 5_000, replace: false }));
  h.clock.advance(60_000); // RFQs still open or quoted expire
  await e.flush();
}

const mmOf = (i: number) => ['mm-1', 'mm-2', 'mm-3'][i % 3] as string;

async function allPages<T>(fetch: (cursor?: string) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await fetch(cursor);
    items.push(...page.items);
    if (!page.cursor) return items;
    cursor = page.cursor;
  }
  throw new Error('pagination did not end');
}

describe('PostgresRecordStore answers as MemoryStore does', () => {
  test('getRfq, rfqIdOfQuote, user RFQs and MM quotes by status, paginated', async () => {
    const names = freshNames();
    try {
      const memory = await makeEngine({ clock: new ManualClock(T0), ...withDeps(twinDeps()) });
      await drive(memory);
      const p = openPersistence(names);
      await p.start();
      const twin = twinDeps();
      const real = await engineOn(p, { funds: twin.funds, deps: { newId: twin.newId } });
      await drive(real);
      await real.engine.stop();
      await p.writer.flush();
      assert.equal(real.engine.lastSeq, memory.engine.lastSeq, 'the twins did the same');

      for (const rfqId of memory.store.snapshots.keys()) {
        assert.deepEqual(await p.records.getRfq(rfqId), await memory.store.getRfq(rfqId), `rfq ${rfqId}`);
        const view = await memory.store.getRfq(rfqId);
        for (const quote of view?.quotes ?? []) assert.equal(await p.records.rfqIdOfQuote(quote.id), rfqId);
      }
      assert.equal(await p.records.getRfq('nope'), null);
      assert.equal(await p.records.rfqIdOfQuote('nope'), null);
      const statuses = [undefined, 'open', 'expired', 'cancelled', 'settled', 'executed'] as const;
      for (const userId of ['user-a', 'user-b'])
        for (const status of statuses) {
          const query = (cursor?: string) => ({
            limit: 3,
            ...(status ? { status } : {}),
            ...(cursor ? { cursor } : {}),
          });
          const expected = await allPages((c) => memory.store.listUserRfqs(userId, query(c)));
          const actual = await allPages((c) => p.records.listUserRfqs(userId, query(c)));
          assert.deepEqual(actual, expected, `${userId} ${status ?? 'all'}`);
        }
      for (const mmId of ['mm-1', 'mm-2', 'mm-3'])
        for (const status of [undefined, 'withdrawn', 'expired', 'rejected', 'executed'] as const) {
          const query = (cursor?: string) => ({
            limit: 2,
            ...(status ? { status } : {}),
            ...(cursor ? { cursor } : {}),
          });
          const expected = await allPages((c) => memory.store.listMmQuotes(mmId, query(c)));
          const actual = await allPages((c) => p.records.listMmQuotes(mmId, query(c)));
          assert.deepEqual(actual, expected, `${mmId} ${status ?? 'all'}`);
        }
      // rfq 6 → mm-1 executed, 7 → mm-2 settled (win), 8 → mm-3 voided.
      const summary = async (mmId: string, status?: PositionView['status']) =>
        (
          await allPages((c) =>
            p.records.listMmPositions(mmId, {
              limit: 1,
              ...(status ? { status } : {}),
              ...(c ? { cursor: c } : {}),
            }),
          )
        ).map((x) => [x.positionAddress, x.status, x.settlement?.signature ?? x.closeSignature]);
      assert.deepEqual(await summary('mm-1'), [['PDA-6', 'active', null]]);
      assert.deepEqual(await summary('mm-2'), [['PDA-7', 'settled_win', 'SET-7']]);
      assert.deepEqual(await summary('mm-3'), [['PDA-8', 'cancelled', 'VOID-8']]);
      assert.deepEqual(await summary('mm-2', 'active'), []);
      const [won] = (await p.records.listMmPositions('mm-2', { limit: 5, status: 'settled_win' })).items;
      assert.equal(won?.settlement?.payoutMicro, 55_000_000);
      assert.equal(won?.stakeMicro, bet);
      assert.equal(won?.mmRiskMicro, 51_000_000, 'odds 2.7 on a 30 USDC stake: the MM risks 51 USDC');
      assert.equal(won?.rfqId, memoryId(memory, 'PDA-7'));
      await p.stop();
    } finally {
      await cleanup(names);
    }
  });
});

function withDeps(deps: ReturnType<typeof twinDeps>) {
  return { funds: deps.funds, deps: { newId: deps.newId } };
}

function memoryId(h: Harness, address: string): string {
  for (const [id, s] of h.store.snapshots) if (s.context.position?.address === address) return id;
  throw new Error(`no rfq with position ${address}`);
}

describe('PostgresIdentityStore behaves as MemoryIdentity', () => {
  test('create, find, list, revoke; duplicates refused', async () => {
    const names = freshNames();
    try {
      const p = openPersistence(names);
      await p.start();
      const memory = new MemoryIdentity();
      const key = (n: number, kind: 'user' | 'mm', id: string): ApiKeyRecord => ({
        principal: { kind, id },
        keyHash: n.toString(16).padStart(64, '0'),
        keyPrefix: `api_live_${n}`,
        label: n % 2 ? `key ${n}` : null,
        signingPublicKey: kind === 'mm' ? `Ed25519Pub${n}` : null,
        createdAt: T0 + n,
        revokedAt: null,
      });
      const records = [key(1, 'user', 'u1'), key(2, 'user', 'u1'), key(3, 'mm', 'm1'), key(4, 'mm', 'm2')];
      for (const r of records) {
        await memory.createKey(r);
        await p.identity.createKey(r);
      }
      await assert.rejects(p.identity.createKey(records[0] as ApiKeyRecord), DuplicateApiKeyError);
      await memory.revokeKey(records[1]?.keyHash as string, T0 + 100);
      await p.identity.revokeKey(records[1]?.keyHash as string, T0 + 100);
      for (const r of records)
        assert.deepEqual(await p.identity.findByKeyHash(r.keyHash), await memory.findByKeyHash(r.keyHash));
      assert.equal(
        await p.identity.findByKeyHash(records[1]?.keyHash as string),
        null,
        'revoked keys do not authenticate',
      );
      for (const principal of [
        { kind: 'user', id: 'u1' },
        { kind: 'mm', id: 'm1' },
        { kind: 'mm', id: 'nobody' },
      ] as const)
        assert.deepEqual(await p.identity.listKeys(principal), await memory.listKeys(principal));
      await p.stop();
    } finally {
      await cleanup(names);
    }
  });
});
