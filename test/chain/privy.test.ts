/**
 * Privy custody with the real @privy-io/server-auth SDK against a local server that answers Privy's
 * documented wallet API (support/fakePrivy.ts), on the embedded cluster (signatures verified on chain).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PublicKey } from '@solana/web3.js';
import type { ChainConfigInput } from '../../chain/config.ts';
import { associatedTokenAddress } from '../../chain/program/associatedToken.ts';
import { authorizationKeyPair, FakePrivy } from './support/fakePrivy.ts';
import {
  fund,
  makeWorld,
  mm,
  order,
  settle,
  tempDir,
  tokenBalance,
  user,
  type World,
} from './support/world.ts';

const USDC = 1_000_000;
const APP_ID = 'app-parlay-test';
const APP_SECRET = 'secret-parlay-test';

describe('Privy server wallets', () => {
  const auth = authorizationKeyPair();
  const tmp = tempDir();
  let privy: FakePrivy;
  before(async () => {
    privy = await FakePrivy.start(APP_ID, APP_SECRET, auth.publicKey);
  });
  after(async () => {
    await privy.close();
    tmp.remove();
  });

  const config = (walletsFile: string, extra: ChainConfigInput = {}): ChainConfigInput => ({
    custody: 'privy',
    custodySeed: null,
    privy: {
      appId: APP_ID,
      appSecret: APP_SECRET,
      authorizationKey: auth.privateKey,
      apiUrl: privy.url,
      walletsFile,
    },
    ...extra,
  });

  async function funded(w: World) {
    await fund(w, user('u1'), 100 * USDC);
    await fund(w, mm('m1'), 1_000 * USDC);
  }

  test('owner-signed: Privy signs for the user and the MM of every position; the fee payer co-signs and sends', async () => {
    const w = await makeWorld(config(tmp.path('owner.json'), { signingMode: 'owner' }));
    try {
      await funded(w);
      const created = privy.calls.filter((c) => c.path === '/api/v1/wallets').length;
      assert.equal(created, 2, 'one server wallet per principal, created on first need');
      const before = privy.rpcCalls();
      const orders = [order(), order()];
      for (const o of orders) w.chain.executor.createPosition(o);
      await settle(w);
      for (const o of orders) assert.equal(w.sink.for(o.rfqId)[0]?.type, 'executed');
      const signatures = new Set(w.sink.of('executed').map((r) => r.signature));
      assert.equal(privy.rpcCalls() - before, 2 * signatures.size, 'user and MM, once per transaction');
    } finally {
      await w.chain.close();
    }
  });

  test('delegated: Privy signs once per owner to enable trading, never on the confirm path', async () => {
    const w = await makeWorld(config(tmp.path('delegated.json')));
    try {
      await funded(w);
      assert.equal(privy.rpcCalls('signTransaction') >= 2, true);
      const before = privy.rpcCalls();
      const orders = [order(), order(), order()];
      for (const o of orders) w.chain.executor.createPosition(o);
      await settle(w);
      for (const o of orders) assert.equal(w.sink.for(o.rfqId)[0]?.type, 'executed');
      assert.equal(privy.rpcCalls() - before, 0);
      const vault = await w.chain.vaults.get(user('u1'));
      assert.ok(vault.ok);
      const addresses = [...privy.wallets.values()].map((x) => x.key.publicKey.toBase58());
      assert.ok(addresses.includes(vault.value.owner), 'the vault belongs to the Privy wallet');
      assert.equal(vault.value.tradingEnabled, true);

      // A withdrawal is the owner's: Privy signs it (after one 429, retried with back-off).
      privy.failNext.push(429);
      const withdrawn = await w.chain.vaults.withdraw(user('u1'), 5 * USDC);
      assert.ok(withdrawn.ok, withdrawn.ok ? '' : withdrawn.error.code);
      const owner = w.chain.signer.knownKey(user('u1')) as PublicKey;
      const ata = associatedTokenAddress(owner, new PublicKey(w.chain.info.mint));
      assert.equal(await tokenBalance(w, ata), 5_000_000n);
      assert.equal(withdrawn.value.vault.walletMicro, 5 * USDC);
      assert.ok(privy.calls.some((c) => c.status === 429));
    } finally {
      await w.chain.close();
    }
  });

  test('the wallet directory survives a restart: known principals need no new wallet', async () => {
    const file = tmp.path('delegated.json');
    const w = await makeWorld(config(file));
    try {
      const before = privy.calls.filter((c) => c.path === '/api/v1/wallets').length;
      assert.ok(w.chain.signer.knownKey(user('u1')), 'known before any call');
      const vault = await w.chain.vaults.get(user('u1'));
      assert.ok(vault.ok);
      assert.equal(privy.calls.filter((c) => c.path === '/api/v1/wallets').length, before);
    } finally {
      await w.chain.close();
    }
  });

  test('a request Privy refuses (bad authorization signature) is SERVICE_UNAVAILABLE, not a crash', async () => {
    const stranger = authorizationKeyPair();
    const w = await makeWorld({
      ...config(tmp.path('stranger.json')),
      privy: {
        appId: APP_ID,
        appSecret: APP_SECRET,
        authorizationKey: stranger.privateKey,
        apiUrl: privy.url,
        walletsFile: tmp.path('stranger.json'),
      },
    });
    try {
      const result = await w.chain.vaults.faucet(user('x1'), USDC);
      assert.equal(result.ok, false);
      assert.equal(result.ok ? '' : result.error.code, 'SERVICE_UNAVAILABLE');
      assert.ok(privy.calls.some((c) => c.status === 401));
    } finally {
      await w.chain.close();
    }
  });
});
