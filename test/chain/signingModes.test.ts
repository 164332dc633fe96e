/**
 * Both signing modes on the embedded cluster. Owner-signed: the user and the MM sign every position
 * (the seed's flow). Delegated (the default once trading is enabled): one operator signature covers a
 * batch, within the caps each owner granted; outside them, or after the owner disabled trading, the
 * owners sign.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type PublicKey, TransactionMessage, VersionedTransaction } from '@solana/web3.js';
import type { LiteSvmCluster } from '../../chain/cluster/litesvmCluster.ts';
import { signNative } from '../../chain/keys.ts';
import { disableTradingInstruction } from '../../chain/program/instructions.ts';
import type { LocalCustody } from '../../chain/signers/localCustody.ts';
import { fund, makeWorld, mm, order, settle, user, type World } from './support/world.ts';

const USDC = 1_000_000;
const DAY = 24 * 3600;

/** Records every transaction the chain actor sends (the real send still runs). */
function spy(w: World): Array<{ label: string; tx: VersionedTransaction }> {
  const seen: Array<{ label: string; tx: VersionedTransaction }> = [];
  const send = w.chain.cluster.send.bind(w.chain.cluster);
  w.chain.cluster.send = (factory, label) =>
    send(async (blockhash) => {
      const tx = await factory(blockhash);
      seen.push({ label, tx });
      return tx;
    }, label);
  return seen;
}

const signers = (tx: VersionedTransaction) => tx.message.header.numRequiredSignatures;
const creates = (seen: Array<{ label: string; tx: VersionedTransaction }>) =>
  seen.filter((s) => s.label === 'create');

async function world(config: Parameters<typeof makeWorld>[0], users: number) {
  const w = await makeWorld(config);
  for (let i = 0; i < users; i++) await fund(w, user(`u${i}`), 100 * USDC);
  await fund(w, mm('m1'), 1_000 * USDC);
  return w;
}

