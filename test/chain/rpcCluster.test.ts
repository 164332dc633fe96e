/**
 * The JSON-RPC cluster over real HTTP, against a JSON-RPC facade over litesvm (support/rpcFacade.ts):
 * batches land with a compute budget, a dropped transaction is rebroadcast, one whose blockhash expired
 * unseen is re-signed, a preflight failure carries the program's reason, an unreachable node is a
 * transport failure.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ComputeBudgetProgram, PublicKey, TransactionMessage, VersionedTransaction } from '@solana/web3.js';
import type { LiteSvmCluster } from '../../chain/cluster/litesvmCluster.ts';
import { RpcCluster } from '../../chain/cluster/rpcCluster.ts';
import { type Chain, createChain } from '../../chain/createChain.ts';
import { NativeKeypair, signNative } from '../../chain/keys.ts';
import { silentLogger } from '../../engine/logger.ts';
import { ManualClock } from '../../engine/manualClock.ts';
import { systemClock } from '../../engine/ports/clock.ts';
import { RpcFacade } from './support/rpcFacade.ts';
import {
  fund,
  makeWorld,
  mm,
  order,
  RecordingSink,
  SEED,
  settleOrder,
  tempDir,
  user,
  type World,
} from './support/world.ts';

const USDC = 1_000_000;

describe('JSON-RPC cluster', () => {
  const tmp = tempDir();
  const feePayer = NativeKeypair.generate();
  let ledger: World;
  let facade: RpcFacade;
  let chain: Chain;
  const sink = new RecordingSink();

  before(async () => {
    const keyFile = tmp.path('fee-payer.json');
    writeFileSync(keyFile, JSON.stringify(feePayer.toJSON()));
    // The "validator": an embedded cluster whose ledger the facade serves; it funds the vaults.
    // On today's time, as the RPC side below (system clock) judges delegation expiries by it.
    ledger = await makeWorld({ feePayerKeypairPath: keyFile }, new ManualClock(Date.now()));
    for (const who of [user('u1'), user('u2'), user('u3')]) await fund(ledger, who, 100 * USDC);
    await fund(ledger, user('poor'), USDC);
    await fund(ledger, mm('m1'), 1_000 * USDC);
    facade = await RpcFacade.start((ledger.chain.cluster as LiteSvmCluster).ledger);
    chain = await createChain({
      config: {
        cluster: facade.url,
        programId: ledger.chain.info.programId,
        feePayerKeypairPath: keyFile,
        custodySeed: SEED,
        rpc: { pollMs: 2, rebroadcastMs: 10, maxResigns: 3, unitPriceMicroLamports: 1_000 },
      },
      logger: silentLogger(),
      clock: systemClock,
    });
    chain.executor.attach(sink);
  });
  after(async () => {
    await chain.close();
    await facade.close();
    await ledger.chain.close();
    tmp.remove();
  });

  test('boots from the chain: config, vaults, a lookup table created over RPC', () => {
    assert.equal(chain.info.mint, ledger.chain.info.mint);
    assert.equal(chain.info.treasury, ledger.chain.info.treasury);
    assert.equal(chain.info.lookupTables.length, 1);
    const key = chain.signer.knownKey(user('u1')) as PublicKey;
    assert.equal(chain.cache.get(key).balance, 100_000_000n, 'vault balances read at boot');
    assert.equal(chain.vaults.faucetAvailable, false, 'no faucet on a real cluster');
    assert.match(chain.explorerUrl('tx', 'S'), /cluster=custom&customUrl=http%3A%2F%2F127\.0\.0\.1/);
  });

  test('positions land in one transaction with a compute-unit limit and a priority fee', async () => {
    const orders = [order({ userId: 'u1' }), order({ userId: 'u2' }), order({ userId: 'u3' })];
    for (const o of orders) chain.executor.createPosition(o);
    await chain.executor.flush();
    const reports = orders.map((o) => sink.for(o.rfqId)[0]);
    assert.ok(
      reports.every((r) => r?.type === 'executed'),
      JSON.stringify(reports),
    );
    assert.equal(new Set(reports.map((r) => (r?.type === 'executed' ? r.signature : ''))).size, 1);
    const landed = facade.landed.at(-1) as VersionedTransaction;
    const programs = landed.message.compiledInstructions.map(
      (c) => landed.message.staticAccountKeys[c.programIdIndex],
    );
    assert.ok(
      programs[0]?.equals(ComputeBudgetProgram.programId) &&
        programs[1]?.equals(ComputeBudgetProgram.programId),
    );
    assert.equal(landed.message.addressTableLookups.length, 1, 'accounts loaded from the lookup table');
    const [position] = await ledger.chain.cluster.getAccounts([
      new PublicKey((reports[0] as { positionAddress: string }).positionAddress),
    ]);
    assert.ok(position, 'on the ledger');
  });

  test('a transaction the leader never saw is rebroadcast, same bytes, until it lands', async () => {
    facade.dropSends = 2;
    const from = facade.sends.length;
    const o = order({ userId: 'u1' });
    chain.executor.createPosition(o);
    await chain.executor.flush();
    assert.equal(sink.for(o.rfqId)[0]?.type, 'executed');
    const attempts = facade.sends.slice(from);
    assert.ok(attempts.length >= 3, `${attempts.length} sends`);
    assert.equal(new Set(attempts.map((a) => a.signature)).size, 1, 'rebroadcast, not re-signed');
  });

  test('a blockhash that expired unseen is replaced: the transaction is re-signed and lands', async () => {
    facade.dropSends = 1;
    facade.expireOnDrop = true;
    const from = facade.sends.length;
    const o = order({ userId: 'u2' });
    chain.executor.createPosition(o);
    await chain.executor.flush();
    facade.expireOnDrop = false;
    assert.equal(sink.for(o.rfqId)[0]?.type, 'executed');
    const attempts = facade.sends.slice(from);
    assert.ok(new Set(attempts.map((a) => a.blockhash)).size >= 2, 'a new blockhash');
    assert.ok(new Set(attempts.map((a) => a.signature)).size >= 2, 'new signatures');
  });

  test('a preflight failure fails the position with the program’s reason; settlement goes through RPC too', async () => {
    const bad = order({ userId: 'poor' });
    const good = order({ userId: 'u3' });
    chain.executor.createPosition(bad);
    chain.executor.createPosition(good);
    await chain.executor.flush();
    const failure = sink.for(bad.rfqId)[0];
    assert.equal(failure?.type, 'failed');
    assert.match(failure?.type === 'failed' ? failure.reason : '', /InsufficientFreeBalance/);
    assert.equal(sink.for(good.rfqId)[0]?.type, 'executed');
    chain.executor.settlePosition(settleOrder(good, 'win'));
    await chain.executor.flush();
    const settled = sink.for(good.rfqId)[1];
    assert.equal(settled?.type, 'settled');
    assert.equal(settled?.type === 'settled' && settled.payoutMicro, 39_700_000);
  });

  test('the faucet is refused off the embedded cluster', async () => {
    const r = await chain.vaults.faucet(user('u1'), USDC);
    assert.equal(r.ok ? '' : r.error.code, 'FORBIDDEN');
  });

  test('a node that does not answer is a transport failure', async () => {
    const dead = new RpcCluster(
      {
        url: 'http://127.0.0.1:9',
        commitment: 'confirmed',
        rebroadcastMs: 10,
        pollMs: 1,
        maxResigns: 1,
        skipPreflight: false,
        unitPriceMicroLamports: null,
        requestTimeoutMs: 500,
        maxTransportErrors: 3,
      },
      systemClock,
    );
    const outcome = await dead.send(async (blockhash) => {
      const message = new TransactionMessage({
        payerKey: feePayer.publicKey,
        recentBlockhash: blockhash,
        instructions: [],
      });
      const tx = new VersionedTransaction(message.compileToV0Message());
      signNative(tx, [feePayer]);
      return tx;
    }, 'probe');
    assert.equal(outcome.ok, false);
    assert.equal(outcome.ok ? '' : outcome.kind, 'transport');
  });
});
