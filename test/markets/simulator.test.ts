import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { generateCatalogue } from '../../engine/markets/simulator/catalogue.ts';
import { type KalshiSimulator, startKalshiSimulator } from '../../engine/markets/simulator/server.ts';
import type {
  KalshiGetEventResponse,
  KalshiGetMarketsResponse,
  KalshiMarketJson,
} from '../../engine/markets/wire.ts';
import { FakeClock, T0 } from './helpers/fakeClock.ts';
import { loadFixture } from './helpers/fixtures.ts';

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const post = async (url: string, body: unknown = {}) => {
  const res = await fetch(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('simulator catalogue', () => {
  const catalogue = generateCatalogue(7, T0);

  it('is deterministic from the seed and start time', () => {
    assert.deepEqual(generateCatalogue(7, T0), catalogue);
    assert.notDeepEqual(generateCatalogue(8, T0).markets, catalogue.markets);
  });

  it('holds a few hundred markets with the structures the engine must handle', () => {
    const { markets, events } = catalogue;
    assert.ok(markets.length >= 250 && markets.length <= 600, `${markets.length} markets`);
    assert.equal(new Set(markets.map((m) => m.ticker)).size, markets.length, 'tickers are unique');
    const exclusive = events.filter((e) => e.mutually_exclusive);
    assert.ok(exclusive.every((e) => e.collateral_return_type === 'MECNET'));
    assert.ok(
      events.filter((e) => !e.mutually_exclusive).every((e) => e.collateral_return_type === 'DIRECNET'),
    );
    const inEvent = (prefix: string) => markets.filter((m) => m.event_ticker.startsWith(prefix));
    assert.ok(
      inEvent('KXNBAGAME-').length >= 2 && exclusive.some((e) => e.series_ticker === 'KXNBAGAME'),
      'game winners',
    );
    assert.ok(
      exclusive.some((e) => e.series_ticker === 'KXNBA'),
      'championship bracket',
    );
    assert.ok(
      inEvent('KXBTC-').some(
        (m) => m.strike_type === 'between' && m.floor_strike != null && m.cap_strike != null,
      ),
    );
    const ladder = inEvent('KXBTCD-').filter((m) => m.event_ticker === inEvent('KXBTCD-')[0]?.event_ticker);
    assert.ok(
      ladder.length >= 5 &&
        ladder.every((m) => m.strike_type === 'greater' && typeof m.floor_strike === 'number'),
    );
    assert.ok(
      inEvent('KXNBAPTS-').every((m) => m.strike_type === 'greater_or_equal'),
      'player prop ladders',
    );
    assert.ok(markets.some((m) => m.market_type === 'scalar'));
    assert.ok(markets.some((m) => m.status === 'initialized'));
    assert.ok(markets.some((m) => m.status === 'inactive'));
  });

  it('produces markets with every field of a real Kalshi market, and no legacy cent fields', () => {
    const real = loadFixture<{ market: KalshiMarketJson }>('market.json').market;
    const keys = Object.keys(real).filter((k) => k !== 'strike_type' && k !== 'floor_strike');
    for (const m of catalogue.markets) {
      for (const key of keys) assert.ok(key in m, `${m.ticker} lacks ${key}`);
      for (const legacy of ['yes_bid', 'yes_ask', 'no_bid', 'no_ask', 'last_price', 'volume'])
        assert.ok(!(legacy in m));
      assert.match(m.yes_bid_dollars, /^\d\.\d{4}$/);
      assert.match(m.volume_fp, /^\d+\.\d{2}$/);
    }
  });
});

describe('simulator over HTTP', () => {
  let sim: KalshiSimulator;
  const clock = new FakeClock();
  before(async () => {
    sim = await startKalshiSimulator({ port: 0, seed: 7, clock });
  });
  after(() => sim.close());

  it('answers GET /markets with cursor pagination until the cursor is empty', async () => {
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const { status, body } = await get(
        `${sim.url}/markets?status=open&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.equal(status, 200);
      const page = body as unknown as KalshiGetMarketsResponse;
      seen.push(...page.markets.map((m) => m.ticker));
      assert.ok(page.markets.every((m) => m.status === 'active'));
      cursor = page.cursor;
      pages += 1;
    } while (cursor !== '');
    const active = sim.admin.tickers().filter((t) => sim.admin.market(t)?.status === 'active');
    assert.deepEqual(seen, active);
    assert.ok(pages >= 3);
  });

  it('filters by tickers and refuses bad queries with Kalshi error bodies', async () => {
    const [a, b] = sim.admin.tickers();
    const { body } = await get(`${sim.url}/markets?tickers=${a},${b},NOPE`);
    assert.deepEqual(
      (body as unknown as KalshiGetMarketsResponse).markets.map((m) => m.ticker),
      [a, b],
    );
    const tooMany = await get(`${sim.url}/markets?limit=1001`);
    assert.equal(tooMany.status, 400);
    assert.deepEqual(Object.keys(tooMany.body.error as object).sort(), ['code', 'message', 'service']);
    assert.equal(
      (await get(`${sim.url}/markets?status=active`)).status,
      400,
      'status filters use Kalshi filter words',
    );
    const missing = await get(`${sim.url}/markets/NOPE-1`);
    assert.equal(missing.status, 404);
    assert.equal((missing.body.error as { code: string }).code, 'not_found');
  });

  it('answers GET /events/{t}, nesting markets only when asked', async () => {
    const game = sim.admin.tickers().find((t) => t.startsWith('KXNBAGAME-')) as string;
    const eventTicker = sim.admin.market(game)?.event_ticker as string;
    const plain = (await get(`${sim.url}/events/${eventTicker}`)).body as unknown as KalshiGetEventResponse;
    assert.equal(plain.event.mutually_exclusive, true);
    assert.equal(plain.event.markets, undefined);
    assert.equal(plain.markets.length, 2);
    const nested = (await get(`${sim.url}/events/${eventTicker}?with_nested_markets=true`))
      .body as unknown as KalshiGetEventResponse;
    assert.equal(nested.event.markets?.length, 2);
  });

  it('runs the lifecycle through the admin HTTP API: close, determine, dispute, amend, finalize', async () => {
    const ticker = sim.admin.tickers().find((t) => t.startsWith('KXNHLGAME-')) as string;
    assert.equal((await post(`${sim.adminUrl}/markets/${ticker}/close`)).status, 200);
    assert.equal(sim.admin.market(ticker)?.status, 'closed');
    const bad = await post(`${sim.adminUrl}/markets/${ticker}/determine`, { result: 'maybe' });
    assert.equal(bad.status, 400);
    const determined = await post(`${sim.adminUrl}/markets/${ticker}/determine`, { result: 'yes' });
    assert.equal((determined.body.market as KalshiMarketJson).status, 'determined');
    assert.equal((determined.body.market as KalshiMarketJson).settlement_value_dollars, '1.0000');
    await post(`${sim.adminUrl}/markets/${ticker}/dispute`);
    const amended = await post(`${sim.adminUrl}/markets/${ticker}/amend`, { result: 'no' });
    assert.equal((amended.body.market as KalshiMarketJson).status, 'amended');
    const finalized = await post(`${sim.adminUrl}/markets/${ticker}/finalize`);
    assert.equal((finalized.body.market as KalshiMarketJson).status, 'finalized');
    assert.equal((finalized.body.market as KalshiMarketJson).result, 'no');
    assert.equal(
      (await post(`${sim.adminUrl}/markets/${ticker}/finalize`)).status,
      409,
      'finalized is terminal',
    );
  });

  it('voids (finalized, no result) and removes (404) markets', async () => {
    const [voided, removed] = sim.admin.tickers().filter((t) => t.startsWith('KXNFLGAME-'));
    const v = (await post(`${sim.adminUrl}/markets/${voided}/void`)).body.market as KalshiMarketJson;
    assert.deepEqual([v.status, v.result], ['finalized', '']);
    await post(`${sim.adminUrl}/markets/${removed}/remove`);
    assert.equal((await get(`${sim.url}/markets/${removed}`)).status, 404);
  });

  it('closes markets at close_time on the scenario clock and finalizes them after the settlement timer', async () => {
    const ticker = sim.admin.tickers().find((t) => t.startsWith('KXBTCD-')) as string;
    const closeMs = Date.parse(sim.admin.market(ticker)?.close_time as string);
    const advanced = await post(`${sim.adminUrl}/clock/advance`, { ms: closeMs - sim.admin.now() });
    assert.equal(advanced.body.now, closeMs);
    assert.equal(sim.admin.market(ticker)?.status, 'closed');
    sim.admin.determine(ticker, 'no');
    sim.admin.advanceClock(299_000);
    assert.equal(sim.admin.market(ticker)?.status, 'determined');
    sim.admin.advanceClock(1_000);
    assert.equal(sim.admin.market(ticker)?.status, 'finalized');
  });

  it('publishes determinations and settlements on the market_lifecycle_v2 WebSocket', async () => {
    const ws = new WebSocket(sim.wsUrl);
    const messages: Array<Record<string, unknown>> = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ id: 3, cmd: 'subscribe', params: { channels: ['market_lifecycle_v2'] } }));
    while (messages.length === 0) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(messages[0], {
      id: 3,
      type: 'subscribed',
      msg: { channel: 'market_lifecycle_v2', sid: 1 },
    });
    const ticker = sim.admin
      .tickers()
      .find((t) => sim.admin.market(t)?.status === 'active' && t.startsWith('KXFED')) as string;
    sim.admin.determine(ticker, 'yes');
    sim.admin.finalize(ticker);
    while (messages.length < 3) await new Promise((resolve) => setImmediate(resolve));
    const [determined, settled] = messages.slice(1) as Array<{ seq: number; msg: Record<string, unknown> }>;
    assert.equal(determined?.seq, 1);
    assert.deepEqual(
      { ...determined?.msg, determination_ts: 0 },
      {
        market_ticker: ticker,
        event_type: 'determined',
        result: 'yes',
        determination_ts: 0,
        settlement_value: '1.0000',
      },
    );
    assert.equal(settled?.seq, 2);
    assert.equal(settled?.msg.event_type, 'settled');
    assert.equal(typeof settled?.msg.settled_ts, 'number');
    ws.close();
  });
});
