/**
 * The engine: one actor per live RFQ, commands with owner checks, a timer wheel for every deadline,
 * group commit before any ack, and one sequenced stream of domain events.
 *
 * A command either changes nothing and returns a typed error, or changes the actor, joins the open
 * commit batch and resolves once that batch is durable (SERVICE_UNAVAILABLE, with the change undone,
 * if it cannot be made so).
 */
import type { DomainEvent, Quote, QuoteView, RfqEmitted, RfqView } from '../machines/domain.ts';
import { isTerminal } from '../machines/domain.ts';
import { err, fail, ok, type Result, RfqError } from '../machines/errors.ts';
import { checkBet, checkOdds, type Limits, quoteValidUntil, rfqTtlMs } from '../machines/limits.ts';
import type { Micro, OddsFp } from '../machines/money.ts';
import { quoteAmounts } from '../machines/payout.ts';
import type { PersistedRfq } from '../machines/rfq.ts';
import type { RfqInput } from '../machines/rfqEvents.ts';
import { findQuote, inputError, isLive, nextDeadline, toQuoteView, toRfqView } from '../machines/rfqRules.ts';
import { CommitQueue } from './commitQueue.ts';
import { Effects } from './effects.ts';
import { uuid } from './ids.ts';
import { checkLegShape, type LegRequest, resolveLegs } from './legs.ts';
import type { Logger } from './logger.ts';
import type { ChainExecutor, ChainResultSink } from './ports/chain.ts';
import type { Clock } from './ports/clock.ts';
import type { FundsGate } from './ports/funds.ts';
import type { MarketSource } from './ports/markets.ts';
import type { RiskEngine } from './ports/risk.ts';
import type { SettlementSink, SettlementWatcher } from './ports/settlement.ts';
import type { RecordStore, SnapshotStore, SnapshotWrite } from './ports/store.ts';
import { Queries } from './queries.ts';
import { type RfqActor, RfqRegistry, type RfqSnapshot, statusOf } from './rfqRegistry.ts';
import { TimerWheel } from './timerWheel.ts';

export interface EngineDeps {
  clock: Clock;
  limits: Limits;
  markets: MarketSource;
  store: SnapshotStore;
  records: RecordStore;
  risk: RiskEngine;
  chain?: ChainExecutor | null;
  funds?: FundsGate | null;
  settlement?: SettlementWatcher | null;
  logger: Logger;
  newId?: () => string;
  /** How long to wait before retrying a deadline or chain result that could not be made durable. */
  retryDelayMs?: number;
}

export interface CreateRfqCommand {
  legs: LegRequest[];
  betMicro: Micro;
  ttlMs?: number;
}

export interface SubmitQuoteCommand {
  rfqId: string;
  oddsFp: OddsFp;
  validForMs?: number;
  /** Replace the MM's live quote on this RFQ instead of refusing with QUOTE_ALREADY_EXISTS. */
  replace: boolean;
}

export interface QuoteAck {
  rfq: RfqView;
  quote: QuoteView;
}

type Located = { actor: RfqActor; view?: undefined } | { actor?: undefined; view: RfqView };

const asResult = (error: unknown): Result<never> => {
  if (error instanceof RfqError) return fail(error);
  throw error;
};

export class Engine implements ChainResultSink, SettlementSink {
  readonly queries: Queries;
  private readonly registry: RfqRegistry;
  private readonly commits: CommitQueue<RfqSnapshot>;
  private readonly wheel: TimerWheel;
  private readonly effects: Effects;
  private readonly listeners = new Set<(event: DomainEvent) => void>();
  /** RFQs whose confirm is waiting on the risk engine: their confirm deadline waits for it. */
  private readonly confirming = new Map<string, number | null>();
  private readonly newId: () => string;
  private readonly retryDelayMs: number;
  private degradedUntil = 0;
  private stopped = false;

  constructor(private readonly deps: EngineDeps) {
    this.newId = deps.newId ?? uuid;
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
    deps.chain?.attach(this);
    deps.settlement?.attach(this);
  }

