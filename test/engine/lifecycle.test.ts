import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChainExecutor, ChainResultSink, PositionOrder, SettleOrder } from '../../engine/ports/chain.ts';
import type { PositionRisk, RiskEngine } from '../../engine/ports/risk.ts';
import type { SettlementSink, SettlementWatcher } from '../../engine/ports/settlement.ts';
import { FullRiskEngine } from '../../engine/risk/fullRisk.ts';
import { codeOf, LEGS, makeEngine, must, T0 } from '../support/engineHarness.ts';

const bet = 50_000_000;
const user = { kind: 'user', id: 'user-1' } as const;
const mm1 = { kind: 'mm', id: 'mm-1' } as const;

/** Records what the engine asks of the chain; the test plays the chain's answers through the sink. */
class RecordingChain implements ChainExecutor {
  sink!: ChainResultSink;
  created: PositionOrder[] = [];
  settled: SettleOrder[] = [];
  attach(sink: ChainResultSink) {
    this.sink = sink;
  }
  createPosition(order: PositionOrder) {
    this.created.push(order);
  }
  settlePosition(order: SettleOrder) {
    this.settled.push(order);
  }
  releaseCollateral(_mmId: string, _requiredMicro: number) {}
  explorerUrl(kind: 'tx' | 'address', value: string) {
    return `https://explorer.test/${kind}/${value}`;
  }
  async reconcile() {}
  async lockedCollateral() {
    return new Map<string, number>();
  }
  async shutdown() {}
}

class RecordingWatcher implements SettlementWatcher {
  sink!: SettlementSink;
  tracked = new Set<string>();
  attach(sink: SettlementSink) {
    this.sink = sink;
  }
  track(rfqId: string) {
    this.tracked.add(rfqId);
  }
  untrack(rfqId: string) {
    this.tracked.delete(rfqId);
  }
}

async function funded() {
  const chain = new RecordingChain();
  const watcher = new RecordingWatcher();
  const h = await makeEngine({ deps: { chain, settlement: watcher } });
  h.funds.credit(user, 1_000_000_000);
  h.funds.credit(mm1, 1_000_000_000);
  h.funds.credit({ kind: 'mm', id: 'mm-2' }, 1_000_000_000);
  return { ...h, chain, watcher };
}