describe('signing modes', () => {
  test('owner-signed: every position carries its user and MM signatures; no vault delegates', async () => {
    const w = await world({ signingMode: 'owner' }, 12);
    try {
      const seen = spy(w);
      const orders = Array.from({ length: 12 }, (_, i) =>
        order({ userId: `u${i}`, stakeMicro: USDC, riskMicro: 2 * USDC, collateralMicro: 2 * USDC }),
      );
      for (const o of orders) w.chain.executor.createPosition(o);
      await settle(w);
      assert.equal(w.sink.of('executed').length, 12);
      const txs = creates(seen);
      for (const { tx } of txs) {
        const positions = tx.message.compiledInstructions.length;
        assert.equal(signers(tx), 1 + positions + 1, 'fee payer + one user per position + the MM');
      }
      const perTx = txs.map((t) => t.tx.message.compiledInstructions.length);
      assert.ok(Math.max(...perTx) <= 5, `owner signatures leave room for few positions: ${perTx}`);
      const vault = await w.chain.vaults.get(user('u0'));
      assert.ok(vault.ok);
      assert.equal(vault.value.tradingEnabled, false);
      assert.equal(vault.value.delegation, null);
    } finally {
      await w.chain.close();
    }
  });

  test('delegated: one operator signature per batch, more positions per transaction', async () => {
    const w = await world({}, 12);
    try {
      const seen = spy(w);
      const orders = Array.from({ length: 12 }, (_, i) =>
        order({ userId: `u${i}`, stakeMicro: USDC, riskMicro: 2 * USDC, collateralMicro: 2 * USDC }),
      );
      for (const o of orders) w.chain.executor.createPosition(o);
      await settle(w);
      assert.equal(w.sink.of('executed').length, 12);
      const txs = creates(seen);
      assert.ok(
        txs.every(({ tx }) => signers(tx) === 1),
        'the operator alone',
      );
      const perTx = txs.map((t) => t.tx.message.compiledInstructions.length);
      assert.ok(Math.max(...perTx) >= 7, `delegation fits more: ${perTx}`);
      const vault = await w.chain.vaults.get(user('u0'));
      assert.ok(vault.ok);
      assert.equal(vault.value.delegation?.delegate, w.chain.info.operator);
      assert.equal(
        vault.value.delegation?.maxPerPositionMicro,
        w.chain.config.delegation.maxPerPositionMicro,
      );
    } finally {
      await w.chain.close();
    }
  });

  test('a lock above the per-position cap is signed by its owner; the other side stays delegated', async () => {
    const w = await world({ delegation: { maxPerPositionMicro: 5 * USDC } }, 1);
    try {
      const seen = spy(w);
      const o = order({
        userId: 'u0',
        stakeMicro: 10 * USDC,
        riskMicro: 3 * USDC,
        collateralMicro: 3 * USDC,
      });
      w.chain.executor.createPosition(o);
      await settle(w);
      assert.equal(w.sink.for(o.rfqId)[0]?.type, 'executed');
      const [create] = creates(seen);
      assert.ok(create);
      assert.equal(
        signers(create.tx),
        2,
        'fee payer + the user (stake over its cap); the MM (collateral within) delegated',
      );
      const userKey = w.chain.signer.knownKey(user('u0')) as PublicKey;
      assert.ok(create.tx.message.staticAccountKeys.slice(0, 2).some((k) => k.equals(userKey)));
    } finally {
      await w.chain.close();
    }
  });

  test('a delegation near its expiry is renewed before the next position; a disabled one is respected', async () => {
    const w = await world({ delegation: { ttlSeconds: 3 * DAY, renewBeforeSeconds: DAY } }, 1);
    try {
      const first = await w.chain.vaults.get(user('u0'));
      assert.ok(first.ok);
      const expiry = first.value.delegation?.expiresAt ?? 0;
      w.clock.advance(2.5 * DAY * 1000);
      const seen = spy(w);
      const o = order({ userId: 'u0' });
      w.chain.executor.createPosition(o);
      await settle(w);
      assert.equal(w.sink.for(o.rfqId)[0]?.type, 'executed');
      assert.ok(
        seen.some((s) => s.label === 'enable trading'),
        'renewed',
      );
      assert.equal(signers(creates(seen)[0]?.tx as VersionedTransaction), 1, 'then delegated as before');
      const renewed = await w.chain.vaults.get(user('u0'));
      assert.ok(renewed.ok);
      assert.ok((renewed.value.delegation?.expiresAt ?? 0) > expiry);

      assert.ok((await w.chain.vaults.disableTrading(user('u0'))).ok);
      seen.length = 0;
      const next = order({ userId: 'u0' });
      w.chain.executor.createPosition(next);
      await settle(w);
      assert.equal(w.sink.for(next.rfqId)[0]?.type, 'executed');
      assert.ok(!seen.some((s) => s.label === 'enable trading'), 'the owner’s choice stands');
      assert.equal(
        signers(creates(seen)[0]?.tx as VersionedTransaction),
        2,
        'the user signs its own position now',
      );
    } finally {
      await w.chain.close();
    }
  });

  test('a delegation revoked behind the cache is refused by the program; the position is retried owner-signed', async () => {
    const w = await world({}, 1);
    try {
      // The owner disables trading with another client: our cache still believes in the delegation.
      const owner = (w.chain.signer as LocalCustody).keypair(user('u0'));
      const programId = new (await import('@solana/web3.js')).PublicKey(w.chain.info.programId);
      (w.chain.cluster as LiteSvmCluster).ledger.airdrop(owner.publicKey, 1_000_000_000n);
      const revoked = await w.chain.cluster.send(async (blockhash) => {
        const message = new TransactionMessage({
          payerKey: owner.publicKey,
          recentBlockhash: blockhash,
          instructions: [disableTradingInstruction(programId, { owner: owner.publicKey })],
        }).compileToV0Message();
        const tx = new VersionedTransaction(message);
        signNative(tx, [owner]);
        return tx;
      }, 'outside');
      assert.ok(revoked.ok);
      const seen = spy(w);
      const o = order({ userId: 'u0' });
      w.chain.executor.createPosition(o);
      await settle(w);
      await w.chain.executor.flush();
      assert.equal(w.sink.for(o.rfqId)[0]?.type, 'executed');
      assert.deepEqual(
        creates(seen).map(({ tx }) => signers(tx)),
        [1, 2],
        'delegated first (refused), then signed by the user',
      );
    } finally {
      await w.chain.close();
    }
  });
});
