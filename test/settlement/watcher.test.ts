import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { KalshiClient } from '../../engine/markets/client.ts';
import { type KalshiSimulator, startKalshiSimulator } from '../../engine/markets/simulator/server.ts';
import { KalshiLifecycleFeed } from '../../engine/settlement/lifecycleFeed.ts';
import { type SettlementSink, SettlementWatcher } from '../../engine/settlement/watcher.ts';
import type { Leg, Side } from '../../machines/domain.ts';
import type { Outcome } from '../../machines/payout.ts';
import { FakeClock } from '../markets/helpers/fakeClock.ts';
import { fixtureCatalogue, GAME, LADDER, OPAQUE_LADDER } from '../markets/helpers/fixtures.ts';
import { waitFor } from '../markets/helpers/wait.ts';

let sim: KalshiSimulator;
let clock: FakeClock;
let client: KalshiClient;

class RecordingSink implements SettlementSink {
  readonly calls: Array<[string, Outcome | 'void']> = [];
  failures = 0;
  resolve(rfqId: string, outcome: Outcome | 'void'): void {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('engine busy');
    }
    this.calls.push([rfqId, outcome]);
  }
}

const leg = (ticker: string, side: Side): Leg => ({
  ticker,
  eventTicker: ticker.split('-').slice(0, 2).join('-'),
  side,
});
const settle = (ticker: string, result: 'yes' | 'no') => {
  sim.admin.determine(ticker, result);
  sim.admin.finalize(ticker);
};
const marketRequests = (from: number) =>
  sim.admin.requests.slice(from).filter((r) => r.path === '/trade-api/v2/markets');

