/**
 * The machinery under the engine's commands: live actors, the timer wheel, group commit with rollback,
 * the published event stream, and the retirement of ended RFQs. Commands (engine.ts) decide what to
 * apply; this applies it, makes it durable and tells the world.
 */
import type { DomainEvent, RfqEmitted, RfqView } from '../machines/domain.ts';
import { isTerminal } from '../machines/domain.ts';
import { err, fail, ok, type Result, RfqError } from '../machines/errors.ts';
import type { PersistedRfq } from '../machines/rfq.ts';
import type { RfqInput } from '../machines/rfqEvents.ts';
import { inputError, nextDeadline, toRfqView } from '../machines/rfqRules.ts';
import { CommitQueue } from './commitQueue.ts';
import { Effects } from './effects.ts';
import type { EngineDeps } from './engine.ts';
import { engineMetrics } from './metrics.ts';
import type { SnapshotWrite } from './ports/store.ts';
import { Queries } from './queries.ts';
import { type RfqActor, RfqRegistry, type RfqSnapshot, type RfqState, statusOf } from './rfqRegistry.ts';
import type { CountCell } from './talliedCounter.ts';
import { TimerWheel } from './timerWheel.ts';

export type Located = { actor: RfqActor; view?: undefined } | { actor?: undefined; view: RfqView };

export class RfqRuntime {
  readonly queries: Queries;
  readonly registry: RfqRegistry;
  private readonly commits: CommitQueue<RfqSnapshot>;
  private readonly wheel: TimerWheel;
  private readonly effects: Effects;
  private readonly listeners = new Set<(event: DomainEvent) => void>();
  /** Event counts by type, each resolved once: publishing does no metric label hashing. */
  private readonly eventCounts = new Map<string, CountCell>();
  /** RFQs whose confirm is waiting on the risk engine, with the deadline that came due meanwhile. */
  private readonly confirming = new Map<string, number | null>();
  private readonly retryDelayMs: number;
  private degradedUntil = 0;
  private stopped = false;

  constructor(private readonly deps: EngineDeps) {
    this.retryDelayMs = deps.retryDelayMs ?? 1_000;
    this.registry = new RfqRegistry(
      (event) => this.commits.sequence(event as RfqEmitted),
      (rfqId, error) => deps.logger.error({ rfqId, err: error }, 'rfq actor failed'),
    );
    this.commits = new CommitQueue<RfqSnapshot>(
      deps.store,
      {
        snapshotOf: (rfqId) => this.snapshotWrite(rfqId),
        rollback: (images) => this.rollback(images),
        publish: (events) => this.publish(events),
        onError: (error, batch) => {
          this.degradedUntil = deps.clock.now() + this.retryDelayMs;
          deps.logger.error({ err: error, ...batch }, 'commit failed; batch undone');
        },
      },
      0,
    );
    this.wheel = new TimerWheel(deps.clock, (rfqId, deadline) => this.onDeadline(rfqId, deadline));
    this.queries = new Queries(this.registry, deps.records, deps.limits);
    this.effects = new Effects(deps, this.registry);
    // Background refinement may find an MM over-collateralised: the chain lowers its lock (release-only).
    deps.risk.onRelease(({ mmId, requiredMicro }) => deps.chain?.releaseCollateral(mmId, requiredMicro));
  }

  /** A new RFQ actor, part of the open commit batch, its deadline armed. */
  create(input: Parameters<RfqRegistry['create']>[0]): RfqSnapshot {
    const actor = this.registry.create(input);
    this.commits.touch(input.id, null);
    this.rearm(actor.getSnapshot());
    return actor.getSnapshot();
  }

  /** Runs if the open commit batch is undone. */
  onRollback(compensation: () => void): void {
    this.commits.onRollback(compensation);
  }

  /** Marks a confirm as waiting on its collateral decision: the RFQ's deadline waits for it. */
  beginConfirm(rfqId: string): boolean {
    if (this.confirming.has(rfqId)) return false;
    this.confirming.set(rfqId, null);
    return true;
  }

  /** The decision is in (and applied or refused): a deadline that came due meanwhile fires now. */
  endConfirm(rfqId: string): void {
    const deferred = this.confirming.get(rfqId);
    this.confirming.delete(rfqId);
    if (deferred != null) this.onDeadline(rfqId, deferred);
  }

  /** Applies an input to a live actor, synchronously; the change joins the open commit batch. */
  apply(rfqId: string, input: RfqInput): Result<RfqSnapshot> {
    const actor = this.registry.get(rfqId);
    if (!actor) return err('NOT_FOUND', { resource: 'rfq', id: rfqId });
    const before = actor.getSnapshot();
    const refused = inputError(statusOf(before), before.context, input);
    if (refused) return fail(refused);
    actor.send(input);
    const after = actor.getSnapshot();
    if (after.status === 'error' || after === before) {
      this.deps.logger.error(
        { rfqId, input: input.type, status: after.status },
        'rfq machine did not take a valid input',
      );
      this.registry.revert(rfqId, before);
      this.rearm(before);
      return err('INTERNAL_ERROR', { rfqId });
    }
    this.commits.touch(rfqId, before);
    this.registry.reindex(before, after);
    this.rearm(after);
    return ok(after);
  }

  /** Inputs from the chain and the settlement watcher are facts: retried until durable, never dropped. */
  internal(rfqId: string, input: RfqInput): void {
    if (this.stopped) return;
    const retry = () => this.deps.clock.setTimeout(() => this.internal(rfqId, input), this.retryDelayMs);
    if (this.unavailable()) {
      retry();
      return;
    }
    const applied = this.apply(rfqId, input);
    if (!applied.ok) {
      this.deps.logger.warn(
        { rfqId, input: input.type, code: applied.error.code },
        'chain/settlement input refused',
      );
      return;
    }
    this.commits.durable().catch(retry);
  }

