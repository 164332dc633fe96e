/**
 * Settlement through the chain actor on the embedded cluster: win, loss and void in one batch with the
 * money rules of machines/payout.ts, funds conserved to the micro-unit, positions closed; release-only
 * collateral; a settlement sent again is reported from the chain, not failed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PublicKey } from '@solana/web3.js';
import { settlementSplit } from '../../machines/payout.ts';
import {
  fund,
  makeWorld,
  mm,
  order,
  settle,
  settleOrder,
  tokenBalance,
  user,
  vaultTokens,
  type World,
} from './support/world.ts';

const USDC = 1_000_000;

describe('settlement', () => {
  let w: World;
  const treasury = () => tokenBalance(w, new PublicKey(w.chain.info.treasury));
  const total = async () =>
    (await vaultTokens(w, user('u1'))) + (await vaultTokens(w, mm('m1'))) + (await treasury());

  before(async () => {
    w = await makeWorld();
    await fund(w, user('u1'), 100 * USDC);
    await fund(w, mm('m1'), 1_000 * USDC);
  });
  after(() => w.chain.close());

  test('win, loss and void in one transaction: exact payouts and fees, funds conserved, positions closed', async () => {
    const orders = [
      order(),
      order(),
      order({ stakeMicro: 7_777_777, riskMicro: 12_345_679, collateralMicro: 12_345_679 }),
    ];
    for (const o of orders) w.chain.executor.createPosition(o);
    await settle(w);
    const positions = orders.map((o) => {
      const r = w.sink.for(o.rfqId)[0];
      assert.equal(r?.type, 'executed');
      return r.type === 'executed' ? r.positionAddress : '';
    });
    const before = await total();
    const userBefore = await vaultTokens(w, user('u1'));
    const mmBefore = await vaultTokens(w, mm('m1'));
    const treasuryBefore = await treasury();

    const [win, loss, voided] = orders as [(typeof orders)[0], (typeof orders)[0], (typeof orders)[0]];
    w.chain.executor.settlePosition(settleOrder(win, 'win', positions[0]));
    w.chain.executor.settlePosition(settleOrder(loss, 'loss', positions[1]));
    w.chain.executor.settlePosition(settleOrder(voided, 'void', positions[2]));
    await settle(w);

    const winSplit = settlementSplit('win', win.stakeMicro, win.riskMicro, win.feeBps);
    const lossSplit = settlementSplit('loss', loss.stakeMicro, loss.riskMicro, loss.feeBps);
    const [wonReport] = w.sink.for(win.rfqId).slice(1);
    const [lostReport] = w.sink.for(loss.rfqId).slice(1);
    const [voidReport] = w.sink.for(voided.rfqId).slice(1);
    assert.deepEqual(
      { ...wonReport, signature: undefined },
      {
        type: 'settled',
        rfqId: win.rfqId,
        outcome: 'win',
        payoutMicro: 39_700_000,
        feeMicro: 300_000,
        signature: undefined,
      },
    );
    assert.equal(winSplit.toUserMicro, 39_700_000);
    assert.deepEqual(
      { ...lostReport, signature: undefined },
      {
        type: 'settled',
        rfqId: loss.rfqId,
        outcome: 'loss',
        payoutMicro: 0,
        feeMicro: 100_000,
        signature: undefined,
      },
    );
    assert.equal(voidReport?.type, 'cancelled');
    assert.equal(voidReport?.type === 'cancelled' && voidReport.reason, 'leg_void');
    const signatures = new Set(
      [wonReport, lostReport, voidReport].map((r) => (r && 'signature' in r ? r.signature : '')),
    );
    assert.equal(signatures.size, 1, 'the three settled in one transaction');

    // The user keeps its stake on a win (it was only locked) and receives risk − fee; pays its stake on a loss.
    assert.equal(
      await vaultTokens(w, user('u1')),
      userBefore + BigInt(win.riskMicro - winSplit.feeMicro) - BigInt(loss.stakeMicro),
    );
    assert.equal(
      await vaultTokens(w, mm('m1')),
      mmBefore - BigInt(win.riskMicro) + BigInt(lossSplit.toMmMicro),
    );
    assert.equal(
      await treasury(),
      treasuryBefore + BigInt(winSplit.feeMicro + lossSplit.feeMicro),
      'fees exact',
    );
    assert.equal(await total(), before, 'vaults + treasury unchanged: nothing created or lost');

    for (const p of positions) {
      const [account] = await w.chain.cluster.getAccounts([new PublicKey(p)]);
      assert.equal(account, null, 'closed, rent back to the fee payer');
    }
    const userVault = must(await w.chain.vaults.get(user('u1')));
    assert.equal(userVault.stakeLockedMicro, 0, 'every stake unlocked');
    assert.equal(
      BigInt(userVault.balanceMicro),
      await vaultTokens(w, user('u1')),
      'the cache agrees with the chain',
    );
    const mmVault = must(await w.chain.vaults.get(mm('m1')));
    const locked = 30_000_000 + 30_000_000 + 12_345_679;
    assert.equal(
      mmVault.collateralLockedMicro,
      locked - win.riskMicro,
      'a win lowers the MM lock by the risk; loss and void do not',
    );
  });

  test('release-only: the latest figure is applied once; a figure above the lock changes nothing', async () => {
    const key = w.chain.signer.knownKey(mm('m1')) as PublicKey;
    const locked = w.chain.cache.get(key).collateralLocked;
    assert.ok(locked > 20_000_000n);
    w.chain.executor.releaseCollateral('m1', 20_000_000);
    w.chain.executor.releaseCollateral('m1', 15_000_000);
    await settle(w);
    const vault = must(await w.chain.vaults.get(mm('m1')));
    assert.equal(vault.collateralLockedMicro, 15_000_000);
    const sends: string[] = [];
    const send = w.chain.cluster.send.bind(w.chain.cluster);
    w.chain.cluster.send = (factory, label) => {
      sends.push(label);
      return send(factory, label);
    };
    w.chain.executor.releaseCollateral('m1', 16_000_000);
    w.chain.executor.releaseCollateral('nobody', 0);
    await settle(w);
    w.chain.cluster.send = send;
    assert.deepEqual(sends, [], 'nothing to lower: no transaction');
    assert.equal(must(await w.chain.vaults.get(mm('m1'))).collateralLockedMicro, 15_000_000);
    const books = await w.chain.executor.lockedCollateral(['m1', 'ghost']);
    assert.deepEqual(
      [...books],
      [
        ['m1', 15_000_000],
        ['ghost', 0],
      ],
      'what the risk books are rebuilt from at boot',
    );
  });

  test('a creation issued after a release never lands before it: the target cannot swallow its collateral', async () => {
    const key = w.chain.signer.knownKey(mm('m1')) as PublicKey;
    const before = w.chain.cache.get(key).collateralLocked;
    const target = Number(before) - 1_000_000;
    const sends: string[] = [];
    const send = w.chain.cluster.send.bind(w.chain.cluster);
    w.chain.cluster.send = (factory, label) => {
      sends.push(label);
      return send(factory, label);
    };
    w.chain.executor.releaseCollateral('m1', target);
    const later = order({ stakeMicro: 11 * USDC, riskMicro: 5 * USDC, collateralMicro: 5 * USDC });
    w.chain.executor.createPosition(later);
    await settle(w); // the release lands; the held creation joins a new batch window
    assert.equal(w.sink.for(later.rfqId).length, 0, 'held while the release was in flight');
    await settle(w);
    w.chain.cluster.send = send;
    assert.equal(w.sink.for(later.rfqId)[0]?.type, 'executed');
    assert.deepEqual(sends, ['settle', 'create'], 'the release went first, the creation waited for it');
    const vault = must(await w.chain.vaults.get(mm('m1')));
    assert.equal(
      vault.collateralLockedMicro,
      target + later.collateralMicro,
      'the new collateral survives the release',
    );
  });

  test('a settlement sent again (a restart before the engine recorded it) reports the chain, not a failure', async () => {
    const o = order();
    w.chain.executor.createPosition(o);
    await settle(w);
    w.chain.executor.settlePosition(settleOrder(o, 'loss'));
    await settle(w);
    const first = w.sink.for(o.rfqId)[1];
    w.chain.executor.settlePosition(settleOrder(o, 'loss'));
    await settle(w);
    const second = w.sink.for(o.rfqId)[2];
    assert.equal(second?.type, 'settled');
    assert.deepEqual(second, first, 'same outcome, amounts and signature');
    assert.equal(w.sink.of('failed').length, 0);
  });
});

function must<T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}
