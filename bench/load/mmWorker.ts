/**
 * A slice of the generator's market makers in their own process, on the SDK (binary protocol), so
 * their work is measured apart from the driver's. Each MM stamps every rfq:created on arrival; the
 * driver tells this process when each RFQ was due to be sent, and the difference goes into a
 * histogram. In lifecycle mode each RFQ of the generator's users is quoted by `quotesPerRfq` MMs
 * (chosen by the RFQ id, so every process agrees without talking), each at a random margin under the
 * fair odds; an accepted quote is confirmed at once; executions and ends are reported to the driver.
 *
 * Forked by workers.ts: node --import tsx bench/load/mmWorker.ts (parameters over IPC).
 */

import { MmClient } from '../../gateway/client/mmClient.ts';
import { type LegPrice, priceParlay } from '../../gateway/client/pricing.ts';
import { MmCommandError, type MmEvent } from '../../gateway/client/types.ts';
import { CLOSE } from '../../gateway/closeCodes.ts';
import { monoMs } from '../fanout/ipc.ts';
import { LatencyHistogram } from './histogram.ts';
import type { FromWorker, ToWorker, WorkerInit, WorkerStats } from './messages.ts';

/** A receipt whose RFQ the driver never reports within this long is counted as unmatched. */
const UNMATCHED_AFTER_MS = 60_000;

const send = (m: FromWorker) => process.send?.(m);
// Ctrl-C reaches the whole process group: the driver decides when this process stops, so that its
// final report still arrives.
process.on('SIGINT', () => {});
process.on('disconnect', () => process.exit(0));

const receipt = new LatencyHistogram();
const quoteAck = new LatencyHistogram();
const sentAt = new Map<string, number>();
const pending = new Map<string, { firstAt: number; times: number[] }>();
const errors: Record<string, number> = {};
let executed: Array<[string, number]> = [];
let ended: Array<[string, string]> = [];
const counts = { deliveries: 0, unmatched: 0, foreign: 0, quotes: 0, confirms: 0, gaps: 0 };
let cpuMark = process.cpuUsage();
let wallMark = monoMs();
const clients: MmClient[] = [];
let connected = 0;
/** Between 'mark' and 'finish': disconnects in this window are failures worth counting. */
let measuring = false;
/** Close codes already announced to the driver. */
const noticed = new Set<number>();

const count = (key: string) => {
  errors[key] = (errors[key] ?? 0) + 1;
};
const codeOf = (error: unknown): string =>
  error instanceof MmCommandError ? error.code : error instanceof Error ? error.name : 'ERROR';

