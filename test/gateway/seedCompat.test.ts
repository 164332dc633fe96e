/**
 * A market-maker bot written for the seed system, unchanged: JSON WebSocket without a subprotocol,
 * `{type:"auth", api_key}`, ping/pong, the seed's channels, REST with the TOTALIS_API_KEY header. It
 * knows only the seed's event names and fields; everything we add must be ignorable by it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, RFQ_BODY } from './support/http.ts';
import { JsonClient, type Msg } from './support/jsonClient.ts';
import { seedProblems, seedResponseProblems } from './support/seedSchema.ts';
import { startTestGateway, type TestGateway } from './support/server.ts';

/** The seed README's events and the fields it lists for each (full objects checked by schema). */
const SEED_EVENTS: Record<string, string | string[]> = {
  'rfq:created': 'ParlayTicket',
  'rfq:cancelled': ['rfq_id', 'reason'],
  'rfq:status': ['rfq_id', 'status', 'updated_at', 'accepted_quote_id'],
  'rfq:expired': ['rfq_id'],
  'quote:submitted': 'Quote',
  'quote:accepted': ['quote_id', 'rfq_id', 'confirmation_deadline'],
  'quote:confirmed': ['quote_id', 'rfq_id', 'execution_id'],
  'quote:executed': ['quote_id', 'rfq_id'],
  'quote:expired': ['quote_id', 'rfq_id'],
  'quote:rejected': ['quote_id', 'rfq_id', 'reason'],
  'quote:withdrawn': ['quote_id', 'rfq_id'],
  'position:created': ['rfq_id', 'position_pda', 'timestamp'],
  'position:settled': ['rfq_id', 'position_pda', 'outcome', 'tx_signature', 'timestamp'],
  'position:cancelled': ['rfq_id', 'reason'],
  'position:error': ['rfq_id', 'error', 'timestamp'],
};

/** What the seed bot does with a message: checks the seed fields of the events it knows, ignores the rest. */
function seedView(m: Msg): string[] {
  assert.equal(typeof m.type, 'string');
  const spec = SEED_EVENTS[m.type];
  if (!spec) return [];
  assert.equal(typeof m.data, 'object', `${m.type} carries data`);
  if (typeof spec === 'string') return seedProblems(spec, m.data);
  return spec.filter((field) => !(field in m.data)).map((field) => `${m.type}.${field} missing`);
}

let t: TestGateway;
let seedRest: string;
before(async () => {
  t = await startTestGateway();
  seedRest = t.gateway.compatUrl as string;
});
after(() => t.close());

const asSeed = (key: string) => ({ headers: { TOTALIS_API_KEY: key } });

