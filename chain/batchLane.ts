/**
 * The runtime around the pure batcher (machines/chain.ts): holds its state, keeps its one timer on the
 * injected clock, runs its `send` effects and feeds their outcomes back. One lane per kind of work
 * (position creation; settlement and releases), each with its own batches.
 */
import type { Clock, TimerHandle } from '../engine/ports/clock.ts';
import {
  type Batch,
  type BatcherConfig,
  type BatcherEffect,
  type BatcherInput,
  type BatcherState,
  batcherStep,
  type Entry,
  initialBatcherState,
  isIdle,
} from '../machines/chain.ts';
import { chainMetrics } from './metrics.ts';

export type LaneOutcome =
  | { ok: true }
  | { ok: false; retryable: boolean; reason: string; failedIndex: number | null };

export interface LaneWork<T> {
  /** Would these payloads fit one transaction? Pure. */
  fits(payloads: readonly T[]): boolean;
  /** Sends one batch; reports its successes itself; never rejects. */
  execute(batch: Batch<T>): Promise<LaneOutcome>;
  /** An entry failed for good. */
  failed(entry: Entry<T>, reason: string): void;
  /** A batch landed and its keys are free again. */
  landed?(batch: Batch<T>): void;
}

export class BatchLane<T> {
  private state: BatcherState<T> = initialBatcherState<T>();
  private timer: TimerHandle | null = null;
  private waiters: Array<() => void> = [];
  private sentWaiters: Array<() => void> = [];
  /** Keys open, queued or in flight: a repeated key is dropped here. */
  private readonly keys = new Set<string>();

  constructor(
    readonly name: string,
    private readonly config: BatcherConfig,
    private readonly clock: Clock,
    private readonly work: LaneWork<T>,
  ) {}

  /** Queues an entry; false when the key is already open, queued or in flight. */
  add(key: string, payload: T): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    this.dispatch({ type: 'add', key, payload, at: this.clock.now() });
    return true;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Closes the open batch now (shutdown, tests). */
  flush(): void {
    this.dispatch({ type: 'flush', at: this.clock.now() });
  }

  /** Resolves when nothing is open, queued or in flight. */
  idle(): Promise<void> {
    if (isIdle(this.state)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves when every closed batch has been answered (the open one, if any, keeps waiting). */
  sent(): Promise<void> {
    if (this.answered) return Promise.resolve();
    return new Promise((resolve) => this.sentWaiters.push(resolve));
  }

  private get answered(): boolean {
    return this.state.queued.length === 0 && this.state.inFlight.length === 0;
  }

  get busy(): boolean {
    return !isIdle(this.state);
  }

  private dispatch(input: BatcherInput<T>): void {
    const { state, effects } = batcherStep(this.state, input, this.config, (p) => this.work.fits(p));
    this.state = state;
    for (const effect of effects) this.apply(effect);
    if (this.answered && this.sentWaiters.length > 0)
      for (const resolve of this.sentWaiters.splice(0)) resolve();
    if (isIdle(this.state) && this.waiters.length > 0)
      for (const resolve of this.waiters.splice(0)) resolve();
  }

  private apply(effect: BatcherEffect<T>): void {
    switch (effect.type) {
      case 'send':
        chainMetrics.batchSize.observe({ lane: this.name }, effect.batch.entries.length);
        void this.run(effect.batch);
        return;
      case 'arm':
        if (this.timer !== null) this.clock.clearTimeout(this.timer);
        this.timer = this.clock.setTimeout(
          () => {
            this.timer = null;
            this.dispatch({ type: 'tick', at: this.clock.now() });
          },
          Math.max(0, effect.at - this.clock.now()),
        );
        return;
      case 'disarm':
        if (this.timer !== null) this.clock.clearTimeout(this.timer);
        this.timer = null;
        return;
      case 'landed':
        for (const entry of effect.batch.entries) this.keys.delete(entry.key);
        this.work.landed?.(effect.batch);
        return;
      case 'failed':
        this.keys.delete(effect.entry.key);
        chainMetrics.failures.inc({ lane: this.name, kind: 'final' });
        this.work.failed(effect.entry, effect.reason);
        return;
    }
  }

  private async run(batch: Batch<T>): Promise<void> {
    let outcome: LaneOutcome;
    try {
      outcome = await this.work.execute(batch);
    } catch (error) {
      outcome = { ok: false, retryable: true, reason: (error as Error).message, failedIndex: null };
    }
    const at = this.clock.now();
    if (outcome.ok) this.dispatch({ type: 'landed', batchId: batch.id, at });
    else {
      chainMetrics.failures.inc({ lane: this.name, kind: outcome.retryable ? 'transient' : 'batch' });
      this.dispatch({ type: 'failed', batchId: batch.id, at, ...outcome });
    }
  }
}
