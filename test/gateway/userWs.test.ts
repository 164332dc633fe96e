import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, RFQ_BODY } from './support/http.ts';
import { JsonClient, type Msg } from './support/jsonClient.ts';
import { startTestGateway, type TestGateway } from './support/server.ts';

let t: TestGateway;
before(async () => {
  t = await startTestGateway();
});
after(() => t.close());

describe('the user WebSocket', { timeout: 30_000 }, () => {
  test('a user follows its RFQ: quotes arrive, the book best first, every status change', async () => {
    const user = t.users[0]!;
    const rfq = (await call(t.url, 'POST', '/rfqs', { key: user.apiKey, body: RFQ_BODY })).body;
    const ws = await JsonClient.authed(t.wsUrl, { api_key: user.apiKey });
    const sub = await ws.subscribe(`rfq:${rfq.id}`);
    assert.equal(sub.resumed, false);
    const snapshot = ws.messages.find((m) => m.type === 'snapshot');
    assert.equal(snapshot?.data.rfq.id, rfq.id);
    assert.equal(snapshot?.data.rfq.status, 'open');
    await ws.subscribe(`user:rfqs:${user.id}`);

    const quote = async (key: string, odds: number) =>
      (await call(t.url, 'POST', '/mm/quotes', { key, body: { rfq_id: rfq.id, payout_odds: odds } })).body;
    const q1 = await quote(t.mms[0]!.apiKey, 3);
    const q2 = await quote(t.mms[1]!.apiKey, 4);
    const arrived = await ws.next(
      (m) => m.type === 'quote:submitted' && m.channel === `rfq:${rfq.id}` && m.data.id === q2.id,
    );
    assert.equal(arrived.data.payout_odds, 4);
    const book = (m: Msg) => m.type === 'rfq:quotes' && m.channel === `rfq:${rfq.id}`;
    const ids = (m: Msg) => m.data.quotes.map((q: { id: string }) => q.id);
    const twoQuotes = await ws.next((m) => book(m) && m.data.quotes.length === 2);
    assert.deepEqual(ids(twoQuotes), [q2.id, q1.id], 'best odds first');

    const mm1 = await JsonClient.authed(t.wsUrl, { api_key: t.mms[0]!.apiKey });
    mm1.send({ type: 'quote:replace', request_id: 'better', rfq_id: rfq.id, payout_odds: 4.5 });
    const better = await mm1.next((m) => m.request_id === 'better');
    const reordered = await ws.next((m) => book(m) && ids(m)[0] === better.quote.id);
    assert.deepEqual(ids(reordered), [better.quote.id, q2.id]);

    await call(t.url, 'PUT', `/rfqs/${rfq.id}/quotes/${better.quote.id}/accept`, { key: user.apiKey });
    mm1.send({ type: 'quote:confirm', request_id: 'c', quote_id: better.quote.id });
    await mm1.next((m) => m.request_id === 'c');
    await t.chain.order(rfq.id);
    t.chain.sink.positionExecuted(rfq.id, { positionAddress: 'UserPos1', signature: 'UserSig1' });
    const created = await ws.next((m) => m.type === 'position:created' && m.channel === `rfq:${rfq.id}`);
    assert.equal(created.data.explorer_url, 'https://explorer.solana.com/tx/UserSig1?cluster=custom');
    const statuses = ws.messages
      .filter((m) => m.type === 'rfq:status' && m.channel === `rfq:${rfq.id}`)
      .map((m) => m.data.status);
    assert.deepEqual(statuses, ['quoted', 'accepted', 'confirmed', 'executed']);
    const rejected = ws.messages.find((m) => m.type === 'quote:rejected' && m.data.quote_id === q2.id);
    assert.equal(rejected?.data.reason, 'other_quote_accepted');
    const userSeqs = ws.messages
      .filter((m) => m.channel === `user:rfqs:${user.id}` && m.seq)
      .map((m) => m.seq);
    assert.deepEqual(
      userSeqs,
      userSeqs.map((_, i) => i + 1),
      'the user channel is sequenced too',
    );

    const next = (await call(t.url, 'POST', '/rfqs', { key: user.apiKey, body: RFQ_BODY })).body;
    const announced = await ws.next((m) => m.type === 'rfq:created' && m.channel === `user:rfqs:${user.id}`);
    assert.equal(announced.data.id, next.id);
    await mm1.close();
    await ws.close();
  });
});
