/**
 * The real engine on the real chain: create → quote → accept → confirm → executed (signature, position
 * PDA) → settled, win and loss, on the embedded cluster; funds conserved and the fee exact; the funds
 * gate refusing with INSUFFICIENT_BALANCE and INSUFFICIENT_COLLATERAL from the vaults' state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PublicKey } from '@solana/web3.js';
import { positionIdFromUuid, positionPda } from '../../chain/program/pda.ts';
import { ManualClock } from '../../engine/manualClock.ts';
import type { ChainResultSink } from '../../engine/ports/chain.ts';
import { settlementSplit } from '../../machines/payout.ts';
import { codeOf, type Harness, LEGS, makeEngine, must, T0 } from '../support/engineHarness.ts';
import { fund, makeWorld, mm, tokenBalance, user, vaultTokens, type World } from './support/world.ts';

const USDC = 1_000_000;
const BET = 50 * USDC;

describe('engine + chain, end to end', () => {
  let w: World;
  let h: Harness;
  /** Free balances seen by the funds gate at the moment the chain reports a position executed. */
  const freeAtExecution: bigint[] = [];

  before(async () => {
    const clock = new ManualClock(T0);
    w = await makeWorld({}, clock);
    await fund(w, user('user-1'), 200 * USDC);
    await fund(w, mm('mm-1'), 1_000 * USDC);
    h = await makeEngine({ clock, deps: { chain: w.chain.executor, funds: w.chain.funds } });
    const engine: ChainResultSink = h.engine;
    w.chain.executor.attach({
      positionExecuted: (rfqId, r) => {
        freeAtExecution.push(w.chain.funds.free(user('user-1')));
        engine.positionExecuted(rfqId, r);
      },
      executionFailed: (rfqId, reason) => engine.executionFailed(rfqId, reason),
      positionSettled: (rfqId, r) => engine.positionSettled(rfqId, r),
      positionCancelled: (rfqId, r) => engine.positionCancelled(rfqId, r),
    });
  });
  after(async () => {
    await h.engine.stop();
    await w.chain.close();
  });

  const treasury = () => tokenBalance(w, new PublicKey(w.chain.info.treasury));
  const total = async () =>
    (await vaultTokens(w, user('user-1'))) + (await vaultTokens(w, mm('mm-1'))) + (await treasury());

  /** Lets the chain actor's window run out, then the engine's commits settle. */
  async function chainTurn() {
    await h.engine.flush();
    await w.chain.executor.sent();
    h.clock.advance(w.chain.config.batch.windowMs);
    await w.chain.executor.idle();
    await h.engine.flush();
  }

  async function executedRfq(oddsFp: number) {
    const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: BET }));
    const q = must(await h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp, replace: false }));
    must(await h.engine.acceptQuote('user-1', rfq.id, q.quote.id));
    const pending = await w.chain.vaults.get(user('user-1'));
    assert.ok(pending.ok);
    assert.equal(pending.value.pendingMicro, BET, 'the bet is reserved from accept');
    must(await h.engine.confirmQuote('mm-1', q.quote.id));
    await chainTurn();
    return { rfq, quote: q.quote };
  }

  for (const outcome of ['win', 'loss'] as const) {
    test(`${outcome}: executed on chain, settled with the exact payout and fee, funds conserved`, async () => {
      const before = await total();
      const treasuryBefore = await treasury();
      const userBefore = await vaultTokens(w, user('user-1'));
      const { rfq, quote } = await executedRfq(40_000);
      const executed = await h.engine.queries.getRfq(rfq.id);
      assert.equal(executed?.status, 'executed');
      const expectedAddress = positionPda(
        new PublicKey(w.chain.info.programId),
        positionIdFromUuid(rfq.id),
      ).address;
      assert.equal(executed?.position?.address, expectedAddress.toBase58(), 'the position PDA of the RFQ id');
      assert.match(executed?.position?.signature ?? '', /^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
      assert.equal(w.chain.executor.explorerUrl('tx', 'x'), 'litesvm://tx/x');

      const view = await w.chain.vaults.get(user('user-1'));
      assert.ok(view.ok);
      assert.equal(view.value.pendingMicro, 0, 'the reservation ended when the chain locked the stake');
      assert.equal(view.value.stakeLockedMicro, BET);
      const atExecution = freeAtExecution.at(-1) as bigint;
      assert.equal(
        atExecution,
        BigInt(view.value.freeMicro - BET),
        'at the handover the bet counted twice, never zero times',
      );

      h.engine.resolve(rfq.id, outcome);
      await chainTurn();
      const settled = await h.engine.queries.getRfq(rfq.id);
      assert.equal(settled?.status, 'settled');
      const split = settlementSplit(outcome, BET, quote.mmRiskMicro, 100);
      assert.equal(settled?.settlement?.outcome, outcome);
      assert.equal(settled?.settlement?.payoutMicro, split.toUserMicro);
      assert.equal(settled?.settlement?.feeMicro, split.feeMicro);
      assert.equal(split.feeMicro, outcome === 'win' ? 1_500_000 : 500_000);
      assert.equal(
        await treasury(),
        treasuryBefore + BigInt(split.feeMicro),
        'the fee, exactly, to the treasury',
      );
      assert.equal(
        await vaultTokens(w, user('user-1')),
        userBefore + (outcome === 'win' ? BigInt(quote.mmRiskMicro - split.feeMicro) : -BigInt(BET)),
      );
      assert.equal(await total(), before, 'vaults + treasury conserved');
      const [position] = await w.chain.cluster.getAccounts([expectedAddress]);
      assert.equal(position, null, 'closed after settlement');
    });
  }

  test('accept is INSUFFICIENT_BALANCE and confirm INSUFFICIENT_COLLATERAL against the vaults', async () => {
    await fund(w, user('user-2'), 20 * USDC);
    await fund(w, mm('mm-2'), 100 * USDC);
    const small = must(await h.engine.createRfq('user-2', { legs: LEGS, betMicro: BET }));
    const q = must(await h.engine.submitQuote('mm-1', { rfqId: small.id, oddsFp: 20_000, replace: false }));
    assert.equal(codeOf(await h.engine.acceptQuote('user-2', small.id, q.quote.id)), 'INSUFFICIENT_BALANCE');
    assert.equal((await h.engine.queries.getRfq(small.id))?.status, 'quoted', 'nothing changed');

    const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: BET }));
    const q2 = must(await h.engine.submitQuote('mm-2', { rfqId: rfq.id, oddsFp: 40_000, replace: false }));
    must(await h.engine.acceptQuote('user-1', rfq.id, q2.quote.id));
    assert.equal(
      codeOf(await h.engine.confirmQuote('mm-2', q2.quote.id)),
      'INSUFFICIENT_COLLATERAL',
      '150 USDC risk, 100 USDC vault',
    );
    const mmView = await w.chain.vaults.get(mm('mm-2'));
    assert.ok(mmView.ok);
    assert.equal(mmView.value.pendingMicro, 0);
    // The user's reservation is released when the confirm window closes.
    h.clock.advance(5_000);
    await h.engine.flush();
    const userView = await w.chain.vaults.get(user('user-1'));
    assert.ok(userView.ok);
    assert.equal(userView.value.pendingMicro, 0);
  });
});
