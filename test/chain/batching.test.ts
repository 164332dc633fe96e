/**
 * The chain actor batches position creation on the embedded cluster (the real program through the real
 * loader): a window, a size limit, one bad position that does not sink the others.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PublicKey } from '@solana/web3.js';
import { decodePosition, decodeVault } from '../../chain/program/layout.ts';
import { vaultPda } from '../../chain/program/pda.ts';
import { PACKET_DATA_SIZE } from '../../chain/txSize.ts';
import { fund, makeWorld, mm, order, settle, user, type World } from './support/world.ts';

const USDC = 1_000_000;

async function positionAccount(w: World, address: string) {
  const [account] = await w.chain.cluster.getAccounts([new PublicKey(address)]);
  return account ? decodePosition(account.data) : null;
}

async function spySizes(w: World): Promise<number[]> {
  const sizes: number[] = [];
  const cluster = w.chain.cluster;
  const send = cluster.send.bind(cluster);
  cluster.send = (factory, label) =>
    send(async (blockhash) => {
      const tx = await factory(blockhash);
      sizes.push(tx.serialize().length);
      return tx;
    }, label);
  return sizes;
}

describe('batching on the embedded cluster', () => {
  let w: World;
  before(async () => {
    w = await makeWorld();
    for (let i = 0; i < 24; i++) await fund(w, user(`u${i}`), 100 * USDC);
    await fund(w, mm('m1'), 10_000 * USDC);
  });
  after(() => w.chain.close());

  test('positions arriving within the window share one transaction; nothing is sent before it ends', async () => {
    const orders = [0, 1, 2].map((i) => order({ userId: `u${i}` }));
    for (const o of orders) w.chain.executor.createPosition(o);
    await w.chain.executor.sent();
    assert.equal(w.sink.reports.length, 0, 'the window is still open');
    w.clock.advance(w.chain.config.batch.windowMs - 1);
    await w.chain.executor.sent();
    assert.equal(w.sink.reports.length, 0, 'one millisecond early');
    await settle(w);
    const executed = w.sink.of('executed');
    assert.deepEqual(
      executed.map((r) => r.rfqId),
      orders.map((o) => o.rfqId),
    );
    assert.equal(new Set(executed.map((r) => r.signature)).size, 1, 'one transaction');
    for (const r of executed) {
      const position = await positionAccount(w, r.positionAddress);
      assert.equal(position?.status, 'active');
      assert.equal(position?.stake, 10_000_000n);
      assert.equal(position?.collateral, 30_000_000n);
    }
    const key = w.chain.signer.knownKey(mm('m1')) as PublicKey;
    const [vault] = await w.chain.cluster.getAccounts([
      vaultPda(new PublicKey(w.chain.info.programId), key).address,
    ]);
    assert.equal(decodeVault(vault?.data as Uint8Array).collateralLocked, 90_000_000n);
    assert.equal(w.chain.cache.get(key).collateralLocked, 90_000_000n, 'the cache holds the new lock');
  });

  test('a batch closes as soon as the next position would not fit, without waiting for the window', async () => {
    const sizes = await spySizes(w);
    const before = w.sink.reports.length;
    const orders = Array.from({ length: 20 }, (_, i) =>
      order({ userId: `u${i}`, stakeMicro: 1 * USDC, riskMicro: 2 * USDC, collateralMicro: 2 * USDC }),
    );
    for (const o of orders) w.chain.executor.createPosition(o);
    await w.chain.executor.sent();
    const early = w.sink.reports.slice(before);
    const bySignature = new Map<string, number>();
    for (const r of early)
      if (r.type === 'executed') bySignature.set(r.signature, (bySignature.get(r.signature) ?? 0) + 1);
    const groups = [...bySignature.values()];
    assert.equal(
      early.length,
      groups.reduce((a, b) => a + b, 0),
      'nothing failed',
    );
    assert.ok(groups.length >= 2, 'full transactions left before the window ended');
    const full = groups[0] as number;
    assert.ok(full >= 6, `a delegated v0 transaction with a lookup table holds ${full} positions`);
    assert.ok(
      groups.every((n) => n === full),
      `every closed batch was full: ${groups}`,
    );
    assert.ok(
      sizes.every((s) => s <= PACKET_DATA_SIZE),
      `sizes ${sizes}`,
    );
    assert.ok(early.length < orders.length, 'the last, partial batch waits for its window');
    await settle(w);
    for (const o of orders) assert.equal(w.sink.for(o.rfqId)[0]?.type, 'executed');
  });

  test('one bad position does not sink the batch: the others land together, it is retried alone and fails with the reason', async () => {
    await fund(w, user('poor'), 1 * USDC);
    const good = [order({ userId: 'u20' }), order({ userId: 'u21' }), order({ userId: 'u22' })];
    const bad = order({ userId: 'poor' });
    const sizes = await spySizes(w);
    for (const o of [good[0], bad, good[1], good[2]]) w.chain.executor.createPosition(o as (typeof good)[0]);
    await settle(w);
    await w.chain.executor.flush();
    const executed = good.map((o) => w.sink.for(o.rfqId));
    for (const reports of executed) assert.equal(reports[0]?.type, 'executed');
    const signatures = new Set(executed.map((r) => (r[0]?.type === 'executed' ? r[0].signature : '')));
    assert.equal(signatures.size, 1, 'the three good ones landed in one transaction');
    const failure = w.sink.for(bad.rfqId);
    assert.equal(failure.length, 1);
    assert.equal(failure[0]?.type, 'failed');
    assert.match(failure[0]?.type === 'failed' ? failure[0].reason : '', /InsufficientFreeBalance \(6015/);
    assert.equal(sizes.length, 3, 'the batch, the others together again, the bad one alone');
    const poorKey = w.chain.signer.knownKey(user('poor')) as PublicKey;
    assert.equal(w.chain.cache.get(poorKey).stakeLocked, 0n);
  });

  test('maxPerTx 1 sends one transaction per position', async () => {
    const one = await makeWorld({ batch: { maxPerTx: 1 } });
    try {
      await fund(one, user('u1'), 100 * USDC);
      await fund(one, mm('m1'), 1000 * USDC);
      const orders = [order(), order(), order()];
      for (const o of orders) one.chain.executor.createPosition(o);
      await one.chain.executor.sent();
      const signatures = one.sink.of('executed').map((r) => r.signature);
      assert.equal(signatures.length, 3, 'sent without waiting for any window');
      assert.equal(new Set(signatures).size, 3);
    } finally {
      await one.chain.close();
    }
  });

  test('an order repeated while queued is sent once', async () => {
    const o = order({ userId: 'u23' });
    w.chain.executor.createPosition(o);
    w.chain.executor.createPosition(o);
    await settle(w);
    assert.deepEqual(
      w.sink.for(o.rfqId).map((r) => r.type),
      ['executed'],
    );
  });
});
