import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MarketCache } from '../../engine/markets/cache.ts';
import { KalshiClient } from '../../engine/markets/client.ts';
import type { Catalogue } from '../../engine/markets/simulator/catalogue.ts';
import { type KalshiSimulator, startKalshiSimulator } from '../../engine/markets/simulator/server.ts';
import type { MarketLookup } from '../../engine/ports/markets.ts';
import { validateLegMarket } from '../../machines/marketRules.ts';
import { FakeClock } from './helpers/fakeClock.ts';
import {
  CLOSES_SOON,
  fixtureCatalogue,
  GAME,
  LADDER,
  OPAQUE_LADDER,
  PAUSED,
  SCALAR,
} from './helpers/fixtures.ts';
import { waitFor } from './helpers/wait.ts';

const REFRESH = 30_000;
const ACTIVE_IN_FIXTURE = [...LADDER, ...GAME, ...OPAQUE_LADDER, SCALAR, CLOSES_SOON];

let sim: KalshiSimulator;
let clock: FakeClock;
let cache: MarketCache;

async function setup(catalogue: Catalogue = fixtureCatalogue()) {
  clock = new FakeClock();
  sim = await startKalshiSimulator({ port: 0, clock, catalogue });
  const client = new KalshiClient({ config: { baseUrl: sim.url, maxRetries: 0 }, clock });
  // These tests count requests and timers exactly: the background event prefetch is tested on its own.
  cache = new MarketCache({ client, clock, config: { refreshIntervalMs: REFRESH, prefetchEvents: false } });
}

/** Requests since `from` whose path ends with `suffix`. */
const sent = (from: number, suffix = '') =>
  sim.admin.requests.slice(from).filter((r) => r.path.endsWith(suffix));
const kinds = (lookups: MarketLookup[]) => lookups.map((l) => l.kind);
const market = (lookup: MarketLookup | undefined) => {
  assert.ok(lookup && lookup.kind !== 'unknown' && lookup.market);
  return lookup.market;
};
/** Lets one background refresh fire and finish (the next one is then the only timer). */
async function refreshOnce() {
  clock.advance(REFRESH);
  await waitFor(() => clock.pending === 1 && clock.pendingDelays()[0] === REFRESH, 'the refresh to finish');
}

