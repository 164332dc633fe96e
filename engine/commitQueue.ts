/**
 * Group commit. Every transition made during one event-loop turn joins the open batch; at the end of
 * the turn the batch goes to the store as one write (snapshots and events together). Only when the
 * store says it is durable are the batch's events published, its effects run and its callers acked.
 *
 * If a write fails, that batch and the one accumulating behind it (whose transitions were built on it)
 * are undone: each touched RFQ goes back to its pre-image, compensations run newest first, the sequence
 * rewinds, and every waiting caller gets the rejection. Nothing unacked is half-applied.
 */
import type { DomainEvent } from '../machines/domain.ts';
import { engineMetrics } from './metrics.ts';
import type { SnapshotStore, SnapshotWrite } from './ports/store.ts';

export interface CommitHooks<P> {
  /** The RFQ's snapshot to write now (its latest state), or null if it no longer exists. */
  snapshotOf(rfqId: string): SnapshotWrite | null;
  /** Puts RFQs back as they were before the failed batches (null: it did not exist) and rewinds seq. */
  rollback(preImages: Map<string, P | null>, firstSeq: number): void;
  /** The batch is durable: hand its events to subscribers, in order. */
  publish(events: DomainEvent[]): void;
  onError(error: unknown, batch: { snapshots: number; events: number }): void;
}

class Batch<P> {
  readonly pre = new Map<string, P | null>();
  readonly events: DomainEvent[] = [];
  readonly effects: Array<() => void> = [];
  readonly compensations: Array<() => void> = [];
  readonly done: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;

  constructor(readonly firstSeq: number) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A batch with no caller awaiting it (timer-driven) must not become an unhandled rejection.
    this.done.catch(() => {});
  }

  get empty(): boolean {
    return this.pre.size === 0 && this.events.length === 0;
  }
}

export class CommitQueue<P> {
  private open: Batch<P>;
  private inflight: Batch<P> | null = null;
  private scheduled = false;
  private nextSeq: number;

  constructor(
    private readonly store: SnapshotStore,
    private readonly hooks: CommitHooks<P>,
    lastSeq: number,
  ) {
    this.nextSeq = lastSeq + 1;
    this.open = new Batch<P>(this.nextSeq);
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Resets the sequence (recovery), only while nothing is pending. */
  resumeAfter(lastSeq: number): void {
    if (!this.idle) throw new Error('cannot resume the sequence with commits pending');
    this.nextSeq = lastSeq + 1;
    this.open = new Batch<P>(this.nextSeq);
  }

  get idle(): boolean {
    return this.inflight === null && this.open.empty;
  }

  /** Records the RFQ's state before its first change in the open batch. */
  touch(rfqId: string, preImage: P | null): void {
    if (!this.open.pre.has(rfqId)) this.open.pre.set(rfqId, preImage);
    this.schedule();
  }

  /** Gives the event its sequence number and adds it to the open batch. */
  sequence<E extends Omit<DomainEvent, 'seq'>>(event: E): DomainEvent {
    const sequenced = Object.assign(event, { seq: this.nextSeq++ }) as unknown as DomainEvent;
    this.open.events.push(sequenced);
    this.schedule();
    return sequenced;
  }

  /** Runs after the open batch is durable (and its events published). */
  afterCommit(effect: () => void): void {
    this.open.effects.push(effect);
  }

  /** Runs if the open batch is undone. */
  onRollback(compensation: () => void): void {
    this.open.compensations.push(compensation);
  }

  /** Resolves when everything changed so far is durable; rejects if it was undone. */
  durable(): Promise<void> {
    if (!this.open.empty) {
      this.schedule();
      return this.open.done;
    }
    return this.inflight ? this.inflight.done : Promise.resolve();
  }

  /** Waits until nothing is pending (shutdown). */
  async drain(): Promise<void> {
    while (!this.idle) {
      const waiting = this.inflight ?? this.open;
      this.schedule();
      await waiting.done.catch(() => {});
    }
  }

  private schedule(): void {
    if (this.scheduled || this.inflight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inflight || this.open.empty) return;
    const batch = this.open;
    this.inflight = batch;
    this.open = new Batch<P>(this.nextSeq);
    const snapshots: SnapshotWrite[] = [];
    for (const rfqId of batch.pre.keys()) {
      const write = this.hooks.snapshotOf(rfqId);
      if (write) snapshots.push(write);
    }
    const started = performance.now();
    try {
      await this.store.commit({ snapshots, events: batch.events });
    } catch (error) {
      engineMetrics.rollbacks.inc();
      this.fail(batch, error, snapshots.length);
      return;
    }
    engineMetrics.commitSeconds.observe((performance.now() - started) / 1000);
    engineMetrics.commitBatchEvents.observe(batch.events.length);
    this.inflight = null;
    this.hooks.publish(batch.events);
    for (const effect of batch.effects) effect();
    batch.resolve();
    if (!this.open.empty) this.schedule();
  }

  private fail(batch: Batch<P>, error: unknown, snapshotCount: number): void {
    const behind = this.open;
    this.inflight = null;
    this.nextSeq = batch.firstSeq;
    this.open = new Batch<P>(this.nextSeq);
    // The failed batch's pre-images are older, so they win for RFQs touched in both.
    const pre = new Map(behind.pre);
    for (const [rfqId, image] of batch.pre) pre.set(rfqId, image);
    for (const undo of [...behind.compensations].reverse()) undo();
    for (const undo of [...batch.compensations].reverse()) undo();
    this.hooks.rollback(pre, batch.firstSeq);
    this.hooks.onError(error, { snapshots: snapshotCount, events: batch.events.length });
    batch.reject(error);
    behind.reject(error);
  }
}
