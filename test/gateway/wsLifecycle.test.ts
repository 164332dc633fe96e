import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MmClient } from '../../gateway/client/mmClient.ts';
import { MmCommandError, type MmEvent } from '../../gateway/client/types.ts';
import { SUBPROTOCOL } from '../../gateway/ws/messages.ts';
import { call, RFQ_BODY } from './support/http.ts';
import { JsonClient } from './support/jsonClient.ts';
import { record } from './support/recorder.ts';
import { startTestGateway, type TestGateway } from './support/server.ts';

let t: TestGateway;
before(async () => {
  t = await startTestGateway();
});
after(() => t.close());

const createRfq = async () =>
  (await call(t.url, 'POST', '/rfqs', { key: t.users[0]!.apiKey, body: RFQ_BODY })).body;
type Of<K extends MmEvent['type']> = MmEvent & { type: K };
const is =
  <K extends MmEvent['type']>(type: K, rfqId: string, also: (e: Of<K>) => boolean = () => true) =>
  (e: MmEvent): e is Of<K> =>
    e.type === type && e.rfqId === rfqId && also(e as Of<K>);

describe('the whole lifecycle over the binary protocol (SDK)', { timeout: 30_000 }, () => {
  test('created → quoted → replaced → accepted → confirmed → executed → settled', async () => {
    const mm = t.mms[0]!;
    const client = new MmClient({
      url: t.wsUrl,
      apiKey: mm.apiKey,
      signingSecretKey: mm.signingSecretKey,
      reconnect: false,
    });
    const log = record(client);
    const auth = await client.connect();
    assert.equal(auth.mmId, mm.id);
    const rfq = await createRfq();

    const created = await log.event.next(is('rfq.created', rfq.id));
    assert.equal(created.channel, 'rfqs:open');
    assert.equal(created.rfq.betMicro, 50_000_000);
    assert.deepEqual(
      created.rfq.legs.map((l) => [l.ticker, l.side]),
      [
        ['KXA-26-T1', 'yes'],
        ['KXB-26-T2', 'no'],
      ],
    );
    assert.equal(created.rfq.expiresAt, Date.parse(rfq.expires_at));

    const first = await client.submitQuote({ rfqId: rfq.id, oddsFp: 30_000 });
    assert.match(first.requestId, /^r\d+$/);
    assert.equal(first.quote?.status, 'pending');
    assert.equal(first.rfqStatus, 'quoted');
    const replaced = await client.replaceQuote({ rfqId: rfq.id, oddsFp: 32_500, validForMs: 30_000 });
    assert.notEqual(replaced.quote?.id, first.quote?.id);
    const withdrawn = await log.event.next(is('quote.withdrawn', rfq.id));
    assert.equal(withdrawn.quoteId, first.quote?.id);
    assert.equal(withdrawn.reason, 'replaced');
    const submitted = await log.event.next(
      is('quote.submitted', rfq.id, (e) => e.quote.id === replaced.quote?.id),
    );
    assert.equal(submitted.replacedQuoteId, first.quote?.id);
    assert.equal(submitted.quote.totalPayoutMicro, 162_500_000);
    const count = await log.event.next(is('rfq.quoteCount', rfq.id));
    assert.equal(count.liveQuotes, 1);

    const accepted = await call(t.url, 'PUT', `/rfqs/${rfq.id}/quotes/${replaced.quote?.id}/accept`, {
      key: t.users[0]!.apiKey,
    });
    assert.equal(accepted.status, 200);
    const acceptedEvent = await log.event.next(is('quote.accepted', rfq.id));
    assert.equal(acceptedEvent.channel, `mm:quotes:${mm.id}`);
    assert.equal(acceptedEvent.confirmDeadline, t.clock.now() + 5_000);
    const quoted = await log.event.next(is('rfq.status', rfq.id, (e) => e.channel === 'rfqs:open'));
    assert.equal(quoted.status, 'quoted');
    const taken = await log.event.next(is('rfq.status', rfq.id, (e) => e.channel === 'rfqs:open'));
    assert.equal(taken.status, 'accepted', 'accepted takes the RFQ off the board');

    const confirmed = await client.confirmQuote(replaced.quote!.id);
    assert.equal(confirmed.rfqStatus, 'confirmed');
    const confirmedEvent = await log.event.next(is('quote.confirmed', rfq.id));
    assert.equal(confirmedEvent.executionId, rfq.id);
    assert.equal(confirmedEvent.collateralMicro, 112_500_000);

    await t.chain.order(rfq.id);
    t.chain.sink.positionExecuted(rfq.id, { positionAddress: 'PosAddr111', signature: 'TxSig111' });
    const executed = await log.event.next(is('position.executed', rfq.id));
    assert.equal(executed.signature, 'TxSig111');
    assert.equal(executed.positionAddress, 'PosAddr111');
    assert.equal(executed.txUrl, 'https://explorer.solana.com/tx/TxSig111?cluster=custom');
    assert.equal(executed.positionUrl, 'https://explorer.solana.com/address/PosAddr111?cluster=custom');

    t.engine.resolve(rfq.id, 'win');
    t.chain.sink.positionSettled(rfq.id, {
      outcome: 'win',
      payoutMicro: 161_375_000,
      feeMicro: 1_125_000,
      signature: 'TxSettle1',
    });
    const settled = await log.event.next(is('position.settled', rfq.id));
    assert.equal(settled.outcome, 'win');
    assert.equal(settled.payoutMicro, 161_375_000);
    const final = await log.event.next(is('rfq.status', rfq.id, (e) => e.status === 'settled'));
    assert.equal(final.channel, `mm:quotes:${mm.id}`);

    const seqs = log.event.items.filter((e) => e.channel === 'rfqs:open').map((e) => e.seq);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => (seqs[0] as number) + i),
      'rfqs:open is gap-free',
    );
    await client.close();
  });

  test('withdraw, reject and refusals: each answered with the request id and the error code', async () => {
    const mm = t.mms[1]!;
    const client = new MmClient({
      url: t.wsUrl,
      apiKey: mm.apiKey,
      signingSecretKey: mm.signingSecretKey,
      reconnect: false,
    });
    const log = record(client);
    await client.connect();
    const a = await createRfq();
    const q = await client.submitQuote({ rfqId: a.id, oddsFp: 25_000 });
    const out = await client.withdrawQuote(q.quote!.id);
    assert.equal(out.quote?.status, 'withdrawn');
    const again = await client.withdrawQuote(q.quote!.id).catch((e: unknown) => e);
    assert.ok(again instanceof MmCommandError);
    assert.equal(again.code, 'QUOTE_NOT_LIVE');
    assert.match(again.requestId ?? '', /^r\d+$/);

    const b = await createRfq();
    const q2 = await client.submitQuote({ rfqId: b.id, oddsFp: 25_000 });
    await call(t.url, 'PUT', `/rfqs/${b.id}/quotes/${q2.quote?.id}/accept`, { key: t.users[0]!.apiKey });
    const declined = await client.rejectQuote(q2.quote!.id);
    assert.equal(declined.quote?.status, 'rejected');
    const cancelled = await log.event.next(is('rfq.cancelled', b.id));
    assert.equal(cancelled.reason, 'mm_rejected');

    for (const [attempt, code] of [
      [() => client.confirmQuote('00000000-0000-4000-8000-000000000000'), 'NOT_FOUND'],
      [() => client.submitQuote({ rfqId: a.id, oddsFp: 10_000 }), 'ODDS_OUT_OF_RANGE'],
      [() => client.submitQuote({ rfqId: b.id, oddsFp: 20_000 }), 'RFQ_NOT_QUOTABLE'],
    ] as const) {
      const error = await attempt().catch((e: unknown) => e);
      assert.ok(error instanceof MmCommandError);
      assert.equal(error.code, code);
    }
    await client.close();
  });
});