describe('MarketCache', () => {
  beforeEach(() => setup());
  afterEach(async () => {
    cache.stop();
    await sim.close();
  });

  it('preloads the open catalogue at start and schedules the refresh', async () => {
    await cache.start();
    assert.equal(cache.size, ACTIVE_IN_FIXTURE.length);
    assert.equal(sim.admin.requests[0]?.query.get('status'), 'open');
    assert.deepEqual(clock.pendingDelays(), [REFRESH]);
  });

  it('serves leg lookups from the cache, with event facts fetched once per event', async () => {
    await cache.start();
    const from = sim.admin.requests.length;
    const [game, rung] = await cache.lookup([GAME[0], LADDER[0]]);
    assert.equal(game?.kind, 'found');
    assert.equal(market(game).mutuallyExclusive, true);
    assert.equal(market(game).seriesTicker, 'KXNFLGAME');
    assert.equal(market(rung).mutuallyExclusive, false);
    assert.equal(sent(from, '/markets').length, 0, 'no market request: the preload is fresh');
    assert.equal(sent(from).length, 2, 'one GET /events/{t} per event');
    await cache.lookup([GAME[1], LADDER[2]]);
    assert.equal(sent(from).length, 2, 'event facts are cached');
  });

  it('with prefetch on, the catalogue learns its events in the background: the listing shows exclusivity', async () => {
    cache.stop();
    const client = new KalshiClient({ config: { baseUrl: sim.url, maxRetries: 0 }, clock });
    cache = new MarketCache({ client, clock, config: { refreshIntervalMs: REFRESH, prefetchEvents: true } });
    await cache.start();
    const page = await cache.list({ limit: 1_000 });
    assert.equal(page.markets.find((m) => m.ticker === GAME[0])?.mutuallyExclusive, true);
    const rung = page.markets.find((m) => m.ticker === LADDER[0]);
    assert.equal(rung?.mutuallyExclusive, false);
    const from = sim.admin.requests.length;
    await cache.lookup([GAME[0], LADDER[0]]);
    assert.equal(sent(from).length, 0, 'a lookup after the prefetch asks Kalshi nothing');
  });

  it('a listing learns the events of its page before answering: an exclusive market is never listed as independent', async () => {
    // Prefetch off: nothing has asked about events when the first listing arrives (a client that lists
    // right after boot built parlays on `mutually_exclusive: false` and got EXCLUSION_GROUP_CONFLICT).
    await cache.start();
    const from = sim.admin.requests.length;
    const page = await cache.list({ limit: 1_000 });
    assert.equal(page.markets.find((m) => m.ticker === GAME[0])?.mutuallyExclusive, true);
    assert.equal(page.markets.find((m) => m.ticker === LADDER[0])?.mutuallyExclusive, false);
    const asked = sent(from).length;
    assert.ok(asked > 0, 'the events were fetched for the listing');
    await cache.list({ limit: 1_000 });
    assert.equal(sent(from).length, asked, 'and only once');
  });

  it('does not wait on a failing /events endpoint more than once per negative TTL', async () => {
    await cache.start();
    sim.admin.failNext(1, 503);
    const from = sim.admin.requests.length;
    const [first] = await cache.lookup([GAME[0]]);
    assert.equal(market(first).mutuallyExclusive, false, 'unknown exclusivity counts as independent');
    assert.equal(sent(from).length, 1);
    await cache.lookup([GAME[0]]);
    assert.equal(sent(from).length, 1, 'no second wait on the failing endpoint');
    await refreshOnce();
    await refreshOnce();
    const [later] = await cache.lookup([GAME[0]]);
    assert.equal(market(later).mutuallyExclusive, true, 'asked again after the TTL');
  });

  it('fetches a never-seen ticker on first sight', async () => {
    await cache.start();
    const [paused] = await cache.lookup([PAUSED]);
    assert.equal(market(paused).status, 'inactive');
    assert.equal(validateLegMarket(paused as MarketLookup, clock.now() + 300_000), 'MARKET_NOT_ACTIVE');
  });

  it('joins concurrent first sightings into one batched request', async () => {
    const from = sim.admin.requests.length;
    const [a, b] = await Promise.all([cache.lookup([LADDER[0]]), cache.lookup([LADDER[1], GAME[0]])]);
    assert.deepEqual([...kinds(a), ...kinds(b)], ['found', 'found', 'found']);
    const batches = sent(from, '/markets');
    assert.equal(batches.length, 1);
    assert.deepEqual(
      batches[0]?.query.get('tickers')?.split(',').sort(),
      [LADDER[0], LADDER[1], GAME[0]].sort(),
    );
  });

  it('keeps one fetch in flight per ticker', async () => {
    const release = sim.admin.hold();
    const from = sim.admin.requests.length;
    const first = cache.lookup([LADDER[0]]);
    await waitFor(() => sent(from, '/markets').length === 1, 'the first fetch');
    const second = cache.lookup([LADDER[0], LADDER[1]]);
    await waitFor(() => sent(from, '/markets').length === 2, 'the fetch of the other ticker');
    release();
    assert.deepEqual([...kinds(await first), ...kinds(await second)], ['found', 'found', 'found']);
    const asked = sent(from, '/markets').flatMap((r) => r.query.get('tickers')?.split(',') ?? []);
    assert.deepEqual(asked.sort(), [LADDER[0], LADDER[1]].sort(), 'LADDER[0] was asked once');
  });

  it('negatively caches unknown tickers for the TTL', async () => {
    const from = sim.admin.requests.length;
    assert.deepEqual(kinds(await cache.lookup(['NOPE-1'])), ['unknown']);
    assert.deepEqual(
      sent(from).map((r) => r.path),
      ['/trade-api/v2/markets', '/trade-api/v2/markets/NOPE-1'],
      'absent from the batch, then confirmed by a 404',
    );
    clock.advance(59_999);
    assert.deepEqual(kinds(await cache.lookup(['NOPE-1'])), ['unknown']);
    assert.equal(sent(from).length, 2, 'answered from the negative cache');
    clock.advance(1);
    assert.deepEqual(kinds(await cache.lookup(['NOPE-1'])), ['unknown']);
    assert.equal(sent(from).length, 4, 'asked again once the TTL ran out');
  });

  it('serves data within the freshness bound while Kalshi is down, and answers stale past it', async () => {
    await cache.start();
    await cache.lookup([LADDER[0]]);
    sim.admin.failNext(10_000, 503);
    await refreshOnce(); // t = 30 s: the refresh fails
    assert.equal((await cache.lookup([LADDER[0]]))[0]?.kind, 'found');
    await refreshOnce();
    await refreshOnce();
    await refreshOnce(); // t = 120 s: copies are exactly at the bound
    assert.equal((await cache.lookup([LADDER[0]]))[0]?.kind, 'found');
    clock.advance(1);
    const [stale] = await cache.lookup([LADDER[0]]);
    assert.equal(stale?.kind, 'stale');
    assert.equal(market(stale).ticker, LADDER[0], 'the old copy comes along, for the error details');
    assert.equal(validateLegMarket(stale as MarketLookup, clock.now() + 60_000), 'MARKET_DATA_STALE');
    assert.deepEqual(
      await cache.lookup([PAUSED]),
      [{ kind: 'stale', market: null }],
      'never seen and unreachable',
    );
    sim.admin.clearFaults();
    assert.deepEqual(
      kinds(await cache.lookup([LADDER[0], PAUSED])),
      ['found', 'found'],
      'fetched again on demand',
    );
  });

  it('refreshes in the background: status changes arrive and removed markets become unknown', async () => {
    await cache.start();
    await cache.lookup([LADDER[0], LADDER[1]]);
    sim.admin.determine(LADDER[0], 'yes');
    sim.admin.remove(LADDER[1]);
    await refreshOnce();
    const from = sim.admin.requests.length;
    const [determined, removed] = await cache.lookup([LADDER[0], LADDER[1]]);
    assert.equal(sent(from).length, 0, 'answered from the refreshed cache');
    assert.equal(market(determined).status, 'determined');
    assert.equal(removed?.kind, 'unknown');
    assert.equal(cache.facts([LADDER[0]])[0]?.result, 'yes');
  });

  it('derives ladders from strike_type/floor_strike keyed by series and event, not from tickers', async () => {
    await cache.start();
    assert.deepEqual(
      cache.facts([OPAQUE_LADDER[0]]).map((f) => f.ladder),
      [null],
      'no structure before the event (series) is known',
    );
    await cache.lookup([OPAQUE_LADDER[0], GAME[0], SCALAR]);
    const facts = cache.facts([...OPAQUE_LADDER, GAME[0], SCALAR, 'NEVER-SEEN']);
    assert.deepEqual(
      facts.slice(0, 3).map((f) => f.ladder),
      [1, 2, 3].map((floorStrike) => ({
        key: 'WXRAIN:WXRAIN-26JAN07',
        strikeType: 'greater',
        floorStrike,
        capStrike: null,
      })),
    );
    assert.deepEqual(facts[3], {
      ticker: GAME[0],
      eventTicker: 'KXNFLGAME-26JAN11BUFKC',
      mutuallyExclusive: true,
      ladder: null,
      result: null,
    });
    assert.equal(facts[4]?.ladder, null, 'a functional strike is no ladder');
    assert.deepEqual(facts[5], {
      ticker: 'NEVER-SEEN',
      eventTicker: 'NEVER-SEEN',
      mutuallyExclusive: false,
      ladder: null,
      result: null,
    });
  });

  it('gives the engine what leg validation needs', async () => {
    await cache.start();
    const expiresAt = clock.now() + 300_000;
    const lookups = await cache.lookup([LADDER[0], SCALAR, CLOSES_SOON, PAUSED, 'NOPE-3']);
    assert.deepEqual(
      lookups.map((l) => validateLegMarket(l, expiresAt)),
      [null, 'MARKET_NOT_BINARY', 'MARKET_CLOSES_BEFORE_EXPIRY', 'MARKET_NOT_ACTIVE', 'MARKET_NOT_FOUND'],
    );
  });

  it('lists the cached catalogue by keyset cursor', async () => {
    await cache.start();
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await cache.list({ limit: 4, status: 'active', cursor });
      all.push(...page.markets.map((m) => m.ticker));
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
    assert.deepEqual(all, [...ACTIVE_IN_FIXTURE].sort());
    assert.deepEqual((await cache.list({ limit: 10, status: 'closed' })).markets, []);
  });

  it('stops its timer and requests', async () => {
    await cache.start();
    cache.stop();
    assert.equal(clock.pending, 0);
  });
});

