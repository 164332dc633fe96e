/**
 * The vault service and the funds gate on the embedded cluster: faucet, deposit, withdraw with typed
 * errors; free = balance − locked − pending, where pending includes withdrawals in flight.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Keypair, PublicKey } from '@solana/web3.js';
import { associatedTokenAddress } from '../../chain/program/associatedToken.ts';
import {
  fund,
  makeWorld,
  mm,
  order,
  settle,
  tokenBalance,
  user,
  vaultTokens,
  type World,
} from './support/world.ts';

const USDC = 1_000_000;

describe('vaults', () => {
  let w: World;
  before(async () => {
    w = await makeWorld({ faucetMaxMicro: 1_000 * USDC });
  });
  after(() => w.chain.close());

  test('GET /vault of a newcomer: no vault yet, nothing free, a deposit address', async () => {
    const view = await w.chain.vaults.get(user('newcomer'));
    assert.ok(view.ok);
    assert.equal(view.value.exists, false);
    assert.equal(view.value.freeMicro, 0);
    const key = w.chain.signer.knownKey(user('newcomer')) as PublicKey;
    assert.equal(
      view.value.depositAddress,
      associatedTokenAddress(key, new PublicKey(w.chain.info.mint)).toBase58(),
    );
    assert.match(view.value.explorerUrl, /^litesvm:\/\/address\//);
  });

  test('faucet to the wallet, deposit into the vault (opening it), withdraw to another wallet', async () => {
    const alice = user('alice');
    const minted = await w.chain.vaults.faucet(alice, 50 * USDC, 'wallet');
    assert.ok(minted.ok);
    assert.equal(minted.value.vault.walletMicro, 50 * USDC);
    assert.equal(minted.value.vault.balanceMicro, 0);

    const deposited = await w.chain.vaults.deposit(alice, 30 * USDC);
    assert.ok(deposited.ok, deposited.ok ? '' : deposited.error.code);
    assert.equal(deposited.value.vault.exists, true);
    assert.equal(deposited.value.vault.balanceMicro, 30 * USDC);
    assert.equal(deposited.value.vault.walletMicro, 20 * USDC);
    assert.equal(await vaultTokens(w, alice), 30_000_000n, 'on chain, not only in the cache');

    const tooMuch = await w.chain.vaults.deposit(alice, 21 * USDC);
    assert.equal(tooMuch.ok ? '' : tooMuch.error.code, 'INSUFFICIENT_BALANCE');

    const elsewhere = Keypair.generate().publicKey;
    const withdrawn = await w.chain.vaults.withdraw(alice, 12 * USDC, elsewhere.toBase58());
    assert.ok(withdrawn.ok, withdrawn.ok ? '' : withdrawn.error.code);
    assert.equal(withdrawn.value.vault.balanceMicro, 18 * USDC);
    assert.equal(
      await tokenBalance(w, associatedTokenAddress(elsewhere, new PublicKey(w.chain.info.mint))),
      12_000_000n,
    );
  });

  test('withdrawals are limited to the free balance: locked and reserved funds stay', async () => {
    const bob = user('bob');
    await fund(w, bob, 100 * USDC);
    await fund(w, mm('m1'), 1_000 * USDC);
    w.chain.executor.createPosition(
      order({ userId: 'bob', stakeMicro: 40 * USDC, riskMicro: 40 * USDC, collateralMicro: 40 * USDC }),
    );
    await settle(w);
    assert.ok(w.chain.funds.reserve(bob, 'rfq-in-flight', 25 * USDC).ok);
    const view = await w.chain.vaults.get(bob);
    assert.ok(view.ok);
    assert.deepEqual(
      {
        balance: view.value.balanceMicro,
        locked: view.value.lockedMicro,
        pending: view.value.pendingMicro,
        free: view.value.freeMicro,
      },
      { balance: 100 * USDC, locked: 40 * USDC, pending: 25 * USDC, free: 35 * USDC },
    );
    const refused = await w.chain.vaults.withdraw(bob, 35 * USDC + 1);
    assert.equal(refused.ok ? '' : refused.error.code, 'INSUFFICIENT_BALANCE');
    assert.equal(refused.ok ? 0 : refused.error.details.freeMicro, 35 * USDC);
    const taken = await w.chain.vaults.withdraw(bob, 35 * USDC);
    assert.ok(taken.ok);
    assert.equal(taken.value.vault.freeMicro, 0);
    assert.equal(taken.value.vault.pendingMicro, 25 * USDC, 'the withdrawal no longer holds anything');
    const reserved = w.chain.funds.reserve(bob, 'another', 1);
    assert.equal(reserved.ok ? '' : reserved.error.code, 'INSUFFICIENT_BALANCE');
    w.chain.funds.release(bob, 'rfq-in-flight');
    assert.ok(w.chain.funds.reserve(bob, 'another', 25 * USDC).ok, 'released funds are free again');
  });

  test('the funds gate: INSUFFICIENT_COLLATERAL for market makers, a zero lock needs no vault, re-reserving replaces', () => {
    const gate = w.chain.funds;
    const refused = gate.reserve(mm('nobody'), 'r1', 1);
    assert.equal(refused.ok ? '' : refused.error.code, 'INSUFFICIENT_COLLATERAL');
    assert.ok(gate.reserve(mm('nobody'), 'r2', 0).ok, 'netted collateral can be zero');
    assert.ok(gate.reserve(mm('m1'), 'r3', 900 * USDC).ok);
    assert.ok(
      gate.reserve(mm('m1'), 'r3', 950 * USDC).ok,
      'the same RFQ reserving again replaces its amount',
    );
    assert.equal(gate.pending(mm('m1')), 950_000_000n);
    gate.release(mm('m1'), 'r3');
    assert.equal(gate.pending(mm('m1')), 0n);
  });

  test('bad input is a typed error that changes nothing', async () => {
    const carol = user('carol');
    for (const amount of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2]) {
      const r = await w.chain.vaults.deposit(carol, amount);
      assert.equal(r.ok ? '' : r.error.code, 'INVALID_REQUEST', `amount ${amount}`);
    }
    const badDestination = await w.chain.vaults.withdraw(carol, 1, 'not-an-address');
    assert.equal(badDestination.ok ? '' : badDestination.error.code, 'INVALID_REQUEST');
    const greedy = await w.chain.vaults.faucet(carol, 1_001 * USDC);
    assert.equal(greedy.ok ? '' : greedy.error.code, 'INVALID_REQUEST');
    const view = await w.chain.vaults.get(carol);
    assert.ok(view.ok);
    assert.equal(view.value.exists, false);
    assert.equal(w.chain.vaults.faucetAvailable, true);
  });
});
