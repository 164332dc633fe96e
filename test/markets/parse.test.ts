import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KalshiResponseShapeError } from '../../engine/markets/errors.ts';
import {
  parseErrorBody,
  parseEventResponse,
  parseMarketResponse,
  parseMarketsPage,
} from '../../engine/markets/parse.ts';
import { loadFixture } from './helpers/fixtures.ts';

const REQ = 'GET /trade-api/v2/markets';
const AT = 1_767_614_400_000;
const market = () => loadFixture<{ market: Record<string, unknown> }>('market.json');
const withMarket = (overrides: Record<string, unknown>) => ({ market: { ...market().market, ...overrides } });

describe('parse: Kalshi JSON into MarketInfo', () => {
  it('reads a market in the current shape (dollar strings, strike fields)', () => {
    const info = parseMarketResponse(REQ, market(), AT);
    assert.deepEqual(info, {
      ticker: 'KXBTCD-26JAN0617-T100000',
      eventTicker: 'KXBTCD-26JAN0617',
      seriesTicker: null,
      title: 'Bitcoin price on Jan 6, 2026 at 5pm EST?',
      subtitle: '$100,000 or above',
      category: null,
      status: 'active',
      marketType: 'binary',
      openTime: Date.parse('2026-01-04T15:00:00Z'),
      closeTime: Date.parse('2026-01-06T22:00:00Z'),
      expectedExpirationTime: Date.parse('2026-01-06T22:05:00Z'),
      result: '',
      yesBidDollars: '0.4200',
      yesAskDollars: '0.4400',
      noBidDollars: '0.5600',
      noAskDollars: '0.5800',
      lastPriceDollars: '0.4300',
      strikeType: 'greater',
      floorStrike: 100000,
      capStrike: null,
      mutuallyExclusive: false,
      fetchedAt: AT,
    });
  });

  it('reads a finalized market without a result (void)', () => {
    const info = parseMarketResponse(REQ, loadFixture('market-finalized-void.json'), AT);
    assert.equal(info.status, 'finalized');
    assert.equal(info.result, '');
    assert.equal(info.strikeType, null);
  });

  it('reads a page with its cursor, and an empty cursor as the last page', () => {
    const page = parseMarketsPage(REQ, loadFixture('markets-page.json'), AT);
    assert.deepEqual(
      page.markets.map((m) => [m.ticker, m.floorStrike]),
      [
        ['KXBTCD-26JAN0617-T97500', 97500],
        ['KXBTCD-26JAN0617-T100000', 100000],
        ['KXBTCD-26JAN0617-T102500', 102500],
      ],
    );
    assert.equal(page.cursor, 'CgsI8JvKywYQ4K7TchIZS1hCVENELTI2SkFOMDYxNy1UMTAyNTAw');
    assert.equal(parseMarketsPage(REQ, { markets: [], cursor: '' }, AT).cursor, null);
    assert.equal(parseMarketsPage(REQ, { markets: [] }, AT).cursor, null);
  });

  it('reads an event with nested markets and its exclusivity', () => {
    const event = parseEventResponse(
      'GET /trade-api/v2/events/KXNFLGAME-26JAN11BUFKC',
      loadFixture('event.json'),
      AT,
    );
    assert.equal(event.eventTicker, 'KXNFLGAME-26JAN11BUFKC');
    assert.equal(event.seriesTicker, 'KXNFLGAME');
    assert.equal(event.mutuallyExclusive, true);
    assert.deepEqual(
      event.markets.map((m) => m.ticker),
      ['KXNFLGAME-26JAN11BUFKC-KC', 'KXNFLGAME-26JAN11BUFKC-BUF'],
    );
  });

  it('reads the error envelope, and survives a body that is not JSON', () => {
    assert.deepEqual(parseErrorBody(JSON.stringify(loadFixture('error-not-found.json'))), {
      code: 'not_found',
      message: 'not found',
    });
    assert.deepEqual(parseErrorBody('<html>bad gateway</html>'), {
      code: null,
      message: '<html>bad gateway</html>',
    });
  });

  it('accepts strikes sent as strings (WebSocket style) and reads "void" as no result', () => {
    const info = parseMarketResponse(
      REQ,
      withMarket({ floor_strike: '4487', result: 'void', status: 'finalized' }),
      AT,
    );
    assert.equal(info.floorStrike, 4487);
    assert.equal(info.result, '');
  });

  it('reads an unknown strike_type as no structure and odd prices as absent', () => {
    const info = parseMarketResponse(REQ, withMarket({ strike_type: 'quantum', yes_bid_dollars: 42 }), AT);
    assert.equal(info.strikeType, null);
    assert.equal(info.yesBidDollars, null);
  });

  it('turns every shape it cannot trust into a KalshiResponseShapeError naming the field', () => {
    const bad: Array<[unknown, string]> = [
      [null, 'body'],
      [{ market: 'x' }, 'market'],
      [withMarket({ status: 'settled' }), 'market.status'],
      [withMarket({ status: undefined }), 'market.status'],
      [withMarket({ market_type: 'combo' }), 'market.market_type'],
      [withMarket({ close_time: 'tomorrow' }), 'market.close_time'],
      [withMarket({ ticker: '' }), 'market.ticker'],
      [withMarket({ result: 'maybe' }), 'market.result'],
      [withMarket({ floor_strike: 'lots' }), 'market.floor_strike'],
    ];
    for (const [body, at] of bad) {
      assert.throws(
        () => parseMarketResponse(REQ, body, AT),
        (error: unknown) => error instanceof KalshiResponseShapeError && error.at === at,
        at,
      );
    }
    assert.throws(() => parseMarketsPage(REQ, { markets: {} }, AT), KalshiResponseShapeError);
    assert.throws(() => parseMarketsPage(REQ, { markets: [], cursor: 7 }, AT), KalshiResponseShapeError);
    assert.throws(
      () => parseEventResponse(REQ, { event: { event_ticker: 'E', series_ticker: 'S' } }, AT),
      KalshiResponseShapeError,
    );
  });

  it('keeps the good markets of a page and reports the bad ones by ticker', () => {
    const page = loadFixture<{ markets: Array<Record<string, unknown>> }>('markets-page.json');
    (page.markets[1] as Record<string, unknown>).status = 'exploded';
    const parsed = parseMarketsPage(REQ, page, AT);
    assert.equal(parsed.markets.length, 2);
    assert.equal(parsed.invalid.length, 1);
    assert.equal(parsed.invalid[0]?.ticker, 'KXBTCD-26JAN0617-T100000');
    assert.equal(parsed.invalid[0]?.error.at, 'markets[1].status');
  });
});