describe('MarketCache with an unreadable market', () => {
  afterEach(async () => {
    cache.stop();
    await sim.close();
  });

  it('keeps it out of the cache (stale) instead of guessing', async () => {
    const catalogue = fixtureCatalogue();
    const weird = {
      ...structuredClone(catalogue.markets[0]!),
      ticker: 'KXBTCD-26JAN0617-T1',
      status: 'frozen',
    };
    catalogue.markets.push(weird);
    await setup(catalogue);
    const [unreadable, fine] = await cache.lookup([weird.ticker, LADDER[0]]);
    assert.deepEqual(unreadable, { kind: 'stale', market: null });
    assert.equal(fine?.kind, 'found');
  });
});

describe('MarketCache over a full catalogue', () => {
  it('learns a page of many events at once without Node warning of a listener leak on its one signal', async () => {
    const sim = await startKalshiSimulator({ port: 0, seed: 7 });
    const client = new KalshiClient({ config: { baseUrl: sim.url, readsPerSecond: 10_000, burst: 1_000 } });
    const cache = new MarketCache({ client, config: { prefetchEvents: false } });
    const warnings: string[] = [];
    const onWarning = (w: Error) => {
      if (w.name === 'MaxListenersExceededWarning') warnings.push(w.message);
    };
    process.on('warning', onWarning);
    try {
      await cache.start();
      const page = await cache.list({ limit: 500 });
      const events = new Set(page.markets.map((m) => m.eventTicker));
      assert.ok(events.size > 20, `a page spanning many events (${events.size})`);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
      cache.stop();
      await sim.close();
    }
  });
});