describe('a bot written for the seed connects unchanged', { timeout: 30_000 }, () => {
  test('auth, ping, channels, the whole lifecycle, every event in the seed shape', async () => {
    const mmKey = t.plainMm.apiKey;
    const bot = await JsonClient.connect(t.wsUrl);
    assert.equal(bot.ws.protocol, '', 'no subprotocol asked, none imposed');
    bot.send({ type: 'auth', api_key: mmKey });
    const auth = await bot.type('auth:success');
    assert.equal(auth.user_id, t.plainMm.id);
    assert.equal(auth.user_type, 'market_maker');
    bot.send({ type: 'ping' });
    const pong = await bot.type('pong');
    assert.equal(typeof pong.timestamp, 'number');
    bot.send({ type: 'subscribe', channel: 'rfqs:open' });
    bot.send({ type: 'subscribe', channel: `mm:quotes:${auth.user_id}` });
    await bot.next((m) => m.type === 'snapshot' && m.channel === `mm:quotes:${auth.user_id}`);

    const owner = await JsonClient.authed(t.wsUrl, { api_key: t.users[0]!.apiKey });
    const created = await call(seedRest, 'POST', '/rfqs', { ...asSeed(t.users[0]!.apiKey), body: RFQ_BODY });
    const rfqId = created.body.id;
    await owner.subscribe(`rfq:${rfqId}`);

    const announced = await bot.next((m) => m.type === 'rfq:created' && m.data.id === rfqId);
    assert.equal(announced.data.bet_amount, 50);
    const quote = await call(seedRest, 'POST', '/mm/quotes', {
      ...asSeed(mmKey),
      body: { rfq_id: rfqId, payout_odds: 4.0, valid_for_seconds: 60 },
    });
    assert.equal(quote.status, 201);
    assert.deepEqual(seedResponseProblems('/mm/quotes', 'post', 201, quote.body), []);
    const submitted = await bot.next((m) => m.type === 'quote:submitted' && m.data.id === quote.body.id);
    assert.equal(submitted.data.payout_odds, 4);
    const ownerSaw = await owner.next((m) => m.type === 'quote:submitted');
    assert.equal(ownerSaw.data.id, quote.body.id);

    await call(seedRest, 'PUT', `/rfqs/${rfqId}/quotes/${quote.body.id}/accept`, asSeed(t.users[0]!.apiKey));
    const accepted = await bot.next((m) => m.type === 'quote:accepted' && m.data.rfq_id === rfqId);
    assert.equal(accepted.data.quote_id, quote.body.id);
    const confirmed = await call(seedRest, 'PUT', `/mm/quotes/${quote.body.id}/confirm`, asSeed(mmKey));
    assert.deepEqual(seedResponseProblems('/mm/quotes/{quoteId}/confirm', 'put', 200, confirmed.body), []);
    const confirmedEvent = await bot.next((m) => m.type === 'quote:confirmed' && m.data.rfq_id === rfqId);
    assert.equal(confirmedEvent.data.execution_id, confirmed.body.execution_id);
    await bot.next(
      (m) => m.type === 'rfq:status' && m.data.rfq_id === rfqId && m.data.status === 'confirmed',
    );

    await t.chain.order(rfqId);
    t.chain.sink.positionExecuted(rfqId, { positionAddress: 'SeedPos1', signature: 'SeedSig1' });
    await bot.next((m) => m.type === 'quote:executed' && m.data.rfq_id === rfqId);
    const position = await owner.type('position:created');
    assert.equal(position.data.position_pda, 'SeedPos1');
    t.engine.resolve(rfqId, 'loss');
    t.chain.sink.positionSettled(rfqId, {
      outcome: 'loss',
      payoutMicro: 0,
      feeMicro: 500_000,
      signature: 'SeedSettle1',
    });
    const settled = await owner.type('position:settled');
    assert.equal(settled.data.outcome, 'loss');
    assert.equal(settled.data.tx_signature, 'SeedSettle1');
    await owner.next((m) => m.type === 'rfq:status' && m.data.status === 'settled');

    for (const m of [...bot.messages, ...owner.messages])
      assert.deepEqual(seedView(m), [], JSON.stringify(m));
    assert.ok(
      bot.messages.some((m) => m.type === 'challenge'),
      'our extra messages are there, and ignorable',
    );
    await bot.close();
    await owner.close();
  });

  test('the endings: cancelled, expired, rejected, withdrawn, execution failure', async () => {
    const mm = await JsonClient.authed(t.wsUrl, { api_key: t.plainMm.apiKey });
    await mm.subscribe('rfqs:open');
    await mm.subscribe(`mm:quotes:${t.plainMm.id}`);
    const owner = await JsonClient.authed(t.wsUrl, { api_key: t.users[1]!.apiKey });
    await owner.subscribe(`user:rfqs:${t.users[1]!.id}`);
    const create = async () =>
      (await call(t.url, 'POST', '/rfqs', { key: t.users[1]!.apiKey, body: RFQ_BODY })).body.id as string;
    const quote = async (rfqId: string, seconds = 60) =>
      (
        await call(t.url, 'POST', '/mm/quotes', {
          key: t.plainMm.apiKey,
          body: { rfq_id: rfqId, payout_odds: 3, valid_for_seconds: seconds },
        })
      ).body.id as string;

    const a = await create();
    await quote(a);
    await call(t.url, 'DELETE', `/rfqs/${a}`, { key: t.users[1]!.apiKey });
    assert.equal(
      (await mm.next((m) => m.type === 'rfq:cancelled' && m.data.rfq_id === a)).data.reason,
      'user_cancelled',
    );
    assert.equal(
      (await mm.next((m) => m.type === 'quote:rejected' && m.data.rfq_id === a)).data.reason,
      'rfq_cancelled',
    );

    const b = await create();
    const qb = await quote(b, 1);
    await call(t.url, 'DELETE', `/mm/quotes/${qb}`, { key: t.plainMm.apiKey });
    await mm.next((m) => m.type === 'quote:withdrawn' && m.data.quote_id === qb);
    await quote(b, 1);
    t.clock.advance(1_000);
    await mm.next((m) => m.type === 'quote:expired' && m.data.rfq_id === b);
    t.clock.advance(300_000);
    await mm.next((m) => m.type === 'rfq:expired' && m.data.rfq_id === b);
    await owner.next((m) => m.type === 'rfq:expired' && m.data.rfq_id === b);

    const c = await create();
    const qc = await quote(c);
    await call(t.url, 'PUT', `/rfqs/${c}/quotes/${qc}/accept`, { key: t.users[1]!.apiKey });
    await call(t.url, 'PUT', `/mm/quotes/${qc}/confirm`, { key: t.plainMm.apiKey });
    await t.chain.order(c);
    t.chain.sink.executionFailed(c, 'blockhash expired');
    const failed = await owner.next((m) => m.type === 'position:error' && m.data.rfq_id === c);
    assert.match(failed.data.error, /blockhash expired/);
    await owner.next((m) => m.type === 'position:cancelled' && m.data.rfq_id === c);
    await mm.next((m) => m.type === 'position:cancelled' && m.data.rfq_id === c);
    await mm.next((m) => m.type === 'rfq:cancelled' && m.data.rfq_id === c);

    for (const m of [...mm.messages, ...owner.messages]) assert.deepEqual(seedView(m), [], JSON.stringify(m));
    await mm.close();
    await owner.close();
  });
});
