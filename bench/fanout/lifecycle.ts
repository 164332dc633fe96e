/**
 * The full lifecycle round trip against a gateway in its own process: a user creates an RFQ (REST),
 * sees a market maker's quote on its WebSocket, accepts it (REST), and sees the RFQ confirmed. The
 * market maker (SDK, binary) quotes each RFQ as it appears and confirms each accept. Sequential
 * rounds; times from the user's side.
 */
import WebSocket from 'ws';
import { MmClient } from '../../gateway/client/mmClient.ts';
import { RestClient } from '../../gateway/client/restClient.ts';
import { monoMs, percentile } from './ipc.ts';
import { ServerProcess } from './processes.ts';

export interface LifecycleFigures {
  rounds: number;
  roundTrip: { p50Ms: number; p99Ms: number };
  createToQuoteSeen: { p50Ms: number; p99Ms: number };
  acceptToConfirmed: { p50Ms: number; p99Ms: number };
}

const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
};

export async function runLifecycle(rounds: number): Promise<LifecycleFigures> {
  const server = await ServerProcess.start('gateway', 1, 0);
  const base = `http://127.0.0.1:${server.ready.port}`;
  const mmCreds = server.ready.mms[0];
  if (!mmCreds) throw new Error('no MM credentials from the server');
  const mm = new MmClient({
    url: `ws://127.0.0.1:${server.ready.port}/ws`,
    apiKey: mmCreds.apiKey,
    signingSecretKey: mmCreds.secret,
  });
  mm.on('event', (e) => {
    if (e.type === 'rfq.created') void mm.submitQuote({ rfqId: e.rfq.id, oddsFp: 30_000 });
    if (e.type === 'quote.accepted') void mm.confirmQuote(e.quote.id);
  });
  await mm.connect();
  const user = new RestClient(base, { apiKey: server.ready.userKey });
  const ws = new WebSocket(`ws://127.0.0.1:${server.ready.port}/ws`);
  // Messages per RFQ as they arrive (a quote can reach the user before the create response does).
  type Msg = { type: string; data: Record<string, unknown> };
  const inbox = new Map<string, Msg[]>();
  let wake: (() => void) | null = null;
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString()) as Msg;
    const rfqId = (m.data?.parlay_ticket_id ?? m.data?.rfq_id ?? m.data?.id) as string | undefined;
    if (!rfqId) return;
    const list = inbox.get(rfqId) ?? [];
    list.push(m);
    inbox.set(rfqId, list);
    wake?.();
  });
  const waitFor = async (rfqId: string, match: (m: Msg) => boolean): Promise<Msg> => {
    for (;;) {
      const found = inbox.get(rfqId)?.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify({ type: 'auth', api_key: server.ready.userKey }));
  ws.send(JSON.stringify({ type: 'subscribe', channel: 'user:rfqs:bench-user' }));
  await new Promise((resolve) => setTimeout(resolve, 200));

  const total: number[] = [];
  const toQuote: number[] = [];
  const toConfirm: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = monoMs();
    const rfq = await user.createRfq({
      legs: [
        { kalshi_market_ticker: 'KXA-26-T1', side: 'yes' },
        { kalshi_market_ticker: 'KXB-26-T2', side: 'no' },
      ],
      bet_amount: 50,
    });
    const quoteId = (await waitFor(rfq.id, (m) => m.type === 'quote:submitted')).data.id as string;
    const t1 = monoMs();
    await user.acceptQuote(rfq.id, quoteId);
    await waitFor(rfq.id, (m) => m.type === 'rfq:status' && m.data.status === 'confirmed');
    const t2 = monoMs();
    inbox.delete(rfq.id);
    total.push(t2 - t0);
    toQuote.push(t1 - t0);
    toConfirm.push(t2 - t1);
  }
  ws.close();
  await mm.close();
  await server.stop();
  return {
    rounds,
    roundTrip: stats(total),
    createToQuoteSeen: stats(toQuote),
    acceptToConfirmed: stats(toConfirm),
  };
}