describe('the whole lifecycle over the JSON protocol (raw ws client)', { timeout: 30_000 }, () => {
  test('the same flow with JSON commands, each ack echoing its request_id', async () => {
    const mm = t.plainMm;
    const client = await JsonClient.authed(t.wsUrl, { api_key: mm.apiKey }, [SUBPROTOCOL.json]);
    assert.equal(client.ws.protocol, SUBPROTOCOL.json);
    await client.subscribe('rfqs:open');
    await client.subscribe(`mm:quotes:${mm.id}`);
    const rfq = await createRfq();
    const created = await client.next((m) => m.type === 'rfq:created' && m.data.id === rfq.id);
    assert.equal(created.channel, 'rfqs:open');
    assert.equal(created.data.bet_amount, 50);

    client.send({
      type: 'quote:submit',
      request_id: 'sub-1',
      rfq_id: rfq.id,
      payout_odds: 3.25,
      valid_for_seconds: 30,
    });
    const ack = await client.next((m) => m.request_id === 'sub-1');
    assert.equal(ack.type, 'ack');
    assert.equal(ack.quote.payout_odds, 3.25);
    assert.equal(ack.rfq_status, 'quoted');
    client.send({ type: 'quote:submit', request_id: 'sub-2', rfq_id: rfq.id, payout_odds: 3.3 });
    const dup = await client.next((m) => m.request_id === 'sub-2');
    assert.equal(dup.type, 'error');
    assert.equal(dup.code, 'QUOTE_ALREADY_EXISTS');
    client.send({ type: 'quote:replace', request_id: 'rep-1', rfq_id: rfq.id, payout_odds: 3.3 });
    const replaced = await client.next((m) => m.request_id === 'rep-1');
    assert.equal(replaced.type, 'ack');

    await call(t.url, 'PUT', `/rfqs/${rfq.id}/quotes/${replaced.quote.id}/accept`, {
      key: t.users[0]!.apiKey,
    });
    const accepted = await client.next((m) => m.type === 'quote:accepted' && m.data.rfq_id === rfq.id);
    assert.equal(accepted.data.quote_id, replaced.quote.id);
    assert.equal(Date.parse(accepted.data.confirmation_deadline), t.clock.now() + 5_000);
    client.send({ type: 'quote:confirm', request_id: 'conf-1', quote_id: replaced.quote.id });
    const confirmed = await client.next((m) => m.request_id === 'conf-1');
    assert.equal(confirmed.rfq_status, 'confirmed');
    const confirmedEvent = await client.next((m) => m.type === 'quote:confirmed');
    assert.equal(confirmedEvent.data.execution_id, rfq.id);

    await t.chain.order(rfq.id);
    t.chain.sink.positionExecuted(rfq.id, { positionAddress: 'PosAddr222', signature: 'TxSig222' });
    const executed = await client.next((m) => m.type === 'quote:executed');
    assert.equal(executed.data.position_pda, 'PosAddr222');
    assert.equal(executed.data.tx_signature, 'TxSig222');
    assert.equal(executed.data.explorer_url, 'https://explorer.solana.com/tx/TxSig222?cluster=custom');
    const seqs = client.messages.filter((m) => m.channel === `mm:quotes:${mm.id}` && m.seq).map((m) => m.seq);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
      'the private channel is numbered from 1 without gaps',
    );
    await client.close();
  });
});