  async ack<T>(value: T): Promise<Result<T>> {
    try {
      await this.commits.durable();
      return ok(value);
    } catch {
      return err('SERVICE_UNAVAILABLE', { reason: 'snapshot store write failed' });
    }
  }

  unavailable(): Result<never> | null {
    if (!this.deps.store.available || this.deps.clock.now() < this.degradedUntil) {
      return err('SERVICE_UNAVAILABLE', { reason: 'snapshot store unavailable' });
    }
    return null;
  }

  async locate(rfqId: string): Promise<Result<Located>> {
    const actor = this.registry.get(rfqId);
    if (actor) return ok({ actor });
    try {
      const view = await this.queries.findEnded(rfqId);
      return view ? ok({ view }) : err('NOT_FOUND', { resource: 'rfq', id: rfqId });
    } catch (error) {
      this.deps.logger.error({ err: error, rfqId }, 'record store read failed');
      return err('SERVICE_UNAVAILABLE', { reason: 'record store unavailable' });
    }
  }

  /** The RFQ of a quote; undefined when the record store cannot be read (callers answer SERVICE_UNAVAILABLE). */
  async rfqIdOfQuote(quoteId: string): Promise<string | null | undefined> {
    const live = this.registry.rfqIdOfQuote(quoteId);
    if (live) return live;
    try {
      return await this.deps.records.rfqIdOfQuote(quoteId);
    } catch (error) {
      this.deps.logger.error({ err: error, quoteId }, 'record store read failed');
      return undefined;
    }
  }

  /** The error for an input to an RFQ that has left memory (it ended): the same rules, on its last view. */
  refusal(view: RfqView, input: RfqInput): RfqError {
    return inputError(view.status, view, input) ?? RfqError.of('INVALID_TRANSITION', { status: view.status });
  }

  rearm(snapshot: RfqState): void {
    this.wheel.set(snapshot.context.id, nextDeadline(statusOf(snapshot), snapshot.context));
  }

  private onDeadline(rfqId: string, deadline: number): void {
    if (this.stopped) return;
    if (this.confirming.has(rfqId)) {
      this.confirming.set(rfqId, deadline);
      return;
    }
    if (this.unavailable()) {
      this.deps.clock.setTimeout(() => {
        this.wheel.set(rfqId, deadline);
        this.wheel.fireDue();
      }, this.retryDelayMs);
      return;
    }
    const state = this.registry.peek(rfqId);
    if (!state) return;
    const due = nextDeadline(statusOf(state), state.context);
    if (due === null || due > deadline) {
      this.rearm(state);
      return;
    }
    // The input carries the deadline itself, so a deadline replayed after a restart fires at its original time.
    this.apply(rfqId, { type: 'TICK', at: deadline });
  }

  private snapshotWrite(rfqId: string): SnapshotWrite | null {
    const actor = this.registry.get(rfqId);
    if (!actor) return null;
    const snapshot = actor.getSnapshot();
    const status = statusOf(snapshot);
    return {
      rfqId,
      status,
      nextDeadline: nextDeadline(status, snapshot.context),
      snapshot: actor.getPersistedSnapshot() as unknown as PersistedRfq,
    };
  }

  private rollback(images: Map<string, RfqSnapshot | null>): void {
    for (const [rfqId, image] of images) {
      this.registry.revert(rfqId, image);
      if (image) this.rearm(image);
      else this.wheel.set(rfqId, null);
    }
  }

  private publish(events: DomainEvent[]): void {
    for (const event of events) {
      let counted = this.eventCounts.get(event.type);
      if (!counted) {
        counted = engineMetrics.events.cell({ type: event.type });
        this.eventCounts.set(event.type, counted);
      }
      counted.n++;
      // The batch is durable whatever a port or listener does with it: a throw is logged, never propagated.
      try {
        this.effects.handle(event);
      } catch (error) {
        this.deps.logger.error(
          { err: error, rfqId: event.rfqId, seq: event.seq, type: event.type },
          'effect failed',
        );
      }
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          this.deps.logger.error({ err: error, rfqId: event.rfqId, seq: event.seq }, 'event listener failed');
        }
      }
      if (event.type === 'rfq.status' && isTerminal(event.status)) this.retire(event.rfqId);
    }
    engineMetrics.liveRfqs.value = this.registry.size;
  }

  /** A terminal RFQ leaves memory once its final events are out; reads go to the record from here. */
  private retire(rfqId: string): void {
    const snapshot = this.registry.peek(rfqId);
    if (!snapshot) return;
    this.queries.remember(toRfqView(statusOf(snapshot), snapshot.context));
    this.wheel.set(rfqId, null);
    this.registry.remove(rfqId);
  }

  /** Recovery: restores every live RFQ, re-arms deadlines (past ones fire at once, in order), resumes side effects. */
  async start(): Promise<{ restored: number }> {
    this.commits.resumeAfter(await this.deps.store.lastSeq());
    const live = await this.deps.store.loadLive();
    for (const persisted of live) {
      if (isTerminal(persisted.value)) continue;
      this.rearm(this.registry.hold(persisted));
    }
    await this.effects.resume(live.filter((p) => !isTerminal(p.value)));
    this.wheel.fireDue();
    return { restored: this.registry.size };
  }

  /** Stops taking deadlines, waits for pending commits. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wheel.stop();
    await this.commits.drain();
  }

  /** Resolves once every change made so far is durable and published (or undone). */
  async flush(): Promise<void> {
    await this.commits.drain();
  }

  subscribe(listener: (event: DomainEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get liveCount(): number {
    return this.registry.size;
  }

  get lastSeq(): number {
    return this.commits.lastSeq;
  }
}
