import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MmClient } from '../../gateway/client/mmClient.ts';
import { call, RFQ_BODY } from './support/http.ts';
import { JsonClient } from './support/jsonClient.ts';
import { startTestGateway, type TestGateway } from './support/server.ts';

let t: TestGateway;
before(async () => {
  t = await startTestGateway();
});
after(() => t.close());

const mmClient = (cancelOnDisconnect: boolean) => {
  const mm = t.mms[0]!;
  return new MmClient({
    url: t.wsUrl,
    apiKey: mm.apiKey,
    signingSecretKey: mm.signingSecretKey,
    cancelOnDisconnect,
    reconnect: false,
  });
};
const connections = async (n: number) => {
  while (t.gateway.stats().connections !== n) await new Promise((r) => setImmediate(r));
};
const status = async (key: string, quoteId: string, rfqId: string) =>
  (await call(t.url, 'GET', `/mm/quotes?rfq_id=${rfqId}`, { key })).body.quotes.find(
    (q: { id: string }) => q.id === quoteId,
  );

describe('cancel-on-disconnect', { timeout: 30_000 }, () => {
  test("the MM's live quotes are withdrawn when its last connection, one that asked for it, drops", async () => {
    const owner = await JsonClient.authed(t.wsUrl, { api_key: t.users[0]!.apiKey });
    const rfq = (await call(t.url, 'POST', '/rfqs', { key: t.users[0]!.apiKey, body: RFQ_BODY })).body;
    await owner.subscribe(`rfq:${rfq.id}`);
    const guarded = mmClient(true);
    const plain = mmClient(false);
    assert.equal((await guarded.connect()).cancelOnDisconnect, true);
    assert.equal((await plain.connect()).cancelOnDisconnect, false);
    const quote = (await guarded.submitQuote({ rfqId: rfq.id, oddsFp: 30_000 })).quote!;

    await guarded.close();
    await connections(2);
    assert.equal(
      (await status(t.mms[0]!.apiKey, quote.id, rfq.id)).status,
      'pending',
      'another connection is still open',
    );

    const again = mmClient(false);
    await again.connect();
    assert.equal((await again.setCancelOnDisconnect(true)).cancelOnDisconnect, true);
    await plain.close();
    await connections(2);
    assert.equal((await status(t.mms[0]!.apiKey, quote.id, rfq.id)).status, 'pending');
    await again.close();
    const withdrawn = await owner.next((m) => m.type === 'quote:withdrawn' && m.data.quote_id === quote.id);
    assert.equal(withdrawn.data.reason, 'mm_disconnected');
    assert.equal((await status(t.mms[0]!.apiKey, quote.id, rfq.id)).status, 'withdrawn');
    await owner.close();
  });

  test('without it, quotes outlive the connection; in JSON mode it is asked for in the auth message', async () => {
    const rfq = (await call(t.url, 'POST', '/rfqs', { key: t.users[0]!.apiKey, body: RFQ_BODY })).body;
    const keeper = mmClient(false);
    await keeper.connect();
    const kept = (await keeper.submitQuote({ rfqId: rfq.id, oddsFp: 30_000 })).quote!;
    await keeper.close();
    await connections(0);

    const json = await JsonClient.authed(t.wsUrl, { api_key: t.plainMm.apiKey, cancel_on_disconnect: true });
    assert.equal(json.messages.find((m) => m.type === 'auth:success')?.cancel_on_disconnect, true);
    const owner = await JsonClient.authed(t.wsUrl, { api_key: t.users[0]!.apiKey });
    await owner.subscribe(`rfq:${rfq.id}`);
    json.send({ type: 'quote:submit', request_id: 'j1', rfq_id: rfq.id, payout_odds: 2.5 });
    const ack = await json.next((m) => m.request_id === 'j1');
    await json.close();
    await owner.next((m) => m.type === 'quote:withdrawn' && m.data.quote_id === ack.quote.id);
    assert.equal((await status(t.mms[0]!.apiKey, kept.id, rfq.id)).status, 'pending');
    await owner.close();
  });
});