describe('SettlementWatcher', () => {
  let sink: RecordingSink;
  let watcher: SettlementWatcher;
  beforeEach(async () => {
    clock = new FakeClock();
    sim = await startKalshiSimulator({ port: 0, clock, catalogue: fixtureCatalogue(), autoFinalize: false });
    client = new KalshiClient({ config: { baseUrl: sim.url, maxRetries: 0 }, clock });
    sink = new RecordingSink();
    watcher = new SettlementWatcher({ client, sink, clock });
  });
  afterEach(async () => {
    watcher.stop();
    await sim.close();
  });

  it('polls every 30 s by default, only the tracked markets, in one batch', async () => {
    watcher.track('r1', [leg(LADDER[0], 'yes'), leg(GAME[0], 'no')]);
    watcher.track('r2', [leg(LADDER[0], 'yes'), leg(OPAQUE_LADDER[0], 'yes')]);
    watcher.start();
    assert.deepEqual(clock.pendingDelays(), [30_000]);
    const from = sim.admin.requests.length;
    clock.advance(30_000);
    await waitFor(() => clock.pendingDelays().includes(30_000), 'the next poll to be scheduled');
    const polls = marketRequests(from);
    assert.equal(polls.length, 1);
    assert.deepEqual(
      polls[0]?.query.get('tickers')?.split(',').sort(),
      [LADDER[0], GAME[0], OPAQUE_LADDER[0]].sort(),
    );
    assert.deepEqual(sink.calls, []);
  });

  it('reports a loss as soon as one leg loses, once', async () => {
    watcher.track('r1', [leg(LADDER[0], 'yes'), leg(LADDER[1], 'yes'), leg(GAME[0], 'yes')]);
    settle(LADDER[1], 'no');
    await watcher.pollNow();
    assert.deepEqual(sink.calls, [['r1', 'loss']]);
    assert.equal(watcher.tracked, 0);
    await watcher.pollNow();
    assert.deepEqual(sink.calls, [['r1', 'loss']]);
  });

  it('reports a win when every leg won, sides included', async () => {
    watcher.track('r1', [leg(LADDER[0], 'yes'), leg(GAME[0], 'no')]);
    settle(LADDER[0], 'yes');
    await watcher.pollNow();
    assert.deepEqual(sink.calls, []);
    settle(GAME[0], 'no');
    await watcher.pollNow();
    assert.deepEqual(sink.calls, [['r1', 'win']]);
  });

  it('waits for finalized: a determined (disputable) result settles nothing', async () => {
    watcher.track('r1', [leg(LADDER[0], 'yes'), leg(GAME[0], 'yes')]);
    sim.admin.determine(GAME[0], 'no');
    await watcher.pollNow();
    assert.deepEqual(sink.calls, []);
    sim.admin.dispute(GAME[0]);
    sim.admin.amend(GAME[0], 'yes');
    sim.admin.finalize(GAME[0]);
    settle(LADDER[0], 'yes');
    await watcher.pollNow();
    assert.deepEqual(sink.calls, [['r1', 'win']], 'the amended result is the one paid');
  });

  it('voids a position whose leg was voided or removed, once the other legs are known', async () => {
    watcher.track('voided', [leg(OPAQUE_LADDER[0], 'yes'), leg(LADDER[0], 'yes')]);
    watcher.track('removed', [leg(OPAQUE_LADDER[1], 'no'), leg(LADDER[0], 'yes')]);
    sim.admin.voidMarket(OPAQUE_LADDER[0]);
    sim.admin.remove(OPAQUE_LADDER[1]);
    const from = sim.admin.requests.length;
    await watcher.pollNow();
    assert.deepEqual(sink.calls, [], 'LADDER[0] could still lose');
    assert.ok(
      sim.admin.requests.slice(from).some((r) => r.path === `/trade-api/v2/markets/${OPAQUE_LADDER[1]}`),
      'a missing ticker is confirmed by GET /markets/{ticker}',
    );
    settle(LADDER[0], 'yes');
    await watcher.pollNow();
    assert.deepEqual(sink.calls.sort(), [
      ['removed', 'void'],
      ['voided', 'void'],
    ]);
  });

  it('a void leg and a lost leg make a loss, in either order', async () => {
    watcher.track('r1', [leg(OPAQUE_LADDER[0], 'yes'), leg(LADDER[0], 'yes')]);
    sim.admin.voidMarket(OPAQUE_LADDER[0]);
    await watcher.pollNow();
    settle(LADDER[0], 'no');
    await watcher.pollNow();
    assert.deepEqual(sink.calls, [['r1', 'loss']]);
  });

  it('forgets untracked positions', async () => {
    watcher.track('r1', [leg(LADDER[0], 'no'), leg(GAME[0], 'yes')]);
    watcher.untrack('r1');
    settle(LADDER[0], 'yes');
    const from = sim.admin.requests.length;
    await watcher.pollNow();
    assert.deepEqual(sink.calls, []);
    assert.equal(marketRequests(from).length, 0, 'nothing left to ask');
  });

  it('reports again on the next poll when the sink failed', async () => {
    watcher.track('r1', [leg(LADDER[0], 'no'), leg(GAME[0], 'yes')]);
    settle(LADDER[0], 'yes');
    sink.failures = 1;
    await watcher.pollNow();
    assert.deepEqual(sink.calls, []);
    assert.equal(watcher.tracked, 1);
    const from = sim.admin.requests.length;
    await watcher.pollNow();
    assert.deepEqual(sink.calls, [['r1', 'loss']]);
    assert.equal(
      marketRequests(from).length,
      1,
      'the lost leg was remembered; only the pending one is asked',
    );
  });

  it('survives Kalshi being down: the poll fails quietly and the next one decides', async () => {
    watcher.track('r1', [leg(LADDER[0], 'no'), leg(GAME[0], 'yes')]);
    settle(LADDER[0], 'yes');
    sim.admin.failNext(1, 503);
    await watcher.pollNow();
    assert.deepEqual(sink.calls, []);
    await watcher.pollNow();
    assert.deepEqual(sink.calls, [['r1', 'loss']]);
  });

  it('a restart mid-poll loses nothing: the stopped poll reports nothing, the new watcher re-derives all', async () => {
    const executed: Array<[string, Leg[]]> = [
      ['r1', [leg(LADDER[0], 'yes'), leg(GAME[0], 'yes')]],
      ['r2', [leg(LADDER[1], 'no'), leg(GAME[1], 'yes')]],
      ['r3', [leg(LADDER[2], 'yes'), leg(OPAQUE_LADDER[0], 'yes')]],
    ];
    for (const [rfqId, legs] of executed) watcher.track(rfqId, legs);
    const release = sim.admin.hold();
    const from = sim.admin.requests.length;
    const inFlight = watcher.pollNow();
    await waitFor(() => marketRequests(from).length === 1, 'the poll to reach Kalshi');
    settle(LADDER[0], 'yes');
    settle(GAME[0], 'yes');
    settle(LADDER[1], 'yes');
    watcher.stop();
    release();
    await inFlight;
    assert.deepEqual(sink.calls, [], 'the interrupted poll reported nothing');

    // The engine re-tracks its executed positions on a new watcher (its state is derivable from them).
    const sink2 = new RecordingSink();
    const restarted = new SettlementWatcher({ client, sink: sink2, clock });
    for (const [rfqId, legs] of executed) restarted.track(rfqId, legs);
    await restarted.pollNow();
    assert.deepEqual(sink2.calls.sort(), [
      ['r1', 'win'],
      ['r2', 'loss'],
    ]);
    assert.equal(restarted.tracked, 1);

    // The stopped instance can be started again and carries on where it was.
    watcher.start();
    await watcher.pollNow();
    assert.deepEqual(sink.calls.sort(), [
      ['r1', 'win'],
      ['r2', 'loss'],
    ]);
  });

  it('implements the engine port: decisions wait until a sink is attached', async () => {
    const detached = new SettlementWatcher({ client, clock });
    detached.track('r1', [leg(LADDER[0], 'no'), leg(GAME[0], 'yes')]);
    settle(LADDER[0], 'yes');
    await detached.pollNow();
    assert.equal(detached.tracked, 1);
    const engine = new RecordingSink();
    detached.attach(engine);
    await detached.pollNow();
    assert.deepEqual(engine.calls, [['r1', 'loss']]);
  });

  it('refuses a position without legs', () => {
    assert.throws(() => watcher.track('r0', []), RangeError);
  });
});