describe('the whole lifecycle', () => {
  test('create → quote → accept → confirm → executed → settled, events sequenced without gaps', async () => {
    const h = await funded();
    const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
    const q1 = must(await h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp: 40_000, replace: false }));
    const q2 = must(await h.engine.submitQuote('mm-2', { rfqId: rfq.id, oddsFp: 39_000, replace: false }));
    assert.equal(q1.quote.mmRiskMicro, 150_000_000);
    assert.deepEqual(
      q2.rfq.quotes.map((q) => q.mmId),
      ['mm-2'],
      'an MM sees only its own quotes',
    );

    const full = await h.engine.queries.rfqFor({ kind: 'user', id: 'user-1' }, rfq.id);
    assert.deepEqual(
      must(full).quotes.map((q) => q.id),
      [q1.quote.id, q2.quote.id],
      'best odds first',
    );

    h.clock.advance(1_000);
    const accepted = must(await h.engine.acceptQuote('user-1', rfq.id, q1.quote.id));
    assert.equal(accepted.rfq.confirmDeadline, T0 + 6_000);
    assert.equal(h.funds.reservedBy(user), bet, "the user's stake is reserved from accept");

    h.clock.advance(1_000);
    const confirmed = must(await h.engine.confirmQuote('mm-1', q1.quote.id));
    assert.equal(confirmed.rfq.status, 'confirmed');
    assert.equal(confirmed.rfq.collateralMicro, 150_000_000, 'full-risk policy');
    await h.engine.flush();
    assert.equal(h.chain.created.length, 1, 'the chain gets the order only once durable');
    assert.deepEqual(
      { ...h.chain.created[0], legs: undefined },
      {
        rfqId: rfq.id,
        quoteId: q1.quote.id,
        userId: 'user-1',
        mmId: 'mm-1',
        legs: undefined,
        stakeMicro: bet,
        riskMicro: 150_000_000,
        collateralMicro: 150_000_000,
        feeBps: 100,
      },
    );
    assert.equal(h.funds.reservedBy(mm1), 150_000_000);

    h.chain.sink.positionExecuted(rfq.id, { positionAddress: 'PDA1', signature: 'SIG1' });
    await h.engine.flush();
    assert.equal((await h.engine.queries.getRfq(rfq.id))?.status, 'executed');
    assert.equal(
      h.funds.reservedBy(user) + h.funds.reservedBy(mm1),
      0,
      'reservations end when the chain locks',
    );
    assert.ok(h.watcher.tracked.has(rfq.id));

    h.watcher.sink.resolve(rfq.id, 'win');
    await h.engine.flush();
    assert.equal(h.chain.settled[0]?.outcome, 'win');
    h.chain.sink.positionSettled(rfq.id, {
      outcome: 'win',
      payoutMicro: 198_500_000,
      feeMicro: 1_500_000,
      signature: 'SIG2',
    });
    await h.engine.flush();

    assert.equal(h.engine.liveCount, 0, 'a terminal RFQ leaves memory');
    const ended = await h.engine.queries.getRfq(rfq.id);
    assert.equal(ended?.status, 'settled');
    assert.equal(ended?.settlement?.payoutMicro, 198_500_000);
    assert.ok(!h.watcher.tracked.has(rfq.id));
    assert.deepEqual(
      h.events.map((e) => e.seq),
      h.events.map((_, i) => i + 1),
      'gap-free from 1',
    );
    assert.deepEqual(h.types(), [
      'rfq.created',
      'quote.submitted',
      'rfq.status',
      'quote.submitted',
      'quote.accepted',
      'quote.rejected',
      'rfq.status',
      'quote.confirmed',
      'rfq.status',
      'position.executed',
      'rfq.status',
      'position.outcome',
      'position.settled',
      'rfq.status',
    ]);
    // A command on an ended RFQ gets the state's error, not NOT_FOUND.
    assert.equal(codeOf(await h.engine.cancelRfq('user-1', rfq.id)), 'RFQ_NOT_CANCELLABLE');
    assert.equal(codeOf(await h.engine.cancelRfq('user-2', rfq.id)), 'FORBIDDEN');
  });

  test('execution failing for good cancels the RFQ and frees both reservations', async () => {
    const h = await funded();
    const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
    const q = must(await h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp: 40_000, replace: false }));
    must(await h.engine.acceptQuote('user-1', rfq.id, q.quote.id));
    must(await h.engine.confirmQuote('mm-1', q.quote.id));
    h.chain.sink.executionFailed(rfq.id, 'vault missing');
    await h.engine.flush();
    const ended = await h.engine.queries.getRfq(rfq.id);
    assert.equal(ended?.status, 'cancelled');
    assert.equal(ended?.endReason, 'execution_failed: vault missing');
    assert.equal(h.funds.reservedBy(user) + h.funds.reservedBy(mm1), 0);
  });
});

describe('owner checks', () => {
  test('only the owner cancels, accepts or reads an RFQ; only the quoting MM withdraws, confirms or rejects', async () => {
    const h = await funded();
    const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
    const q = must(await h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp: 40_000, replace: false }));
    assert.equal(codeOf(await h.engine.cancelRfq('user-2', rfq.id)), 'FORBIDDEN');
    assert.equal(codeOf(await h.engine.acceptQuote('user-2', rfq.id, q.quote.id)), 'FORBIDDEN');
    assert.equal(codeOf(await h.engine.queries.rfqFor({ kind: 'user', id: 'user-2' }, rfq.id)), 'FORBIDDEN');
    assert.equal(codeOf(await h.engine.withdrawQuote('mm-2', q.quote.id)), 'FORBIDDEN');
    must(await h.engine.acceptQuote('user-1', rfq.id, q.quote.id));
    assert.equal(codeOf(await h.engine.confirmQuote('mm-2', q.quote.id)), 'FORBIDDEN');
    assert.equal(codeOf(await h.engine.rejectQuote('mm-2', q.quote.id)), 'FORBIDDEN');
    assert.equal(codeOf(await h.engine.queries.quoteFor('mm-2', q.quote.id, rfq.id)), 'FORBIDDEN');
    assert.equal((await h.engine.queries.getRfq(rfq.id))?.status, 'accepted', 'none of it changed anything');
  });

  test('unknown ids are NOT_FOUND', async () => {
    const h = await funded();
    assert.equal(codeOf(await h.engine.cancelRfq('user-1', 'nope')), 'NOT_FOUND');
    assert.equal(codeOf(await h.engine.confirmQuote('mm-1', 'nope')), 'NOT_FOUND');
    assert.equal(
      codeOf(await h.engine.submitQuote('mm-1', { rfqId: 'nope', oddsFp: 20_000, replace: false })),
      'NOT_FOUND',
    );
  });
});

