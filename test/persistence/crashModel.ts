/**
 * What the crash driver believes (updated from acks only) and the acked facts it must find again.
 * Random commands are picked from the belief; a stale belief only produces refused commands.
 */
import assert from 'node:assert/strict';
import { prng } from '../../engine/prng.ts';
import type { DomainEvent, RfqView } from '../../machines/domain.ts';

export type Fact =
  | { kind: 'create' | 'cancel' | 'execute' | 'settle'; rfqId: string }
  | { kind: 'quote' | 'accept' | 'confirm' | 'reject' | 'withdraw'; rfqId: string; quoteId: string };

interface Belief {
  userId: string;
  status: string;
  quotes: Array<{ id: string; mmId: string }>;
  accepted: { id: string; mmId: string } | null;
}

export type Command = { op: string; args: Record<string, unknown>; onAck: (value: unknown) => Fact | null };

export class CrashModel {
  readonly rfqs = new Map<string, Belief>();
  readonly facts: Fact[] = [];
  now: number;
  private readonly random: () => number;

  constructor(now: number, seed: number) {
    this.now = now;
    // Seeded, so a failing run can be replayed from its seed.
    this.random = prng(seed);
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  private pick<T>(items: T[]): T | undefined {
    return items[this.int(items.length)];
  }

  private inStatus(...statuses: string[]): Array<[string, Belief]> {
    return [...this.rfqs].filter(([, b]) => statuses.includes(b.status));
  }

  /** A random command that the belief says could apply; weighted so RFQs reach every state. */
  next(): Command {
    const roll = this.int(100);
    const quotable = this.pick(this.inStatus('open', 'quoted'));
    const quoted = this.pick(this.inStatus('quoted'));
    const accepted = this.pick(this.inStatus('accepted'));
    const chained = this.pick(this.inStatus('confirmed', 'executed'));
    if (roll < 25 || !quotable) return this.create();
    if (roll < 45) return this.quote(...quotable);
    if (roll < 60 && quoted) return this.accept(...quoted);
    if (roll < 64 && quoted) return this.withdraw(...quoted);
    if (roll < 68) return this.cancel(...quotable);
    if (roll < 82 && accepted) return this.decide(...accepted);
    if (roll < 96 && chained) return this.chain(...chained);
    if (roll < 96) return this.create();
    const to = this.now + 500 + this.int(2_500);
    this.now = to;
    return { op: 'advance', args: { to }, onAck: () => null };
  }

  private create(): Command {
    const userId = `u${this.int(10)}`;
    return {
      op: 'create',
      args: { userId, ttlMs: this.pick([60_000, 120_000, 300_000]) },
      onAck: (v) => {
        const rfqId = (v as { rfqId: string }).rfqId;
        this.rfqs.set(rfqId, { userId, status: 'open', quotes: [], accepted: null });
        return { kind: 'create', rfqId };
      },
    };
  }

  private quote(rfqId: string, belief: Belief): Command {
    const mmId = `m${this.int(5)}`;
    return {
      op: 'quote',
      args: { mmId, rfqId, validForMs: this.pick([5_000, 30_000, 200_000]) },
      onAck: (v) => {
        const quoteId = (v as { quoteId: string }).quoteId;
        belief.quotes.push({ id: quoteId, mmId });
        belief.status = 'quoted';
        return { kind: 'quote', rfqId, quoteId };
      },
    };
  }

  private accept(rfqId: string, belief: Belief): Command {
    const quote = this.pick(belief.quotes) as { id: string; mmId: string };
    return {
      op: 'accept',
      args: { userId: belief.userId, rfqId, quoteId: quote.id },
      onAck: () => {
        belief.status = 'accepted';
        belief.accepted = quote;
        return { kind: 'accept', rfqId, quoteId: quote.id };
      },
    };
  }

  private withdraw(rfqId: string, belief: Belief): Command {
    const quote = this.pick(belief.quotes) as { id: string; mmId: string };
    return {
      op: 'withdraw',
      args: { mmId: quote.mmId, quoteId: quote.id },
      onAck: () => ({ kind: 'withdraw', rfqId, quoteId: quote.id }),
    };
  }

  private cancel(rfqId: string, belief: Belief): Command {
    return {
      op: 'cancel',
      args: { userId: belief.userId, rfqId },
      onAck: () => {
        belief.status = 'cancelled';
        return { kind: 'cancel', rfqId };
      },
    };
  }

  private decide(rfqId: string, belief: Belief): Command {
    const q = belief.accepted as { id: string; mmId: string };
    const reject = this.int(5) === 0;
    return {
      op: reject ? 'reject' : 'confirm',
      args: { mmId: q.mmId, quoteId: q.id },
      onAck: () => {
        belief.status = reject ? 'cancelled' : 'confirmed';
        return { kind: reject ? 'reject' : 'confirm', rfqId, quoteId: q.id };
      },
    };
  }

  private chain(rfqId: string, belief: Belief): Command {
    const execute = belief.status === 'confirmed';
    return {
      op: execute ? 'execute' : 'settle',
      args: { rfqId },
      onAck: () => {
        belief.status = execute ? 'executed' : 'settled';
        return { kind: execute ? 'execute' : 'settle', rfqId };
      },
    };
  }
}

/** An acked fact must be visible in the RFQ's view. */
export function assertFact(fact: Fact, view: RfqView | null): void {
  const where = `${fact.kind} on ${fact.rfqId}`;
  assert.ok(view, `${where}: the rfq exists`);
  const quote = 'quoteId' in fact ? view.quotes.find((q) => q.id === fact.quoteId) : undefined;
  switch (fact.kind) {
    case 'create':
      return;
    case 'quote':
      assert.ok(quote, `${where}: the quote exists`);
      return;
    case 'accept':
      assert.equal(view.acceptedQuoteId, fact.quoteId, where);
      return;
    case 'confirm':
      assert.notEqual(view.collateralMicro, null, where);
      assert.ok(quote && ['confirmed', 'executed'].includes(quote.status), where);
      return;
    case 'reject':
      assert.equal(view.status, 'cancelled', where);
      assert.equal(quote?.reason, 'mm_rejected', where);
      return;
    case 'withdraw':
      assert.equal(quote?.status, 'withdrawn', where);
      return;
    case 'cancel':
      assert.equal(view.status, 'cancelled', where);
      assert.equal(view.endReason, 'user_cancelled', where);
      return;
    case 'execute':
      assert.equal(view.position?.address, `PDA-${fact.rfqId}`, where);
      return;
    case 'settle':
      assert.equal(view.status, 'settled', where);
      assert.equal(view.settlement?.signature, `SET-${fact.rfqId}`, where);
      return;
  }
}

/** Each input's events are whole: every status change has the event that caused it, and vice versa. */
export function assertWholeInputs(events: DomainEvent[]): void {
  const count = new Map<string, number>();
  const bump = (key: string) => count.set(key, (count.get(key) ?? 0) + 1);
  for (const e of events) {
    if (e.type === 'rfq.status') bump(`${e.rfqId} status:${e.status}`);
    else if (e.type === 'rfq.cancelled') bump(`${e.rfqId} ended:cancelled`);
    else bump(`${e.rfqId} ${e.type}`);
  }
  const pairs: Array<[string, string]> = [
    ['quote.accepted', 'status:accepted'],
    ['quote.confirmed', 'status:confirmed'],
    ['position.executed', 'status:executed'],
    ['position.settled', 'status:settled'],
    ['rfq.expired', 'status:expired'],
    ['ended:cancelled', 'status:cancelled'],
  ];
  for (const rfqId of new Set(events.map((e) => e.rfqId)))
    for (const [cause, status] of pairs)
      assert.equal(
        count.get(`${rfqId} ${cause}`) ?? 0,
        count.get(`${rfqId} ${status}`) ?? 0,
        `rfq ${rfqId}: ${cause} and ${status} come together`,
      );
}

/** Every deadline event carries the deadline itself as its time, however late it was fired. */
export function assertDeadlineStamps(events: DomainEvent[], views: Map<string, RfqView>): void {
  for (const [i, e] of events.entries()) {
    const view = views.get(e.rfqId);
    assert.ok(view);
    if (e.type === 'rfq.expired') assert.equal(e.at, view.expiresAt, `rfq ${e.rfqId} expired at its expiry`);
    if (e.type !== 'quote.expired') continue;
    const quote = view.quotes.find((q) => q.id === e.quoteId);
    const rest = events.slice(i + 1).filter((x) => x.rfqId === e.rfqId && x.at === e.at);
    if (rest.some((x) => x.type === 'rfq.expired')) assert.equal(e.at, view.expiresAt);
    else if (rest.some((x) => x.type === 'rfq.cancelled' && x.reason === 'confirm_timeout'))
      assert.equal(e.at, view.confirmDeadline, `rfq ${e.rfqId} confirm timeout at its deadline`);
    else assert.equal(e.at, quote?.validUntil, `quote ${e.quoteId} expired at its validity`);
  }
}