describe('SettlementWatcher driven by the market_lifecycle_v2 WebSocket', () => {
  let feed: KalshiLifecycleFeed;
  let watcher: SettlementWatcher;
  afterEach(async () => {
    watcher.stop();
    feed.stop();
    await sim.close();
  });

  it('polls as soon as a tracked market settles, and resyncs after a reconnect', async () => {
    clock = new FakeClock();
    sim = await startKalshiSimulator({ port: 0, clock, catalogue: fixtureCatalogue(), autoFinalize: false });
    client = new KalshiClient({ config: { baseUrl: sim.url, maxRetries: 0 }, clock });
    feed = new KalshiLifecycleFeed({ config: { url: sim.wsUrl }, clock, random: () => 0 });
    const sink = new RecordingSink();
    watcher = new SettlementWatcher({ client, sink, clock, feed, config: { pollIntervalMs: 3_600_000 } });
    watcher.track('r1', [leg(LADDER[0], 'no'), leg(GAME[0], 'yes')]);
    watcher.track('r2', [leg(LADDER[1], 'yes'), leg(GAME[1], 'yes')]);
    watcher.start();
    feed.start();
    await waitFor(() => feed.connected && sim.admin.subscribers === 1, 'the subscription');

    settle(LADDER[0], 'yes'); // r1 lost: no clock advance, the feed triggers the poll
    await waitFor(() => sink.calls.length === 1, 'the push-driven settlement');
    assert.deepEqual(sink.calls, [['r1', 'loss']]);

    const from = sim.admin.requests.length;
    settle(OPAQUE_LADDER[0], 'yes'); // not tracked: no poll
    sim.admin.disconnectFeed();
    settle(LADDER[1], 'no'); // missed while disconnected
    await waitFor(() => clock.pendingDelays().includes(0), 'the reconnect backoff');
    clock.advance(0);
    await waitFor(() => sink.calls.length === 2, 'the resync after reconnecting');
    assert.deepEqual(sink.calls[1], ['r2', 'loss']);
    assert.equal(marketRequests(from).length, 1, 'one REST reconciliation, none for the untracked market');
  });
});