describe('quotes', () => {
  test('odds bounds, validity bounds and duplicate live quotes are refused before anything changes', async () => {
    const h = await funded();
    const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
    const quote = (oddsFp: number, validForMs?: number, replace = false) =>
      h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp, validForMs, replace });
    assert.equal(codeOf(await quote(10_099)), 'ODDS_OUT_OF_RANGE');
    assert.equal(codeOf(await quote(10_000_001)), 'ODDS_OUT_OF_RANGE');
    assert.equal(codeOf(await quote(20_000, 999)), 'QUOTE_VALIDITY_OUT_OF_RANGE');
    assert.equal(codeOf(await quote(20_000, 3_600_001)), 'QUOTE_VALIDITY_OUT_OF_RANGE');
    const first = must(await quote(10_100, 1_000));
    assert.equal(codeOf(await quote(20_000)), 'QUOTE_ALREADY_EXISTS');
    const second = must(await quote(20_000, 3_600_000, true));
    assert.equal(second.quote.validUntil, rfq.expiresAt, 'never past the RFQ expiry');
    const view = must(await h.engine.queries.rfqFor({ kind: 'user', id: 'user-1' }, rfq.id));
    assert.deepEqual(
      view.quotes.map((q) => [q.id, q.status, q.reason]),
      [
        [second.quote.id, 'pending', null],
        [first.quote.id, 'withdrawn', 'replaced'],
      ],
    );
  });

  test('cancel-on-disconnect withdraws every live quote of the MM and only those', async () => {
    const h = await funded();
    const a = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
    const b = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
    must(await h.engine.submitQuote('mm-1', { rfqId: a.id, oddsFp: 20_000, replace: false }));
    must(await h.engine.submitQuote('mm-1', { rfqId: b.id, oddsFp: 20_000, replace: false }));
    must(await h.engine.submitQuote('mm-2', { rfqId: b.id, oddsFp: 21_000, replace: false }));
    assert.deepEqual(must(await h.engine.withdrawAll('mm-1')), { withdrawn: 2 });
    assert.equal((await h.engine.queries.getRfq(a.id))?.status, 'open');
    assert.equal((await h.engine.queries.getRfq(b.id))?.status, 'quoted');
    const reasons = h.events
      .filter((e) => e.type === 'quote.withdrawn')
      .map((e) => e.type === 'quote.withdrawn' && e.reason);
    assert.deepEqual(reasons, ['mm_disconnected', 'mm_disconnected']);
  });
});

describe('deadlines (simulated clock)', () => {
  test('a quote expires at validUntil; the RFQ returns to open, then expires at its expiry', async () => {
    const h = await funded();
    const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet, ttlMs: 120_000 }));
    const q = must(
      await h.engine.submitQuote('mm-1', {
        rfqId: rfq.id,
        oddsFp: 30_000,
        validForMs: 10_000,
        replace: false,
      }),
    );
    h.clock.advance(9_999);
    await h.engine.flush();
    assert.equal((await h.engine.queries.getRfq(rfq.id))?.status, 'quoted');
    h.clock.advance(1);
    await h.engine.flush();
    assert.equal((await h.engine.queries.getRfq(rfq.id))?.status, 'open');
    assert.equal(codeOf(await h.engine.acceptQuote('user-1', rfq.id, q.quote.id)), 'QUOTE_NOT_LIVE');
    h.clock.advance(110_000);
    await h.engine.flush();
    const ended = await h.engine.queries.getRfq(rfq.id);
    assert.equal(ended?.status, 'expired');
    const expired = h.events.find((e) => e.type === 'rfq.expired');
    assert.equal(expired?.at, rfq.expiresAt, 'the event carries the deadline, not the time the timer ran');
    assert.equal(h.engine.liveCount, 0);
    const reasons = h.events
      .filter((e) => e.type === 'quote.expired')
      .map((e) => e.type === 'quote.expired' && e.reason);
    assert.deepEqual(reasons, ['quote_expired']);
  });

  test('the MM missing the 5 s confirm window cancels the RFQ and frees the user stake', async () => {
    const h = await funded();
    const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
    const q = must(await h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp: 30_000, replace: false }));
    must(await h.engine.acceptQuote('user-1', rfq.id, q.quote.id));
    h.clock.advance(4_999);
    await h.engine.flush();
    assert.equal((await h.engine.queries.getRfq(rfq.id))?.status, 'accepted');
    h.clock.advance(1);
    await h.engine.flush();
    const ended = await h.engine.queries.getRfq(rfq.id);
    assert.equal(ended?.status, 'cancelled');
    assert.equal(ended?.endReason, 'confirm_timeout');
    assert.equal(h.funds.reservedBy(user), 0);
    assert.equal(codeOf(await h.engine.confirmQuote('mm-1', q.quote.id)), 'QUOTE_NOT_ACCEPTED');
  });

  test('a confirm that arrived in time wins even if the deadline passes while its collateral is being sized', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const full = new FullRiskEngine();
    const slowRisk: RiskEngine = Object.assign(Object.create(full), {
      reserve: async (p: PositionRisk) => {
        await gate;
        return full.reserve(p);
      },
    });
    const h = await makeEngine({ deps: { risk: slowRisk } });
    h.funds.credit(user, 1e9);
    h.funds.credit(mm1, 1e9);
    const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
    const q = must(await h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp: 30_000, replace: false }));
    must(await h.engine.acceptQuote('user-1', rfq.id, q.quote.id));
    h.clock.advance(4_000);
    const confirming = h.engine.confirmQuote('mm-1', q.quote.id);
    h.clock.advance(2_000);
    release();
    must(await confirming);
    await h.engine.flush();
    assert.equal((await h.engine.queries.getRfq(rfq.id))?.status, 'confirmed');
  });

  test('a confirm refused after sizing lets the waiting deadline fire', async () => {
    const h = await makeEngine();
    h.funds.credit(user, 1e9);
    const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
    const q = must(await h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp: 30_000, replace: false }));
    must(await h.engine.acceptQuote('user-1', rfq.id, q.quote.id));
    h.clock.advance(4_999);
    const confirming = h.engine.confirmQuote('mm-1', q.quote.id);
    h.clock.advance(1);
    assert.equal(codeOf(await confirming), 'INSUFFICIENT_COLLATERAL');
    await h.engine.flush();
    assert.equal((await h.engine.queries.getRfq(rfq.id))?.status, 'cancelled');
  });
});