  /** Recovery: restores every live RFQ, re-arms deadlines (past ones fire at once, in order), resumes side effects. */
  async start(): Promise<{ restored: number }> {
    this.commits.resumeAfter(await this.deps.store.lastSeq());
    const live = await this.deps.store.loadLive();
    for (const persisted of live) {
      if (isTerminal(persisted.value)) continue;
      const actor = this.registry.restore(persisted);
      this.rearm(actor.getSnapshot());
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

  // ---- user commands ----

  async createRfq(userId: string, command: CreateRfqCommand): Promise<Result<RfqView>> {
    let ttlMs: number;
    try {
      checkLegShape(this.deps.limits, command.legs);
      checkBet(this.deps.limits, command.betMicro);
      ttlMs = rfqTtlMs(this.deps.limits, command.ttlMs);
    } catch (error) {
      return asResult(error);
    }
    const unavailable = this.unavailable();
    if (unavailable) return unavailable;
    const lookups = await this.deps.markets.lookup(command.legs.map((l) => l.ticker));
    const createdAt = this.deps.clock.now();
    const expiresAt = createdAt + ttlMs;
    try {
      const legs = resolveLegs(command.legs, lookups, expiresAt);
      const id = this.newId();
      const input = {
        id,
        userId,
        legs,
        betMicro: command.betMicro,
        feeBps: this.deps.limits.feeBps,
        createdAt,
        expiresAt,
      };
      const actor = this.registry.create(input);
      this.commits.touch(id, null);
      this.rearm(actor.getSnapshot());
      const view = toRfqView('open', actor.getSnapshot().context);
      this.deps.logger.debug(
        { rfqId: id, userId, legs: legs.length, betMicro: command.betMicro },
        'rfq created',
      );
      return await this.ack(view);
    } catch (error) {
      return asResult(error);
    }
  }

  async cancelRfq(userId: string, rfqId: string, reason = 'user_cancelled'): Promise<Result<RfqView>> {
    return this.command(rfqId, { type: 'CANCEL', at: this.deps.clock.now(), userId, reason }, (s) =>
      this.view(s),
    );
  }

  async acceptQuote(userId: string, rfqId: string, quoteId: string): Promise<Result<QuoteAck>> {
    const input: RfqInput = {
      type: 'ACCEPT',
      at: this.deps.clock.now(),
      userId,
      quoteId,
      confirmWindowMs: this.deps.limits.confirmWindowMs,
    };
    const located = await this.locate(rfqId);
    if (!located.ok) return located;
    const { actor } = located.value;
    if (!actor) return fail(this.refusal(located.value.view, input));
    const snapshot = actor.getSnapshot();
    const refused = inputError(statusOf(snapshot), snapshot.context, input);
    if (refused) return fail(refused);
    const unavailable = this.unavailable();
    if (unavailable) return unavailable;
    const owner = { kind: 'user', id: userId } as const;
    if (this.deps.funds) {
      const reserved = this.deps.funds.reserve(owner, rfqId, snapshot.context.betMicro);
      if (!reserved.ok) return reserved;
    }
    const applied = this.apply(rfqId, input);
    if (!applied.ok) {
      this.deps.funds?.release(owner, rfqId);
      return applied;
    }
    this.commits.onRollback(() => this.deps.funds?.release(owner, rfqId));
    return this.ack(this.quoteAck(applied.value, quoteId));
  }

  // ---- market-maker commands ----

  async submitQuote(mmId: string, command: SubmitQuoteCommand): Promise<Result<QuoteAck>> {
    const at = this.deps.clock.now();
    try {
      checkOdds(this.deps.limits, command.oddsFp);
    } catch (error) {
      return asResult(error);
    }
    const located = await this.locate(command.rfqId);
    if (!located.ok) return located;
    const context = located.value.actor?.getSnapshot().context ?? (located.value.view as RfqView);
    let validUntil: number;
    try {
      validUntil = quoteValidUntil(this.deps.limits, at, command.validForMs, context.expiresAt);
    } catch (error) {
      return asResult(error);
    }
    const quoteId = this.newId();
    const input: RfqInput = {
      type: 'QUOTE.SUBMIT',
      at,
      mmId,
      quoteId,
      oddsFp: command.oddsFp,
      validUntil,
      replace: command.replace,
    };
    return this.command(command.rfqId, input, (s) => this.quoteAck(s, quoteId, mmId));
  }

  async withdrawQuote(mmId: string, quoteId: string): Promise<Result<QuoteAck>> {
    const at = this.deps.clock.now();
    return this.quoteCommand(
      quoteId,
      { type: 'QUOTE.WITHDRAW', at, mmId, quoteId, reason: 'withdrawn' },
      mmId,
    );
  }

  async rejectQuote(mmId: string, quoteId: string): Promise<Result<QuoteAck>> {
    return this.quoteCommand(quoteId, { type: 'REJECT', at: this.deps.clock.now(), mmId, quoteId }, mmId);
  }

  /** Cancel-on-disconnect: withdraws every live quote of the MM; resolves with how many. */
  async withdrawAll(mmId: string): Promise<Result<{ withdrawn: number }>> {
    const unavailable = this.unavailable();
    if (unavailable) return unavailable;
    const at = this.deps.clock.now();
    let withdrawn = 0;
    for (const rfqId of [...this.registry.mmRfqIds(mmId)]) {
      const actor = this.registry.get(rfqId);
      const live = actor?.getSnapshot().context.quotes.find((q) => q.mmId === mmId && isLive(q, at));
      if (!live) continue;
      const applied = this.apply(rfqId, {
        type: 'QUOTE.WITHDRAW',
        at,
        mmId,
        quoteId: live.id,
        reason: 'mm_disconnected',
      });
      if (applied.ok) withdrawn++;
    }
    return this.ack({ withdrawn });
  }

  /**
   * Confirm: the risk engine sizes the MM's collateral (serialised per MM, off the event loop), the
   * MM's free balance must cover it, then the RFQ is confirmed and the chain actor takes the order.
   * The confirm counts at its arrival time; the deadline waits for the decision.
   */
  async confirmQuote(mmId: string, quoteId: string): Promise<Result<QuoteAck>> {
    const at = this.deps.clock.now();
    const probe: RfqInput = { type: 'CONFIRM', at, mmId, quoteId, collateralMicro: 0 };
    // A live RFQ is found synchronously, so the confirm is registered before any deadline can run.
    const rfqId = this.registry.rfqIdOfQuote(quoteId) ?? (await this.rfqIdOfQuote(quoteId));
    if (!rfqId) return err('NOT_FOUND', { resource: 'quote', id: quoteId });
    const actor = this.registry.get(rfqId);
    if (!actor) {
      const ended = await this.locate(rfqId);
      return ended.ok && ended.value.view
        ? fail(this.refusal(ended.value.view, probe))
        : err('NOT_FOUND', { resource: 'quote', id: quoteId });
    }
    const refused = inputError(statusOf(actor.getSnapshot()), actor.getSnapshot().context, probe);
    if (refused) return fail(refused);
    if (this.confirming.has(rfqId))
      return err('INVALID_TRANSITION', { reason: 'confirm already in progress' });
    const unavailable = this.unavailable();
    if (unavailable) return unavailable;
    const context = actor.getSnapshot().context;
    const quote = findQuote(context, quoteId) as Quote;
    const { mmRiskMicro } = quoteAmounts(context.betMicro, quote.oddsFp);
    this.confirming.set(rfqId, null);
    let collateralMicro = mmRiskMicro;
    try {
      const decision = await this.deps.risk.reserve({
        positionId: rfqId,
        mmId,
        legs: context.legs,
        riskMicro: mmRiskMicro,
        stakeMicro: context.betMicro,
      });
      collateralMicro = Math.min(mmRiskMicro, Math.max(0, decision.collateralMicro));
      this.deps.logger.debug(
        { rfqId, quoteId, mmId, collateralMicro, method: decision.method },
        'collateral decided',
      );
    } catch (error) {
      // The port promises never to reject; if it does, the full risk is the safe answer.
      this.deps.logger.error({ rfqId, quoteId, mmId, err: error }, 'risk engine failed; locking full risk');
    }
    const deferred = this.confirming.get(rfqId);
    this.confirming.delete(rfqId);
    const result = this.finishConfirm(rfqId, mmId, { ...probe, collateralMicro });
    if (deferred != null) this.onDeadline(rfqId, deferred);
    if (!result.ok) return result;
    return this.ack(this.quoteAck(result.value, quoteId));
  }

  private finishConfirm(
    rfqId: string,
    mmId: string,
    input: RfqInput & { type: 'CONFIRM' },
  ): Result<RfqSnapshot> {
    const mm = { kind: 'mm', id: mmId } as const;
    if (this.deps.funds) {
      const reserved = this.deps.funds.reserve(mm, rfqId, input.collateralMicro);
      if (!reserved.ok) {
        this.deps.risk.abandon(mmId, rfqId);
        return reserved;
      }
    }
    const applied = this.apply(rfqId, input);
    if (!applied.ok) {
      this.deps.funds?.release(mm, rfqId);
      this.deps.risk.abandon(mmId, rfqId);
      return applied;
    }
    this.commits.onRollback(() => {
      this.deps.funds?.release(mm, rfqId);
      this.deps.risk.abandon(mmId, rfqId);
    });
    return applied;
  }

  // ---- chain and settlement inputs (ChainResultSink, SettlementSink) ----

  positionExecuted(rfqId: string, result: { positionAddress: string; signature: string }): void {
    this.internal(rfqId, { type: 'EXECUTED', at: this.deps.clock.now(), ...result });
  }

  executionFailed(rfqId: string, reason: string): void {
    this.internal(rfqId, { type: 'EXECUTION_FAILED', at: this.deps.clock.now(), reason });
  }

  resolve(rfqId: string, outcome: 'win' | 'loss' | 'void'): void {
    const current = this.registry.get(rfqId)?.getSnapshot().context.pendingOutcome;
    if (current === outcome) return;
    this.internal(rfqId, { type: 'OUTCOME', at: this.deps.clock.now(), outcome });
  }

  positionSettled(
    rfqId: string,
    result: { outcome: 'win' | 'loss'; payoutMicro: Micro; feeMicro: Micro; signature: string },
  ): void {
    this.internal(rfqId, { type: 'SETTLED', at: this.deps.clock.now(), ...result });
  }

  positionCancelled(rfqId: string, result: { signature: string; reason: string }): void {
    this.internal(rfqId, { type: 'VOIDED', at: this.deps.clock.now(), ...result });
  }

  // ---- plumbing ----

  /** Applies an input to a live actor, synchronously; the change joins the open commit batch. */
  private apply(rfqId: string, input: RfqInput): Result<RfqSnapshot> {
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

  private async command<T>(rfqId: string, input: RfqInput, reply: (s: RfqSnapshot) => T): Promise<Result<T>> {
    const located = await this.locate(rfqId);
    if (!located.ok) return located;
    if (!located.value.actor) return fail(this.refusal(located.value.view, input));
    const unavailable = this.unavailable();
    if (unavailable) return unavailable;
    const applied = this.apply(rfqId, input);
    if (!applied.ok) return applied;
    return this.ack(reply(applied.value));
  }

  private async quoteCommand(quoteId: string, input: RfqInput, mmId: string): Promise<Result<QuoteAck>> {
    const rfqId = await this.rfqIdOfQuote(quoteId);
    if (!rfqId) return err('NOT_FOUND', { resource: 'quote', id: quoteId });
    return this.command(rfqId, input, (s) => this.quoteAck(s, quoteId, mmId));
  }

  /** Inputs from the chain and the settlement watcher are facts: retried until durable, never dropped. */
  private internal(rfqId: string, input: RfqInput): void {
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

  private async ack<T>(value: T): Promise<Result<T>> {
    try {
      await this.commits.durable();
      return ok(value);
    } catch {
      return err('SERVICE_UNAVAILABLE', { reason: 'snapshot store write failed' });
    }
  }

  private unavailable(): Result<never> | null {
    if (!this.deps.store.available || this.deps.clock.now() < this.degradedUntil) {
      return err('SERVICE_UNAVAILABLE', { reason: 'snapshot store unavailable' });
    }
    return null;
  }

  private async locate(rfqId: string): Promise<Result<Located>> {
    const actor = this.registry.get(rfqId);
    if (actor) return ok({ actor });
    const view = await this.queries.findEnded(rfqId);
    return view ? ok({ view }) : err('NOT_FOUND', { resource: 'rfq', id: rfqId });
  }

  private async rfqIdOfQuote(quoteId: string): Promise<string | null> {
    return this.registry.rfqIdOfQuote(quoteId) ?? (await this.deps.records.rfqIdOfQuote(quoteId));
  }

  /** The error for an input to an RFQ that has left memory (it ended): the same rules, on its last view. */
  private refusal(view: RfqView, input: RfqInput): RfqError {
    return inputError(view.status, view, input) ?? RfqError.of('INVALID_TRANSITION', { status: view.status });
  }

  private view(snapshot: RfqSnapshot): RfqView {
    return toRfqView(statusOf(snapshot), snapshot.context);
  }

  private quoteAck(snapshot: RfqSnapshot, quoteId: string, viewerMm?: string): QuoteAck {
    const rfq = this.view(snapshot);
    const quote = findQuote(snapshot.context, quoteId) as Quote;
    if (viewerMm) rfq.quotes = rfq.quotes.filter((q) => q.mmId === viewerMm);
    return { rfq, quote: toQuoteView(snapshot.context, quote) };
  }

  private rearm(snapshot: RfqSnapshot): void {
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
    const actor = this.registry.get(rfqId);
    if (!actor) return;
    const due = nextDeadline(statusOf(actor.getSnapshot()), actor.getSnapshot().context);
    if (due === null || due > deadline) {
      this.rearm(actor.getSnapshot());
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
      this.effects.handle(event);
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          this.deps.logger.error({ err: error, rfqId: event.rfqId, seq: event.seq }, 'event listener failed');
        }
      }
      if (event.type === 'rfq.status' && isTerminal(event.status)) this.retire(event.rfqId);
    }
  }

  /** A terminal RFQ leaves memory once its final events are out; reads go to the record from here. */
  private retire(rfqId: string): void {
    const actor = this.registry.get(rfqId);
    if (!actor) return;
    this.queries.remember(this.view(actor.getSnapshot()));
    this.wheel.set(rfqId, null);
    this.registry.remove(rfqId);
  }
}
