/**
 * Restarts on the embedded cluster: the state file keeps vaults and positions; a process that dies with
 * positions sent, or still waiting in an open batch, never creates one twice — reconcile reports what
 * exists and sends the rest.
 */
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { PublicKey } from '@solana/web3.js';
import { POSITION_LAYOUT } from '../../chain/program/layout.ts';
import { ManualClock } from '../../engine/manualClock.ts';
import { MemoryStore } from '../../engine/memoryStore.ts';
import type { ChainResultSink } from '../../engine/ports/chain.ts';
import { LEGS, makeEngine, must } from '../support/engineHarness.ts';
import {
  fund,
  makeWorld,
  mm,
  order,
  SEED,
  settle,
  settleOrder,
  T0,
  tempDir,
  user,
  vaultTokens,
  type World,
} from './support/world.ts';

const USDC = 1_000_000;

async function positionCount(w: World): Promise<number> {
  const accounts = await w.chain.cluster.programAccounts(new PublicKey(w.chain.info.programId), {
    dataSize: POSITION_LAYOUT.size,
    kindByte: POSITION_LAYOUT.kind,
  });
  return accounts.length;
}

describe('restarts', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  test('the state file round trip keeps vaults, locks, positions and the dev keys', async () => {
    const stateFile = tmp.path('roundtrip.jsonl');
    const a = await makeWorld({ stateFile, custodySeed: null });
    await fund(a, user('u1'), 100 * USDC);
    await fund(a, mm('m1'), 500 * USDC);
    const kept = order();
    a.chain.executor.createPosition(kept);
    await settle(a);
    const before = {
      user: await vaultTokens(a, user('u1')),
      mm: await vaultTokens(a, mm('m1')),
      owner: a.chain.signer.knownKey(user('u1'))?.toBase58(),
      info: a.chain.info,
    };
    await a.chain.close();

    const b = await makeWorld({ stateFile, custodySeed: null }, new ManualClock(T0 + 60_000));
    try {
      assert.equal(b.chain.info.restored, true);
      assert.equal(b.chain.info.mint, before.info.mint, 'same test USDC mint');
      assert.equal(b.chain.info.operator, before.info.operator, 'same fee payer, kept in the state file');
      assert.equal(
        b.chain.signer.knownKey(user('u1'))?.toBase58(),
        before.owner,
        'same generated custody seed',
      );
      assert.equal(await vaultTokens(b, user('u1')), before.user);
      assert.equal(await vaultTokens(b, mm('m1')), before.mm);
      const vault = await b.chain.vaults.get(user('u1'));
      assert.ok(vault.ok);
      assert.equal(vault.value.stakeLockedMicro, kept.stakeMicro, 'the lock survived');
      assert.equal(await positionCount(b), 1);
      // The restored position settles normally.
      b.chain.executor.settlePosition(settleOrder(kept, 'win'));
      await settle(b);
      assert.equal(b.sink.for(kept.rfqId)[0]?.type, 'settled');
      assert.equal(await positionCount(b), 0);
    } finally {
      await b.chain.close();
    }
  });

  test('restart mid-batch: positions sent before the crash are reported, the one left in the open batch is sent once', async () => {
    const stateFile = tmp.path('crash.jsonl');
    const a = await makeWorld({ stateFile, custodySeed: SEED });
    await fund(a, user('u1'), 100 * USDC);
    await fund(a, mm('m1'), 500 * USDC);
    const sent = [order(), order()];
    for (const o of sent) a.chain.executor.createPosition(o);
    await settle(a);
    const signatures = sent.map((o) => {
      const r = a.sink.for(o.rfqId)[0];
      return r?.type === 'executed' ? r.signature : '';
    });
    const waiting = order();
    a.chain.executor.createPosition(waiting);
    await a.chain.executor.sent();
    assert.equal(a.sink.for(waiting.rfqId).length, 0, 'still in its window when the process dies');
    // The crash: no close(), no compaction; the engine never heard of any result.

    const b = await makeWorld({ stateFile, custodySeed: SEED }, new ManualClock(T0 + 5_000));
    try {
      await b.chain.executor.reconcile([...sent, waiting]);
      await settle(b);
      for (const [i, o] of sent.entries())
        assert.deepEqual(b.sink.for(o.rfqId), [
          {
            type: 'executed',
            rfqId: o.rfqId,
            positionAddress: reportOf(a, o.rfqId),
            signature: signatures[i],
          },
        ]);
      assert.equal(b.sink.for(waiting.rfqId)[0]?.type, 'executed');
      assert.equal(await positionCount(b), 3, 'no position created twice');
      const vault = await b.chain.vaults.get(user('u1'));
      assert.ok(vault.ok);
      assert.equal(vault.value.stakeLockedMicro, 3 * 10 * USDC);

      // The engine resending an order that exists changes nothing.
      b.chain.executor.createPosition(sent[0] as (typeof sent)[0]);
      await b.chain.executor.reconcile([waiting]);
      await settle(b);
      assert.equal(await positionCount(b), 3);
      assert.equal(b.sink.for(waiting.rfqId).length, 1, 'reported once');
    } finally {
      await b.chain.close();
    }
  });

  test('through the real engine: a crash after a confirm, with one position landed unheard and one never sent', async () => {
    const stateFile = tmp.path('engine.jsonl');
    const store = new MemoryStore();
    const clockA = new ManualClock(T0);
    const a = await makeWorld({ stateFile, custodySeed: SEED }, clockA);
    await fund(a, user('user-1'), 200 * USDC);
    await fund(a, mm('mm-1'), 1_000 * USDC);
    const engineA = await makeEngine({
      clock: clockA,
      store,
      deps: { chain: a.chain.executor, funds: a.chain.funds },
    });
    const confirm = async () => {
      const rfq = must(await engineA.engine.createRfq('user-1', { legs: LEGS, betMicro: 20 * USDC }));
      const q = must(
        await engineA.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp: 30_000, replace: false }),
      );
      must(await engineA.engine.acceptQuote('user-1', rfq.id, q.quote.id));
      must(await engineA.engine.confirmQuote('mm-1', q.quote.id));
      await engineA.engine.flush();
      return rfq.id;
    };
    const landed = await confirm();
    // The transaction lands, but the process dies before the engine hears of it.
    const deaf: ChainResultSink = {
      positionExecuted() {},
      executionFailed() {},
      positionSettled() {},
      positionCancelled() {},
    };
    a.chain.executor.attach(deaf);
    await settle(a);
    const unsent = await confirm(); // still in its batch window when the process dies
    await a.chain.executor.sent();

    const clockB = new ManualClock(T0 + 10_000);
    const b = await makeWorld({ stateFile, custodySeed: SEED }, clockB);
    try {
      const engineB = await makeEngine({
        clock: clockB,
        store,
        deps: { chain: b.chain.executor, funds: b.chain.funds },
      });
      await engineB.engine.flush();
      await settle(b);
      await engineB.engine.flush();
      for (const id of [landed, unsent])
        assert.equal((await engineB.engine.queries.getRfq(id))?.status, 'executed', id);
      assert.equal(await positionCount(b), 2, 'each position exactly once');
      const vault = await b.chain.vaults.get(user('user-1'));
      assert.ok(vault.ok);
      assert.deepEqual(
        { locked: vault.value.stakeLockedMicro, pending: vault.value.pendingMicro },
        { locked: 40 * USDC, pending: 0 },
        'both stakes locked on chain; the reservations rebuilt at boot were released',
      );
      await engineB.engine.stop();
    } finally {
      await b.chain.close();
    }
  });

  test('a torn last line (a crash mid-append) is ignored on load', async () => {
    const stateFile = tmp.path('torn.jsonl');
    const a = await makeWorld({ stateFile, custodySeed: SEED });
    await fund(a, user('u1'), 3 * USDC);
    const lines = readFileSync(stateFile, 'utf8').split('\n').length;
    appendFileSync(stateFile, '{"sig":"abc","accounts":[{"address":"');
    const b = await makeWorld({ stateFile, custodySeed: SEED });
    try {
      assert.equal(await vaultTokens(b, user('u1')), 3_000_000n);
      assert.ok(readFileSync(stateFile, 'utf8').split('\n').length < lines + 1, 'compacted on load');
    } finally {
      await b.chain.close();
    }
  });
});

function reportOf(w: World, rfqId: string): string {
  const r = w.sink.for(rfqId)[0];
  return r?.type === 'executed' ? r.positionAddress : '';
}