describe('funds', () => {
  test("accept is INSUFFICIENT_BALANCE when the user's free balance cannot cover the bet; nothing changes", async () => {
    const h = await makeEngine();
    h.funds.credit(user, bet - 1);
    const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
    const q = must(await h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp: 30_000, replace: false }));
    const before = h.events.length;
    assert.equal(codeOf(await h.engine.acceptQuote('user-1', rfq.id, q.quote.id)), 'INSUFFICIENT_BALANCE');
    assert.equal((await h.engine.queries.getRfq(rfq.id))?.status, 'quoted');
    assert.equal(h.events.length, before);
    assert.equal(h.funds.reservedBy(user), 0);
  });

  test("confirm is INSUFFICIENT_COLLATERAL when the MM's free balance cannot cover its collateral", async () => {
    const h = await makeEngine();
    h.funds.credit(user, bet);
    h.funds.credit(mm1, 99_999_999);
    const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
    const q = must(await h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp: 30_000, replace: false }));
    must(await h.engine.acceptQuote('user-1', rfq.id, q.quote.id));
    assert.equal(codeOf(await h.engine.confirmQuote('mm-1', q.quote.id)), 'INSUFFICIENT_COLLATERAL');
    assert.equal((await h.engine.queries.getRfq(rfq.id))?.status, 'accepted');
    assert.equal(h.funds.reservedBy(mm1), 0);
  });
});

describe('queries', () => {
  test("a user's RFQs page newest first across live and ended ones, filtered by status", async () => {
    const h = await funded();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet })).id);
      h.clock.advance(10);
    }
    must(await h.engine.cancelRfq('user-1', ids[1]!));
    must(await h.engine.createRfq('user-2', { legs: LEGS, betMicro: bet }));
    const first = await h.engine.queries.listUserRfqs('user-1', { limit: 3 });
    assert.deepEqual(
      first.items.map((r) => r.id),
      [ids[4], ids[3], ids[2]],
    );
    assert.ok(first.cursor);
    const second = await h.engine.queries.listUserRfqs('user-1', {
      limit: 3,
      cursor: first.cursor ?? undefined,
    });
    assert.deepEqual(
      second.items.map((r) => r.id),
      [ids[1], ids[0]],
    );
    assert.equal(second.cursor, null);
    const cancelled = await h.engine.queries.listUserRfqs('user-1', { limit: 10, status: 'cancelled' });
    assert.deepEqual(
      cancelled.items.map((r) => r.id),
      [ids[1]],
    );
  });

  test('open RFQs for MMs: filters, and each MM sees only its own quotes', async () => {
    const h = await funded();
    const small = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: 20_000_000 }));
    must(
      await h.engine.createRfq('user-1', {
        legs: [{ ticker: 'KXC-26-T3', side: 'yes' }, LEGS[1]!],
        betMicro: 80_000_000,
      }),
    );
    must(await h.engine.submitQuote('mm-2', { rfqId: small.id, oddsFp: 30_000, replace: false }));
    assert.equal(h.engine.queries.openRfqs('mm-1', { limit: 10 }).length, 2);
    assert.equal(h.engine.queries.openRfqs('mm-1', { limit: 10, maxBetMicro: 50_000_000 }).length, 1);
    assert.equal(h.engine.queries.openRfqs('mm-1', { limit: 10, eventTicker: 'KXC-26' }).length, 1);
    assert.equal(
      h.engine.queries.openRfqs('mm-1', { limit: 10 }).find((r) => r.id === small.id)?.quotes.length,
      0,
    );
    assert.equal(
      h.engine.queries.openRfqs('mm-2', { limit: 10 }).find((r) => r.id === small.id)?.quotes.length,
      1,
    );
  });
});

