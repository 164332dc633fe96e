/**
 * The users' side: RFQs sent on an open-loop schedule — RFQ i is due at start + i / rate whatever
 * the gateway answered before it — so a slow gateway shows as latency and backlog instead of
 * silently slowing the offered load (latency is measured from the due time). In lifecycle mode each
 * acknowledged RFQ is read after a short wait, its best live quote accepted, and the position's
 * execution (reported by the MM that confirmed it) closes the loop.
 */
import { monoMs } from '../fanout/ipc.ts';
import type { LoadMode } from './args.ts';
import type { UserCreds } from './credentials.ts';
import { call, isNetworkCode, type Outcome } from './http.ts';
import type { LegPicker } from './legs.ts';
import type { Tally } from './tally.ts';

/** Beyond this many unanswered creates, new ones are counted as CLIENT_BACKLOG instead of sent. */
const MAX_IN_FLIGHT = 10_000;
/** Reads of an RFQ without a live quote before the user gives up on it. */
const QUOTE_POLLS = 5;

export interface DriverOptions {
  baseUrl: string;
  mode: LoadMode;
  users: UserCreds[];
  legs: LegPicker;
  betUsdc: number;
  rfqTtlSeconds: number;
  acceptAfterMs: number;
  requestTimeoutMs: number;
  tally: Tally;
  /** An acknowledged RFQ and when it was due (the MM processes match receipts with it). */
  onAcked: (rfqId: string, dueAt: number) => void;
  /** Network-level failures (NET_*, TIMEOUT), for a clear line the first time each one happens. */
  onNetworkError: (code: string, message: string) => void;
}

interface QuoteJson {
  id: string;
  status: string;
  payout_odds_fp: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      signal?.removeEventListener('abort', done);
      clearTimeout(timer);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Waits until every promise has settled or `deadline` (monotonic ms) passes, whichever comes first,
 * and leaves no timer behind: a pending one would hold the process open until the deadline.
 */
export async function settledBy(work: readonly Promise<unknown>[], deadline: number): Promise<void> {
  const done = new AbortController();
  try {
    await Promise.race([Promise.allSettled(work), sleep(deadline - monoMs(), done.signal)]);
  } finally {
    done.abort();
  }
}

export class Driver {
  private readonly work = new Set<Promise<void>>();
  /** Accepted RFQs waiting for their execution: intended send time and accept time. */
  private readonly awaiting = new Map<string, { dueAt: number; acceptAt: number }>();
  private inFlight = 0;
  private next = 0;

  constructor(private readonly o: DriverOptions) {}

  /** Accepted RFQs whose outcome has not arrived yet. */
  get unresolved(): number {
    return this.awaiting.size;
  }

  /** Creates or lifecycle flows still running. */
  get busy(): number {
    return this.work.size;
  }

  /** Sends at `ratePerSecond` for `durationMs`, or until `signal` aborts. */
  async run(ratePerSecond: number, durationMs: number, signal: AbortSignal): Promise<void> {
    const start = monoMs();
    const intervalMs = 1_000 / ratePerSecond;
    for (let i = 0; !signal.aborted; ) {
      const dueAt = start + i * intervalMs;
      if (dueAt - start >= durationMs) return;
      const now = monoMs();
      if (dueAt > now) {
        await sleep(dueAt - now, signal);
        continue;
      }
      this.track(this.create(dueAt));
      i++;
    }
  }

  /** Waits for what is running, up to `deadline` (monotonic ms). */
  async settle(deadline: number): Promise<void> {
    while (this.work.size > 0 && monoMs() < deadline) await settledBy([...this.work], deadline);
  }

  onExecuted(rfqId: string, at: number): void {
    const entry = this.awaiting.get(rfqId);
    if (!entry) return;
    this.awaiting.delete(rfqId);
    this.o.tally.executed++;
    this.o.tally.acceptToExecuted.record(at - entry.acceptAt);
    this.o.tally.createToExecuted.record(at - entry.dueAt);
  }

  onEnded(rfqId: string, why: string): void {
    if (!this.awaiting.delete(rfqId)) return;
    this.o.tally.end(why);
  }

  private track(p: Promise<void>): void {
    this.work.add(p);
    void p.finally(() => this.work.delete(p));
  }

  private failed(stage: string, outcome: Extract<Outcome<unknown>, { ok: false }>): void {
    if (stage === 'create') this.o.tally.failCreate(outcome.code);
    else this.o.tally.fail(stage, outcome.code);
    if (isNetworkCode(outcome.code)) this.o.onNetworkError(outcome.code, outcome.message);
  }

  private async create(dueAt: number): Promise<void> {
    const { tally } = this.o;
    const user = this.o.users[this.next++ % this.o.users.length] as UserCreds;
    tally.sent++;
    if (this.inFlight >= MAX_IN_FLIGHT) {
      tally.failCreate('CLIENT_BACKLOG');
      return;
    }
    tally.sendLag.record(monoMs() - dueAt);
    this.inFlight++;
    const res = await call<{ id?: unknown }>(this.o.baseUrl, 'POST', '/rfqs', {
      apiKey: user.apiKey,
      timeoutMs: this.o.requestTimeoutMs,
      body: {
        legs: this.o.legs.pick(),
        bet_amount: this.o.betUsdc,
        expires_in_seconds: this.o.rfqTtlSeconds,
      },
    });
    this.inFlight--;
    if (!res.ok) return this.failed('create', res);
    const id = res.body?.id;
    if (typeof id !== 'string') {
      tally.failCreate('BAD_RESPONSE');
      return;
    }
    tally.acked++;
    tally.createAck.record(monoMs() - dueAt);
    this.o.onAcked(id, dueAt);
    if (this.o.mode === 'lifecycle') await this.acceptBest(id, dueAt, user);
  }

  private async acceptBest(rfqId: string, dueAt: number, user: UserCreds): Promise<void> {
    const { tally } = this.o;
    let best: QuoteJson | undefined;
    for (let poll = 0; poll < QUOTE_POLLS && !best; poll++) {
      await sleep(this.o.acceptAfterMs);
      const read = await call<{ quotes?: QuoteJson[] }>(this.o.baseUrl, 'GET', `/rfqs/${rfqId}`, {
        apiKey: user.apiKey,
        timeoutMs: this.o.requestTimeoutMs,
      });
      if (!read.ok) return this.failed('read', read);
      for (const q of Array.isArray(read.body?.quotes) ? read.body.quotes : [])
        if (q.status === 'pending' && (!best || q.payout_odds_fp > best.payout_odds_fp)) best = q;
    }
    if (!best) {
      tally.unquoted++;
      return;
    }
    tally.quoted++;
    // Registered before the accept: the execution can be reported before the accept's answer arrives.
    const acceptAt = monoMs();
    this.awaiting.set(rfqId, { dueAt, acceptAt });
    const accept = await call(this.o.baseUrl, 'PUT', `/rfqs/${rfqId}/quotes/${best.id}/accept`, {
      apiKey: user.apiKey,
      timeoutMs: this.o.requestTimeoutMs,
    });
    if (!accept.ok) {
      this.awaiting.delete(rfqId);
      return this.failed('accept', accept);
    }
    tally.accepted++;
  }
}