/** FNV-1a: spreads RFQ ids evenly over the MMs. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function onReceipt(rfqId: string, at: number): void {
  const t0 = sentAt.get(rfqId);
  if (t0 !== undefined) {
    receipt.record(at - t0);
    counts.deliveries++;
    return;
  }
  const entry = pending.get(rfqId);
  if (entry) entry.times.push(at);
  else pending.set(rfqId, { firstAt: at, times: [at] });
}

function onSent(rfqs: Array<[string, number]>): void {
  for (const [id, t0] of rfqs) {
    sentAt.set(id, t0);
    const entry = pending.get(id);
    if (!entry) continue;
    for (const at of entry.times) receipt.record(at - t0);
    counts.deliveries += entry.times.length;
    pending.delete(id);
  }
}

function expirePending(all: boolean): void {
  const now = monoMs();
  for (const [id, entry] of pending) {
    if (!all && now - entry.firstAt < UNMATCHED_AFTER_MS) continue;
    counts.unmatched += entry.times.length;
    pending.delete(id);
  }
}

function stats(final: boolean): WorkerStats {
  const cpu = process.cpuUsage(cpuMark);
  const out: WorkerStats = {
    final,
    cpuUs: cpu.user + cpu.system,
    wallMs: monoMs() - wallMark,
    connected,
    ...counts,
    receipt: receipt.state(),
    quoteAck: quoteAck.state(),
    errors: { ...errors },
    executed,
    ended,
  };
  executed = [];
  ended = [];
  return out;
}

function startMm(init: WorkerInit, creds: WorkerInit['mms'][number], prices: Map<string, LegPrice>) {
  const users = new Set(init.userIds);
  const lifecycle = init.mode === 'lifecycle';
  const quoters = Math.min(init.quotesPerRfq, init.totalMms);
  const mm = new MmClient({
    url: init.wsUrl,
    apiKey: creds.apiKey,
    signingSecretKey: creds.signingSecretKey,
    channels: lifecycle ? ['rfqs:open', 'mm'] : ['rfqs:open'],
    requestTimeoutMs: 10_000,
  });
  const quote = (e: Extract<MmEvent, { type: 'rfq.created' }>) => {
    const slot = (creds.index - (hash(e.rfq.id) % init.totalMms) + init.totalMms) % init.totalMms;
    if (slot >= quoters) return;
    const marginBps = init.marginBps.min + Math.random() * (init.marginBps.max - init.marginBps.min);
    const oddsFp = priceParlay(e.rfq.legs, prices, { marginBps });
    if (oddsFp === null) return count('quote:UNPRICED');
    const t = monoMs();
    mm.submitQuote({ rfqId: e.rfq.id, oddsFp, validForMs: init.quoteValidForMs }).then(
      () => {
        quoteAck.record(monoMs() - t);
        counts.quotes++;
      },
      (error: unknown) => count(`quote:${codeOf(error)}`),
    );
  };
  mm.on('event', (e) => {
    if (e.type === 'rfq.created') {
      const at = monoMs();
      if (!users.has(e.rfq.userId)) {
        counts.foreign++;
        return;
      }
      onReceipt(e.rfq.id, at);
      if (lifecycle) quote(e);
      return;
    }
    // The MM's own channel only: rfqs:open also carries cancellations of RFQs it never won.
    if (!lifecycle || !e.channel.startsWith('mm:')) return;
    if (e.type === 'quote.accepted') {
      mm.confirmQuote(e.quote.id).then(
        () => counts.confirms++,
        (error: unknown) => {
          const code = codeOf(error);
          count(`confirm:${code}`);
          ended.push([e.rfqId, `confirm refused: ${code}`]);
        },
      );
    } else if (e.type === 'position.executed') executed.push([e.rfqId, monoMs()]);
    else if (e.type === 'rfq.cancelled') ended.push([e.rfqId, `cancelled: ${e.reason}`]);
    else if (e.type === 'position.cancelled') ended.push([e.rfqId, `position cancelled: ${e.reason}`]);
  });
  mm.on('gap', () => counts.gaps++);
  // Before the run an auth refusal is the connect's answer, reported as such; later ones count.
  mm.on('refused', (error) => {
    if (measuring) count(`ws:${error.code}`);
  });
  return mm;
}

async function connectAll(init: WorkerInit): Promise<void> {
  const prices = new Map(init.prices.map(([ticker, yes]) => [ticker, { yes }]));
  const failures: Record<string, number> = {};
  let firstFailure: string | null = null;
  const fail = (code: string, message: string) => {
    failures[code] = (failures[code] ?? 0) + 1;
    firstFailure ??= message;
  };
  /** One connection attempt: null when connected, else the refusal. */
  const attempt = async (creds: WorkerInit['mms'][number]): Promise<{ code: string; why: string } | null> => {
    let mm: MmClient;
    try {
      mm = startMm(init, creds, prices);
    } catch (error) {
      return { code: 'BAD_SIGNING_KEY', why: (error as Error).message };
    }
    let lastClose = '';
    mm.on('disconnected', (d) => {
      lastClose = `${d.code}${d.reason ? ` ${d.reason}` : ''}`;
      if (!measuring) return;
      count(`ws:close ${d.code}`);
      if (noticed.has(d.code)) return;
      noticed.add(d.code);
      const known = Object.values(CLOSE).find((c) => c.code === d.code)?.reason;
      send({
        type: 'notice',
        text: `! MM connections closing: ${d.code} ${d.reason || known || (d.code === 1006 ? 'connection lost' : '')} (${d.willReconnect ? 'reconnecting and resuming' : 'not reconnecting'}); counted`,
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('CONNECT_TIMEOUT')), init.connectTimeoutMs);
    });
    try {
      await Promise.race([mm.connect(), timeout]);
      clients.push(mm);
      return null;
    } catch (error) {
      await mm.close().catch(() => {});
      if (error instanceof MmCommandError) {
        const reason = typeof error.details.reason === 'string' ? error.details.reason : '';
        return {
          code: error.code,
          why: `${error.message}${reason && !error.message.includes(reason) ? ` (${reason})` : ''}`,
        };
      }
      const why = `no session within ${init.connectTimeoutMs} ms${lastClose ? `, last close ${lastClose}` : ''}`;
      return { code: (error as Error).message, why };
    } finally {
      clearTimeout(timer);
    }
  };
  const one = async (creds: WorkerInit['mms'][number]) => {
    const refused = await attempt(creds);
    if (refused) fail(refused.code, `MM ${creds.id} could not connect to ${init.wsUrl}: ${refused.why}`);
  };
  for (let i = 0; i < init.mms.length; i += 25) await Promise.all(init.mms.slice(i, i + 25).map(one));
  connected = clients.length;
  send({ type: 'connected', connected, failures, firstFailure });
}

let ticker: NodeJS.Timeout | null = null;
process.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'init':
      void connectAll(m);
      return;
    case 'mark':
      cpuMark = process.cpuUsage();
      wallMark = monoMs();
      measuring = true;
      ticker ??= setInterval(() => {
        expirePending(false);
        send({ type: 'stats', stats: stats(false) });
      }, 1_000);
      return;
    case 'sent':
      onSent(m.rfqs);
      return;
    case 'stats':
      send({ type: 'stats', stats: stats(false) });
      return;
    case 'finish':
      measuring = false;
      if (ticker) clearInterval(ticker);
      expirePending(true);
      send({ type: 'stats', stats: stats(true) });
      return;
    case 'stop':
      void Promise.race([
        Promise.all(clients.map((c) => c.close().catch(() => {}))),
        new Promise((resolve) => setTimeout(resolve, 2_000)),
      ]).then(() => process.exit(0));
      return;
  }
});