describe('robustness', () => {
  test('a record store that cannot be read gives SERVICE_UNAVAILABLE, not a throw', async () => {
    const h = await funded();
    h.store.getRfq = async () => {
      throw new Error('connection terminated');
    };
    h.store.rfqIdOfQuote = async () => {
      throw new Error('connection terminated');
    };
    assert.equal(codeOf(await h.engine.cancelRfq('user-1', 'ended-rfq')), 'SERVICE_UNAVAILABLE');
    assert.equal(codeOf(await h.engine.confirmQuote('mm-1', 'old-quote')), 'SERVICE_UNAVAILABLE');
    assert.equal(codeOf(await h.engine.withdrawQuote('mm-1', 'old-quote')), 'SERVICE_UNAVAILABLE');
  });

  test("an MM's positions merge live (active) and ended (settled) ones, newest first", async () => {
    const h = await funded();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
      const q = must(await h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp: 30_000, replace: false }));
      must(await h.engine.acceptQuote('user-1', rfq.id, q.quote.id));
      must(await h.engine.confirmQuote('mm-1', q.quote.id));
      h.chain.sink.positionExecuted(rfq.id, { positionAddress: `PDA${i}`, signature: `SIG${i}` });
      await h.engine.flush();
      h.clock.advance(10);
      ids.push(rfq.id);
    }
    h.watcher.sink.resolve(ids[0]!, 'loss');
    await h.engine.flush();
    h.chain.sink.positionSettled(ids[0]!, {
      outcome: 'loss',
      payoutMicro: 0,
      feeMicro: 500_000,
      signature: 'CLOSE0',
    });
    await h.engine.flush();
    const page = await h.engine.queries.listMmPositions('mm-1', { limit: 10 });
    assert.deepEqual(
      page.items.map((p) => [p.rfqId, p.status]),
      [
        [ids[2], 'active'],
        [ids[1], 'active'],
        [ids[0], 'settled_loss'],
      ],
    );
    assert.equal(page.items[2]?.closeSignature, 'CLOSE0');
    assert.equal(page.items[2]?.mmRiskMicro, 100_000_000);
    const settledOnly = await h.engine.queries.listMmPositions('mm-1', { limit: 10, status: 'settled_loss' });
    assert.deepEqual(
      settledOnly.items.map((p) => p.rfqId),
      [ids[0]],
    );
    assert.equal((await h.engine.queries.listMmPositions('mm-2', { limit: 10 })).items.length, 0);
  });

  test('a chain port that throws does not break the commit loop or the process', async () => {
    const chain = new RecordingChain();
    chain.createPosition = () => {
      throw new Error('rpc exploded');
    };
    const h = await makeEngine({ deps: { chain } });
    h.funds.credit(user, 1e9);
    h.funds.credit(mm1, 1e9);
    const rfq = must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
    const q = must(await h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp: 30_000, replace: false }));
    must(await h.engine.acceptQuote('user-1', rfq.id, q.quote.id));
    must(await h.engine.confirmQuote('mm-1', q.quote.id));
    await h.engine.flush();
    assert.ok(h.types().includes('quote.confirmed'), 'the event was still published');
    must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
  });

  test('risk releases reach the chain as release-only orders', async () => {
    const chain = new RecordingChain();
    const released: Array<[string, number]> = [];
    chain.releaseCollateral = (mmId: string, requiredMicro: number) => {
      released.push([mmId, requiredMicro]);
    };
    let emit: ((r: { mmId: string; requiredMicro: number }) => void) | undefined;
    const risk = Object.assign(Object.create(new FullRiskEngine()), {
      onRelease: (listener: (r: { mmId: string; requiredMicro: number }) => void) => {
        emit = listener;
      },
    }) as RiskEngine;
    await makeEngine({ deps: { chain, risk } });
    emit?.({ mmId: 'mm-1', requiredMicro: 42 });
    assert.deepEqual(released, [['mm-1', 42]]);
  });
});
