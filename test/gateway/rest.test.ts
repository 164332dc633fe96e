import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, RFQ_BODY } from './support/http.ts';
import { ourProblems } from './support/ours.ts';
import { seedProblems, seedResponseProblems } from './support/seedSchema.ts';
import { startTestGateway, type TestGateway } from './support/server.ts';

let t: TestGateway;
let base: string;
before(async () => {
  t = await startTestGateway({ users: 2, mms: 2 });
  base = t.url;
});
after(() => t.close());

const user = () => t.users[0]!.apiKey;
const mm = (i: number) => t.mms[i]!.apiKey;

async function createRfq(key = user(), body: unknown = RFQ_BODY) {
  const res = await call(base, 'POST', '/rfqs', { key, body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

describe('REST, the seed API', { timeout: 30_000 }, () => {
  test('create, list, read and cancel an RFQ, in the seed shapes with exact micro amounts beside them', async () => {
    const rfq = await createRfq();
    assert.deepEqual(seedResponseProblems('/rfqs', 'post', 201, rfq), []);
    assert.deepEqual(ourProblems('ParlayTicket', rfq), []);
    assert.equal(rfq.status, 'open');
    assert.equal(rfq.bet_amount, 50);
    assert.equal(rfq.bet_amount_micro, 50_000_000);
    assert.equal(rfq.legs.length, 2);
    assert.equal(rfq.legs[0].kalshi_event_ticker, 'KXA-26');
    assert.equal(rfq.legs[1].current_no_price, 0.6);
    assert.equal(rfq.implied_probability, 0.3);
    assert.notEqual(rfq.legs[0].id, rfq.legs[1].id);
    assert.equal(Date.parse(rfq.expires_at) - Date.parse(rfq.created_at), 300_000);

    const list = await call(base, 'GET', '/rfqs', { key: user() });
    assert.equal(list.status, 200);
    assert.deepEqual(seedResponseProblems('/rfqs', 'get', 200, list.body), []);
    assert.ok(list.body.rfqs.some((r: { id: string }) => r.id === rfq.id));
    const open = await call(base, 'GET', '/rfqs?status=open&limit=100', { key: user() });
    assert.ok(open.body.rfqs.every((r: { status: string }) => r.status === 'open'));
    const other = await call(base, 'GET', '/rfqs', { key: t.users[1]!.apiKey });
    assert.ok(
      !other.body.rfqs.some((r: { id: string }) => r.id === rfq.id),
      'a user lists only its own RFQs',
    );

    const one = await call(base, 'GET', `/rfqs/${rfq.id}`, { key: user() });
    assert.deepEqual(seedResponseProblems('/rfqs/{id}', 'get', 200, one.body), []);
    assert.deepEqual(one.body.quotes, []);

    const cancelled = await call(base, 'DELETE', `/rfqs/${rfq.id}`, {
      key: user(),
      body: { reason: 'changed my mind' },
    });
    assert.equal(cancelled.status, 204);
    const after = await call(base, 'GET', `/rfqs/${rfq.id}`, { key: user() });
    assert.equal(after.body.status, 'cancelled');
    assert.equal(after.body.cancellation_reason, 'changed my mind');
    const again = await call(base, 'DELETE', `/rfqs/${rfq.id}`, { key: user() });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'RFQ_NOT_CANCELLABLE');
    assert.deepEqual(seedProblems('ApiError', again.body), []);
  });

  test('market makers quote, the user sees quotes best first and accepts, the market maker confirms', async () => {
    const rfq = await createRfq();
    const q1 = await call(base, 'POST', '/mm/quotes', {
      key: mm(0),
      body: { rfq_id: rfq.id, payout_odds: 3.5, valid_for_seconds: 60 },
    });
    assert.equal(q1.status, 201, JSON.stringify(q1.body));
    assert.deepEqual(seedResponseProblems('/mm/quotes', 'post', 201, q1.body), []);
    assert.deepEqual(ourProblems('Quote', q1.body), []);
    assert.equal(q1.body.total_payout, 175);
    assert.equal(q1.body.mm_payout, 125);
    assert.equal(q1.body.payout_odds_fp, 35_000);
    const q2 = await call(base, 'POST', '/mm/quotes', {
      key: mm(1),
      body: { rfq_id: rfq.id, payout_odds: 4.25, leg_prices: [{ leg_id: rfq.legs[0].id, odds: 2 }] },
    });
    assert.equal(q2.status, 201);
    const dup = await call(base, 'POST', '/mm/quotes', {
      key: mm(0),
      body: { rfq_id: rfq.id, payout_odds: 3.6 },
    });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'QUOTE_ALREADY_EXISTS');

    const quotes = await call(base, 'GET', `/rfqs/${rfq.id}/quotes`, { key: user() });
    assert.deepEqual(seedResponseProblems('/rfqs/{id}/quotes', 'get', 200, quotes.body), []);
    assert.deepEqual(
      quotes.body.quotes.map((q: { id: string }) => q.id),
      [q2.body.id, q1.body.id],
      'best odds first',
    );

    const board = await call(base, 'GET', '/mm/rfqs?limit=500', { key: mm(0) });
    assert.deepEqual(seedResponseProblems('/mm/rfqs', 'get', 200, board.body), []);
    const seen = board.body.rfqs.find((r: { id: string }) => r.id === rfq.id);
    assert.deepEqual(
      seen.quotes.map((q: { id: string }) => q.id),
      [q1.body.id],
      'an MM sees only its own quote',
    );
    const mine = await call(base, 'GET', `/mm/quotes?rfq_id=${rfq.id}`, { key: mm(0) });
    assert.deepEqual(seedResponseProblems('/mm/quotes', 'get', 200, mine.body), []);
    assert.deepEqual(
      mine.body.quotes.map((q: { id: string }) => q.id),
      [q1.body.id],
    );

    const accepted = await call(base, 'PUT', `/rfqs/${rfq.id}/quotes/${q2.body.id}/accept`, { key: user() });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.deepEqual(
      seedResponseProblems('/rfqs/{id}/quotes/{quoteId}/accept', 'put', 200, accepted.body),
      [],
    );
    assert.deepEqual(ourProblems('AcceptQuoteResponse', accepted.body), []);
    assert.equal(accepted.body.status, 'accepted');
    assert.equal(accepted.body.total_payout, 212.5);
    assert.equal(Date.parse(accepted.body.confirmation_deadline), t.clock.now() + 5_000);
    const rejected = await call(base, 'GET', `/mm/quotes?status=rejected&rfq_id=${rfq.id}`, { key: mm(0) });
    assert.equal(rejected.body.quotes[0].reason, 'other_quote_accepted');

    const wrongMm = await call(base, 'PUT', `/mm/quotes/${q2.body.id}/confirm`, { key: mm(0) });
    assert.equal(wrongMm.status, 403);
    const confirmed = await call(base, 'PUT', `/mm/quotes/${q2.body.id}/confirm`, { key: mm(1) });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.deepEqual(seedResponseProblems('/mm/quotes/{quoteId}/confirm', 'put', 200, confirmed.body), []);
    assert.deepEqual(ourProblems('ConfirmQuoteResponse', confirmed.body), []);
    assert.equal(confirmed.body.execution_id, rfq.id);
    assert.equal(confirmed.body.collateral_micro, 162_500_000);
    const final = await call(base, 'GET', `/rfqs/${rfq.id}`, { key: user() });
    assert.equal(final.body.status, 'confirmed');
    assert.deepEqual(ourProblems('ParlayTicketWithQuotes', final.body), []);
  });

  test('withdraw and reject, the endpoints the seed lacks', async () => {
    const rfq = await createRfq();
    const q = await call(base, 'POST', '/mm/quotes', {
      key: mm(0),
      body: { rfq_id: rfq.id, payout_odds: 3 },
    });
    const withdrawn = await call(base, 'DELETE', `/mm/quotes/${q.body.id}`, { key: mm(0) });
    assert.equal(withdrawn.status, 200);
    assert.equal(withdrawn.body.status, 'withdrawn');
    const twice = await call(base, 'DELETE', `/mm/quotes/${q.body.id}`, { key: mm(0) });
    assert.equal(twice.body.error.code, 'QUOTE_NOT_LIVE');
    const q2 = await call(base, 'POST', '/mm/quotes', {
      key: mm(0),
      body: { rfq_id: rfq.id, payout_odds: 3.1 },
    });
    await call(base, 'PUT', `/rfqs/${rfq.id}/quotes/${q2.body.id}/accept`, { key: user() });
    const declined = await call(base, 'PUT', `/mm/quotes/${q2.body.id}/reject`, { key: mm(0) });
    assert.equal(declined.status, 200);
    assert.equal(declined.body.status, 'rejected');
    const ended = await call(base, 'GET', `/rfqs/${rfq.id}`, { key: user() });
    assert.equal(ended.body.status, 'cancelled');
    assert.equal(ended.body.cancellation_reason, 'mm_rejected');
  });

  test('bad input is a 400 that names the field, and changes nothing', async () => {
    const before = (await call(base, 'GET', '/rfqs?limit=100', { key: t.users[1]!.apiKey })).body.rfqs.length;
    const cases: Array<[unknown, string, string]> = [
      [{ ...RFQ_BODY, foo: 1 }, 'INVALID_REQUEST', 'foo'],
      [
        { ...RFQ_BODY, legs: [{ ...RFQ_BODY.legs[0], note: 'x' }, RFQ_BODY.legs[1]] },
        'INVALID_REQUEST',
        'legs[0].note',
      ],
      [{ ...RFQ_BODY, bet_amount: '50' }, 'INVALID_REQUEST', 'bet_amount'],
      [{ bet_amount: 50 }, 'INVALID_REQUEST', 'legs'],
      [
        { ...RFQ_BODY, legs: [RFQ_BODY.legs[0], { kalshi_market_ticker: 'KXB-26-T2', side: 'maybe' }] },
        'INVALID_REQUEST',
        'legs[1].side',
      ],
      [{ ...RFQ_BODY, expires_in_seconds: 61.5 }, 'INVALID_REQUEST', 'expires_in_seconds'],
      [{ ...RFQ_BODY, bet_amount: 50.1234567 }, 'AMOUNT_PRECISION', 'bet_amount'],
      [{ ...RFQ_BODY, bet_amount: -50 }, 'INVALID_REQUEST', 'bet_amount'],
    ];
    for (const [body, code, field] of cases) {
      const res = await call(base, 'POST', '/rfqs', { key: t.users[1]!.apiKey, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, code);
      assert.equal(res.body.error.details.field, field);
      assert.deepEqual(seedProblems('ApiError', res.body), []);
    }
    const codes: Array<[unknown, string]> = [
      [{ ...RFQ_BODY, bet_amount: 5 }, 'BET_OUT_OF_RANGE'],
      [{ ...RFQ_BODY, legs: [RFQ_BODY.legs[0]] }, 'LEG_COUNT_OUT_OF_RANGE'],
      [{ ...RFQ_BODY, expires_in_seconds: 10 }, 'EXPIRY_OUT_OF_RANGE'],
      [{ ...RFQ_BODY, legs: [RFQ_BODY.legs[0], RFQ_BODY.legs[0]] }, 'DUPLICATE_MARKET'],
    ];
    for (const [body, code] of codes) {
      const res = await call(base, 'POST', '/rfqs', { key: t.users[1]!.apiKey, body });
      assert.equal(res.body.error.code, code);
    }
    const unknown = await call(base, 'POST', '/rfqs', {
      key: t.users[1]!.apiKey,
      body: { ...RFQ_BODY, legs: [RFQ_BODY.legs[0], { kalshi_market_ticker: 'KXNOPE-1', side: 'yes' }] },
    });
    assert.equal(unknown.body.error.code, 'INVALID_LEGS');
    assert.deepEqual(unknown.body.error.details.leg_errors, [
      { index: 1, ticker: 'KXNOPE-1', code: 'MARKET_NOT_FOUND', message: 'Market not found' },
    ]);
    const malformed = await call(base, 'POST', '/rfqs', { key: t.users[1]!.apiKey, raw: '{"legs": [' });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.details.reason, 'malformed JSON');
    const array = await call(base, 'POST', '/rfqs', { key: t.users[1]!.apiKey, raw: '[1,2]' });
    assert.equal(array.body.error.details.reason, 'must be a JSON object');
    const huge = await call(base, 'POST', '/rfqs', {
      key: t.users[1]!.apiKey,
      raw: `{"x":"${'a'.repeat(70_000)}"}`,
    });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, 'PAYLOAD_TOO_LARGE');

    const rfq = await createRfq();
    const odds = await call(base, 'POST', '/mm/quotes', {
      key: mm(0),
      body: { rfq_id: rfq.id, payout_odds: 2.12345 },
    });
    assert.equal(odds.body.error.code, 'ODDS_PRECISION');
    const range = await call(base, 'POST', '/mm/quotes', {
      key: mm(0),
      body: { rfq_id: rfq.id, payout_odds: 1.001 },
    });
    assert.equal(range.body.error.code, 'ODDS_OUT_OF_RANGE');
    const low = await call(base, 'POST', '/mm/quotes', {
      key: mm(0),
      body: { rfq_id: rfq.id, payout_odds: 1 },
    });
    assert.equal(low.body.error.code, 'ODDS_OUT_OF_RANGE');
    const notUuid = await call(base, 'POST', '/mm/quotes', {
      key: mm(0),
      body: { rfq_id: 'abc', payout_odds: 2 },
    });
    assert.equal(notUuid.body.error.details.field, 'rfq_id');

    for (const [path, field] of [
      ['/rfqs?limit=0', 'limit'],
      ['/rfqs?limit=1.5', 'limit'],
      ['/rfqs?limit=5&limit=6', 'limit'],
      ['/rfqs?status=done', 'status'],
      ['/rfqs?sort=asc', 'sort'],
      ['/rfqs/not-a-uuid', 'id'],
    ] as const) {
      const res = await call(base, 'GET', path, { key: t.users[1]!.apiKey });
      assert.equal(res.status, 400, path);
      assert.equal(res.body.error.details.field, field, path);
    }
    const missing = await call(base, 'GET', '/rfqs/00000000-0000-4000-8000-000000000000', { key: user() });
    assert.equal(missing.status, 404);
    const route = await call(base, 'GET', '/nowhere');
    assert.equal(route.status, 404);
    assert.equal(route.body.error.code, 'NOT_FOUND');
    const after = (await call(base, 'GET', '/rfqs?limit=100', { key: t.users[1]!.apiKey })).body.rfqs.length;
    assert.equal(after, before, 'no refused request created anything');
  });

  test('Idempotency-Key: a replay gets the first response, a different request is a conflict, keys are per caller', async () => {
    const key = t.users[1]!.apiKey;
    const headers = { 'idempotency-key': 'order-42' };
    const [a, b] = await Promise.all([
      call(base, 'POST', '/rfqs', { key, body: RFQ_BODY, headers }),
      call(base, 'POST', '/rfqs', { key, body: RFQ_BODY, headers }),
    ]);
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.equal(a.body.id, b.body.id, 'concurrent duplicates share the first response');
    const c = await call(base, 'POST', '/rfqs', { key, body: RFQ_BODY, headers });
    assert.equal(c.body.id, a.body.id);
    assert.equal(c.headers.get('idempotent-replayed'), 'true');
    const listed = await call(base, 'GET', '/rfqs?limit=100', { key });
    assert.equal(listed.body.rfqs.filter((r: { id: string }) => r.id === a.body.id).length, 1);
    const conflict = await call(base, 'POST', '/rfqs', {
      key,
      body: { ...RFQ_BODY, bet_amount: 60 },
      headers,
    });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.error.code, 'IDEMPOTENCY_CONFLICT');
    const otherCaller = await call(base, 'POST', '/rfqs', { key: user(), body: RFQ_BODY, headers });
    assert.equal(otherCaller.status, 201);
    assert.notEqual(otherCaller.body.id, a.body.id, 'the same key from another principal is another request');

    const q = await call(base, 'POST', '/mm/quotes', {
      key: mm(0),
      body: { rfq_id: a.body.id, payout_odds: 2 },
    });
    const acceptPath = `/rfqs/${a.body.id}/quotes/${q.body.id}/accept`;
    const first = await call(base, 'PUT', acceptPath, { key, headers: { 'idempotency-key': 'accept-1' } });
    const replay = await call(base, 'PUT', acceptPath, { key, headers: { 'idempotency-key': 'accept-1' } });
    assert.equal(first.status, 200);
    assert.deepEqual(replay.body, first.body);
    const fresh = await call(base, 'PUT', acceptPath, { key });
    assert.equal(fresh.status, 409, 'without the key, a second accept is refused');
    const badKey = await call(base, 'POST', '/rfqs', {
      key,
      body: RFQ_BODY,
      headers: { 'idempotency-key': 'x'.repeat(300) },
    });
    assert.equal(badKey.body.error.details.field, 'Idempotency-Key');
  });

  test('markets: the cached catalogue, paged and filtered, and the exclusion groups', async () => {
    const page1 = await call(base, 'GET', '/markets?limit=2');
    assert.equal(page1.status, 200);
    assert.deepEqual(seedResponseProblems('/markets', 'get', 200, page1.body), []);
    assert.deepEqual(ourProblems('MarketList', page1.body), []);
    assert.equal(page1.body.count, 2);
    assert.equal(page1.body.has_more, true);
    const tickers: string[] = page1.body.markets.map((m: { ticker: string }) => m.ticker);
    let cursor = page1.body.next_cursor;
    while (cursor) {
      const next = await call(base, 'GET', `/markets?limit=2&cursor=${encodeURIComponent(cursor)}`);
      tickers.push(...next.body.markets.map((m: { ticker: string }) => m.ticker));
      cursor = next.body.next_cursor;
    }
    assert.equal(tickers.length, 6);
    assert.equal(new Set(tickers).size, 6);
    const politics = await call(base, 'GET', '/markets?category=Politics');
    assert.deepEqual(
      politics.body.markets.map((m: { ticker: string }) => m.ticker),
      ['KXE-26-T5'],
    );
    assert.equal(politics.body.category, 'Politics');
    const groups = await call(base, 'GET', '/markets/exclusion-groups');
    assert.deepEqual(seedResponseProblems('/markets/exclusion-groups', 'get', 200, groups.body), []);
    assert.deepEqual(groups.body, { exclusion_groups: [] });
  });

  test('health, metrics and the OpenAPI 3.1 document covering every seed path under /rfqs, /mm, /markets', async () => {
    const health = await call(base, 'GET', '/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(ourProblems('HealthStatus', health.body), []);
    const metrics = await call(base, 'GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /gateway_http_requests_total\{route="createRfq",status="201"\}/);
    assert.match(metrics.body, /process_cpu_user_seconds_total/);
    const doc = await call(base, 'GET', '/openapi.json');
    assert.equal(doc.body.openapi, '3.1.0');
    const { seedPaths } = await import('./support/seedSchema.ts');
    for (const { path, method } of seedPaths()) {
      if (!/^\/(rfqs|mm|markets)/.test(path)) continue;
      assert.ok(doc.body.paths[path]?.[method], `${method.toUpperCase()} ${path} in /openapi.json`);
    }
    for (const extra of [
      '/mm/quotes/{quoteId}',
      '/mm/quotes/{quoteId}/reject',
      '/healthz',
      '/metrics',
      '/openapi.json',
    ]) {
      assert.ok(doc.body.paths[extra], extra);
    }
    assert.equal(doc.body.components.securitySchemes.apiKeyAuth.name, 'TOTALIS_API_KEY');
    assert.equal(doc.body.components.schemas.CreateRFQRequest.additionalProperties, false);
    assert.ok(
      doc.body.paths['/rfqs'].post.requestBody.content['application/json'].schema.$ref.endsWith(
        'CreateRFQRequest',
      ),
    );
  });

  test("the compat listener takes the seed's TOTALIS_API_KEY header, which uWS refuses", async () => {
    assert.ok(t.gateway.compatUrl);
    const headers = { TOTALIS_API_KEY: user() };
    const created = await call(t.gateway.compatUrl, 'POST', '/rfqs', { body: RFQ_BODY, headers });
    assert.equal(created.status, 201);
    assert.deepEqual(seedResponseProblems('/rfqs', 'post', 201, created.body), []);
    const read = await call(t.gateway.compatUrl, 'GET', `/rfqs/${created.body.id}`, { headers });
    assert.equal(read.body.id, created.body.id);
    const sameOnMain = await call(base, 'GET', `/rfqs/${created.body.id}`, { key: user() });
    assert.deepEqual(sameOnMain.body, read.body);
    const anonymous = await call(t.gateway.compatUrl, 'GET', '/rfqs');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error.code, 'UNAUTHORIZED');
  });
});
