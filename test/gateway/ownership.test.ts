import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MmClient } from '../../gateway/client/mmClient.ts';
import { MmCommandError } from '../../gateway/client/types.ts';
import { call, RFQ_BODY } from './support/http.ts';
import { JsonClient } from './support/jsonClient.ts';
import { ProtoClient } from './support/protoClient.ts';
import { record } from './support/recorder.ts';
import { startTestGateway, type TestGateway } from './support/server.ts';

let t: TestGateway;
before(async () => {
  t = await startTestGateway();
});
after(() => t.close());

describe('only the owner acts, and market makers never see each other’s quotes', { timeout: 30_000 }, () => {
  test('a user cannot read, cancel, accept or follow another user’s RFQ', async () => {
    const [alice, bob] = [t.users[0]!, t.users[1]!];
    const rfq = (await call(t.url, 'POST', '/rfqs', { key: alice.apiKey, body: RFQ_BODY })).body;
    const quote = (
      await call(t.url, 'POST', '/mm/quotes', {
        key: t.mms[0]!.apiKey,
        body: { rfq_id: rfq.id, payout_odds: 3 },
      })
    ).body;
    for (const [method, path] of [
      ['GET', `/rfqs/${rfq.id}`],
      ['GET', `/rfqs/${rfq.id}/quotes`],
      ['DELETE', `/rfqs/${rfq.id}`],
      ['PUT', `/rfqs/${rfq.id}/quotes/${quote.id}/accept`],
    ] as const) {
      const res = await call(t.url, method, path, { key: bob.apiKey });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.body.error.code, 'FORBIDDEN');
    }
    const ws = await JsonClient.authed(t.wsUrl, { api_key: bob.apiKey });
    for (const channel of [
      `rfq:${rfq.id}`,
      `user:rfqs:${alice.id}`,
      'rfqs:open',
      `mm:quotes:${t.mms[0]!.id}`,
    ]) {
      const answer = await ws.subscribe(channel);
      assert.equal(answer.type, 'error', channel);
      assert.equal(answer.code, 'FORBIDDEN', channel);
    }
    const still = await call(t.url, 'GET', `/rfqs/${rfq.id}`, { key: alice.apiKey });
    assert.equal(still.body.status, 'quoted', 'nothing changed');
    await ws.close();
  });

  test('an MM cannot confirm, reject or withdraw another MM’s quote, over REST or WebSocket', async () => {
    const [mm1, mm2] = [t.mms[0]!, t.mms[1]!];
    const rfq = (await call(t.url, 'POST', '/rfqs', { key: t.users[0]!.apiKey, body: RFQ_BODY })).body;
    const quote = (
      await call(t.url, 'POST', '/mm/quotes', { key: mm1.apiKey, body: { rfq_id: rfq.id, payout_odds: 3 } })
    ).body;
    assert.equal((await call(t.url, 'DELETE', `/mm/quotes/${quote.id}`, { key: mm2.apiKey })).status, 403);
    await call(t.url, 'PUT', `/rfqs/${rfq.id}/quotes/${quote.id}/accept`, { key: t.users[0]!.apiKey });
    assert.equal(
      (await call(t.url, 'PUT', `/mm/quotes/${quote.id}/confirm`, { key: mm2.apiKey })).status,
      403,
    );
    assert.equal(
      (await call(t.url, 'PUT', `/mm/quotes/${quote.id}/reject`, { key: mm2.apiKey })).status,
      403,
    );
    const other = new MmClient({
      url: t.wsUrl,
      apiKey: mm2.apiKey,
      signingSecretKey: mm2.signingSecretKey,
      reconnect: false,
    });
    await other.connect();
    for (const attempt of [
      () => other.confirmQuote(quote.id),
      () => other.rejectQuote(quote.id),
      () => other.withdrawQuote(quote.id),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      assert.ok(error instanceof MmCommandError);
      assert.equal(error.code, 'FORBIDDEN');
    }
    const confirmed = await call(t.url, 'PUT', `/mm/quotes/${quote.id}/confirm`, { key: mm1.apiKey });
    assert.equal(confirmed.status, 200, 'the owner still can');
    await other.close();
  });

  test('an MM sees only its own quotes: REST lists, snapshots, and its streams', async () => {
    const [mm1, mm2] = [t.mms[0]!, t.mms[1]!];
    const watcher = new MmClient({
      url: t.wsUrl,
      apiKey: mm2.apiKey,
      signingSecretKey: mm2.signingSecretKey,
      reconnect: false,
    });
    const log = record(watcher);
    await watcher.connect();
    const rfq = (await call(t.url, 'POST', '/rfqs', { key: t.users[0]!.apiKey, body: RFQ_BODY })).body;
    const theirs = (
      await call(t.url, 'POST', '/mm/quotes', { key: mm1.apiKey, body: { rfq_id: rfq.id, payout_odds: 3 } })
    ).body;
    const mine = await watcher.submitQuote({ rfqId: rfq.id, oddsFp: 29_000 });
    await log.event.next((e) => e.type === 'rfq.quoteCount' && e.rfqId === rfq.id && e.liveQuotes === 2);

    const asMm = await call(t.url, 'GET', `/rfqs/${rfq.id}`, { key: mm2.apiKey });
    assert.deepEqual(
      asMm.body.quotes.map((q: { id: string }) => q.id),
      [mine.quote?.id],
    );
    const board = await call(t.url, 'GET', '/mm/rfqs', { key: mm2.apiKey });
    const entry = board.body.rfqs.find((r: { id: string }) => r.id === rfq.id);
    assert.deepEqual(
      entry.quotes.map((q: { id: string }) => q.id),
      [mine.quote?.id],
    );
    const listed = await call(t.url, 'GET', '/mm/quotes?limit=500', { key: mm2.apiKey });
    assert.ok(listed.body.quotes.every((q: { market_maker_id: string }) => q.market_maker_id === mm2.id));

    const raw = await ProtoClient.authed(t.wsUrl, mm2.apiKey, mm2.signingSecretKey);
    raw.send({ case: 'subscribe', value: { channel: `mm:quotes:${mm1.id}` } });
    assert.equal((await raw.next('error')).code, 'FORBIDDEN');
    raw.send({ case: 'subscribe', value: { channel: 'rfqs:open' } });
    const snapshot = await raw.next('snapshot');
    const quotesInSnapshot = snapshot.quotes.map((q) => q.mmId);
    assert.ok(quotesInSnapshot.length > 0 && quotesInSnapshot.every((id) => id === mm2.id));
    raw.ws.close();

    const quoteEvents = log.event.items.filter((e) => 'quote' in e || 'quoteId' in e);
    assert.ok(quoteEvents.length > 0);
    for (const e of quoteEvents) {
      const mmId = 'quote' in e ? e.quote.mmId : 'mmId' in e ? e.mmId : null;
      assert.equal(mmId, mm2.id, `${e.type} on ${e.channel}`);
    }
    assert.ok(
      !JSON.stringify(log.event.items).includes(theirs.id),
      "the other MM's quote id never reaches this MM",
    );
    await watcher.close();
  });
});
