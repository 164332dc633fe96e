import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KalshiClient } from '../../engine/markets/client.ts';
import {
  KalshiAbortedError,
  KalshiNetworkError,
  KalshiNotFoundError,
  KalshiResponseShapeError,
  KalshiTimeoutError,
} from '../../engine/markets/errors.ts';
import { type KalshiSimulator, startKalshiSimulator } from '../../engine/markets/simulator/server.ts';
import { FakeClock } from './helpers/fakeClock.ts';
import { fixtureCatalogue, GAME, LADDER, OPAQUE_LADDER } from './helpers/fixtures.ts';
import { waitFor } from './helpers/wait.ts';

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/trade-api/v2` };
}

describe('KalshiClient against the simulator', () => {
  let sim: KalshiSimulator;
  const clock = new FakeClock();
  const client = () => new KalshiClient({ config: { baseUrl: sim.url, maxRetries: 0 }, clock });
  before(async () => {
    sim = await startKalshiSimulator({ port: 0, clock, catalogue: fixtureCatalogue() });
  });
  after(() => sim.close());

  it('GET /markets/{ticker} → MarketInfo stamped with the clock', async () => {
    const market = await client().getMarket(LADDER[1]);
    assert.equal(market.ticker, LADDER[1]);
    assert.equal(market.status, 'active');
    assert.equal(market.floorStrike, 100000);
    assert.equal(market.fetchedAt, clock.now());
  });

  it('an unknown ticker is a KalshiNotFoundError, asked once', async () => {
    const before = sim.admin.requests.length;
    await assert.rejects(client().getMarket('NOPE-1'), KalshiNotFoundError);
    assert.equal(sim.admin.requests.length - before, 1);
  });

  it('GET /markets?tickers= in chunks, following each chunk’s cursor until it is empty', async () => {
    const c = new KalshiClient({
      config: { baseUrl: sim.url, maxRetries: 0, tickersPerRequest: 3, pageLimit: 2 },
      clock,
    });
    const wanted = [...LADDER, ...GAME, ...OPAQUE_LADDER, 'NOPE-2', LADDER[0]];
    const before = sim.admin.requests.length;
    const { markets, missing, invalid } = await c.getMarkets(wanted);
    assert.deepEqual([...markets.keys()].sort(), [...LADDER, ...GAME, ...OPAQUE_LADDER].sort());
    assert.deepEqual(missing, ['NOPE-2']);
    assert.deepEqual(invalid, []);
    const sent = sim.admin.requests.slice(before);
    // 9 distinct tickers → 3 chunks of 3. At limit 2, a chunk of 3 known markets takes 2 pages and the
    // chunk holding the unknown ticker (2 known) takes 1: 5 requests.
    assert.equal(sent.length, 5);
    assert.ok(sent.every((r) => r.path === '/trade-api/v2/markets' && r.query.get('limit') === '2'));
    const chunks = new Set(sent.map((r) => r.query.get('tickers')));
    assert.equal(chunks.size, 3);
    for (const chunk of chunks) assert.equal(chunk?.split(',').length, 3);
    assert.ok(
      sent.some((r) => r.query.has('cursor')),
      'follow-up pages carry the cursor',
    );
  });

  it('lists the whole open catalogue over several pages', async () => {
    const c = new KalshiClient({ config: { baseUrl: sim.url, maxRetries: 0, pageLimit: 4 }, clock });
    const { markets } = await c.listAllMarkets({ status: 'open' });
    const active = sim.admin.tickers().filter((t) => sim.admin.market(t)?.status === 'active');
    assert.deepEqual(
      markets.map((m) => m.ticker),
      active,
    );
    const page = await c.listMarkets({ status: 'open', limit: 4 });
    assert.equal(page.markets.length, 4);
    assert.notEqual(page.cursor, null);
  });

  it('GET /events/{t} with nested markets', async () => {
    const event = await client().getEvent('KXNFLGAME-26JAN11BUFKC', { withNestedMarkets: true });
    assert.equal(event.mutuallyExclusive, true);
    assert.equal(event.seriesTicker, 'KXNFLGAME');
    assert.deepEqual(
      event.markets.map((m) => m.ticker),
      [...GAME],
    );
    assert.equal(sim.admin.requests.at(-1)?.query.get('with_nested_markets'), 'true');
  });

  it('an aborted request rejects with KalshiAbortedError', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(client().getMarket(LADDER[0], { signal: controller.signal }), KalshiAbortedError);
  });
});

describe('KalshiClient against misbehaving servers', () => {
  it('times out on the injected clock', async () => {
    let received = 0;
    const { server, url } = await listen(() => {
      received += 1; // never answers
    });
    const clock = new FakeClock();
    const client = new KalshiClient({
      config: { baseUrl: url, maxRetries: 0, requestTimeoutMs: 5_000 },
      clock,
    });
    const pending = client.getMarket('ANY');
    await waitFor(() => received === 1, 'the request to arrive');
    assert.deepEqual(clock.pendingDelays(), [5_000]);
    clock.advance(5_000);
    await assert.rejects(pending, KalshiTimeoutError);
    server.closeAllConnections();
    server.close();
  });

  it('a 200 that is not JSON is a KalshiResponseShapeError, not a crash', async () => {
    const { server, url } = await listen((_req, res) => res.end('<html>hello</html>'));
    const client = new KalshiClient({ config: { baseUrl: url, maxRetries: 3 }, clock: new FakeClock() });
    await assert.rejects(
      client.getMarket('ANY'),
      (e: unknown) => e instanceof KalshiResponseShapeError && e.at === 'body',
    );
    server.closeAllConnections();
    server.close();
  });

  it('a refused connection is a KalshiNetworkError', async () => {
    const { server, url } = await listen(() => {});
    await new Promise((resolve) => server.close(resolve));
    const client = new KalshiClient({ config: { baseUrl: url, maxRetries: 0 }, clock: new FakeClock() });
    await assert.rejects(client.getMarket('ANY'), KalshiNetworkError);
  });
});
