import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../engine/logger.ts';
import { ExampleBot } from '../../gateway/client/exampleBot.ts';
import { priceParlay, yesProbability } from '../../gateway/client/pricing.ts';
import { RestClient } from '../../gateway/client/restClient.ts';
import { JsonClient } from './support/jsonClient.ts';
import { startTestGateway, type TestGateway } from './support/server.ts';

let t: TestGateway;
before(async () => {
  t = await startTestGateway();
});
after(() => t.close());

describe('pricing', () => {
  test('fair odds are the inverse of the product of the legs’ probabilities, less the margin, rounded down', () => {
    const prices = new Map([
      ['A', { yes: 0.5 }],
      ['B', { yes: 0.4 }],
    ]);
    const legs = [
      { ticker: 'A', eventTicker: 'EA', side: 'yes' as const },
      { ticker: 'B', eventTicker: 'EB', side: 'no' as const },
    ];
    assert.equal(priceParlay(legs, prices, { marginBps: 0 }), 33_333);
    assert.equal(priceParlay(legs, prices, { marginBps: 500 }), 31_666);
    assert.equal(
      priceParlay([{ ticker: 'C', eventTicker: 'EC', side: 'yes' }], prices, { marginBps: 0 }),
      null,
    );
    assert.equal(
      priceParlay(
        legs,
        new Map([
          ['A', { yes: 0.999 }],
          ['B', { yes: 0.0001 }],
        ]),
        { marginBps: 500 },
      ),
      null,
    );
    assert.equal(yesProbability({ yes_bid: 0.4, yes_ask: 0.5 }), 0.45);
    assert.equal(yesProbability({ no_bid: 0.7, no_ask: 0.7 }), 1 - 0.7);
    assert.equal(yesProbability({}), null);
  });
});

describe('the example bot', { timeout: 30_000 }, () => {
  test('quotes each RFQ from the legs’ prices with its margin, and confirms what the user accepts', async () => {
    const mm = t.mms[0]!;
    const bot = new ExampleBot({
      url: t.url,
      wsUrl: t.wsUrl,
      apiKey: mm.apiKey,
      signingSecretKey: mm.signingSecretKey,
      marginBps: 500,
      logger: silentLogger(),
    });
    const userRest = new RestClient(t.url, { apiKey: t.users[0]!.apiKey });
    const early = await userRest.createRfq({
      legs: [
        { kalshi_market_ticker: 'KXC-26-T3', side: 'yes' },
        { kalshi_market_ticker: 'KXD-26-T4', side: 'yes' },
      ],
      bet_amount: 20,
    });
    await bot.start();
    const ws = await JsonClient.authed(t.wsUrl, { api_key: t.users[0]!.apiKey });
    await ws.subscribe(`user:rfqs:${t.users[0]!.id}`);
    const rfq = await userRest.createRfq({
      legs: [
        { kalshi_market_ticker: 'KXA-26-T1', side: 'yes' },
        { kalshi_market_ticker: 'KXB-26-T2', side: 'no' },
      ],
      bet_amount: 50,
    });
    const quoted = await ws.next((m) => m.type === 'quote:submitted' && m.data.parlay_ticket_id === rfq.id);
    assert.equal(quoted.data.payout_odds_fp, 31_666, '0.5 × 0.6 = 0.3 → fair 3.3333, less 5%');
    assert.equal(quoted.data.market_maker_id, mm.id);
    const fromSnapshot = await userRest.getRfq(early.id);
    const bookedEarly =
      fromSnapshot.quotes.length === 1 ? fromSnapshot : await waitForQuote(ws, early.id, userRest);
    assert.equal(bookedEarly.quotes[0]?.payout_odds_fp, Math.floor((1 / (0.25 * 0.8)) * 0.95 * 10_000));

    await userRest.acceptQuote(rfq.id, quoted.data.id);
    const confirmed = await ws.next(
      (m) => m.type === 'rfq:status' && m.data.rfq_id === rfq.id && m.data.status === 'confirmed',
    );
    assert.equal(
      confirmed.channel,
      `user:rfqs:${t.users[0]!.id}`,
      'confirmed by the bot: only it holds the quote',
    );
    await bot.stop();
    await ws.close();
  });
});

/** The bot quotes RFQs already open when it starts from its snapshot; wait for that quote to land. */
async function waitForQuote(ws: JsonClient, rfqId: string, rest: RestClient) {
  await ws.next((m) => m.type === 'quote:submitted' && m.data.parlay_ticket_id === rfqId);
  return rest.getRfq(rfqId);
}
