/**
 * The engine: one actor per live RFQ, commands with owner checks, a timer wheel for every deadline,
 * group commit before any ack, and one sequenced stream of domain events.
 *
 * A command either changes nothing and returns a typed error, or changes the actor, joins the open
 * commit batch and resolves once that batch is durable (SERVICE_UNAVAILABLE, with the change undone,
 * if it cannot be made so).
 */
import type { DomainEvent, Quote, QuoteView, RfqView } from '../machines/domain.ts';
import { err, fail, type Result, RfqError } from '../machines/errors.ts';
import { checkBet, checkOdds, type Limits, quoteValidUntil, rfqTtlMs } from '../machines/limits.ts';
import type { Micro, OddsFp } from '../machines/money.ts';
import { quoteAmounts } from '../machines/payout.ts';
import type { RfqInput } from '../machines/rfqEvents.ts';
import { findQuote, inputError, isLive, toQuoteView, toRfqView } from '../machines/rfqRules.ts';
import { uuid } from './ids.ts';
import { checkLegShape, type LegRequest, resolveLegs } from './legs.ts';
import type { Logger } from './logger.ts';
import type { ChainExecutor, ChainResultSink } from './ports/chain.ts';
import type { Clock } from './ports/clock.ts';
import type { FundsGate } from './ports/funds.ts';
import type { MarketSource } from './ports/markets.ts';
import type { RiskEngine } from './ports/risk.ts';
import type { SettlementSink, SettlementWatcher } from './ports/settlement.ts';
import type { RecordStore, SnapshotStore } from './ports/store.ts';
import type { Queries } from './queries.ts';
import { type RfqSnapshot, statusOf } from './rfqRegistry.ts';
import { RfqRuntime } from './rfqRuntime.ts';

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

const asResult = (error: unknown): Result<never> => {
  if (error instanceof RfqError) return fail(error);
  throw error;
};

export class Engine implements ChainResultSink, SettlementSink {
  readonly queries: Queries;
  private readonly rt: RfqRuntime;
  private readonly newId: () => string;

  constructor(private readonly deps: EngineDeps) {
    this.newId = deps.newId ?? uuid;
    this.rt = new RfqRuntime(deps);
    this.queries = this.rt.queries;
    deps.chain?.attach(this);
    deps.settlement?.attach(this);
  }

  /** Recovery: restores every live RFQ, re-arms deadlines (past ones fire at once, in order), resumes side effects. */
  start(): Promise<{ restored: number }> {
    return this.rt.start();
  }

  /** Stops taking deadlines, waits for pending commits. */
  stop(): Promise<void> {
    return this.rt.stop();
  }

  /** Resolves once every change made so far is durable and published (or undone). */
  flush(): Promise<void> {
    return this.rt.flush();
  }

  subscribe(listener: (event: DomainEvent) => void): () => void {
    return this.rt.subscribe(listener);
  }

  get liveCount(): number {
    return this.rt.liveCount;
  }

  get lastSeq(): number {
    return this.rt.lastSeq;
  }

  /** Live RFQs, how many of them are still held as snapshots (restored, untouched), the last sequence. */
  stats(): { live: number; heldAsSnapshots: number; lastSeq: number } {
    return {
      live: this.rt.liveCount,
      heldAsSnapshots: this.rt.registry.heldAsSnapshots,
      lastSeq: this.rt.lastSeq,
    };
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
    const unavailable = this.rt.unavailable();
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
      const view = toRfqView('open', this.rt.create(input).context);
      this.deps.logger.debug(
        { rfqId: id, userId, legs: legs.length, betMicro: command.betMicro },
        'rfq created',
      );
      return await this.rt.ack(view);
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
    const located = await this.rt.locate(rfqId);
    if (!located.ok) return located;
    const { actor } = located.value;
    if (!actor) return fail(this.rt.refusal(located.value.view, input));
    const snapshot = actor.getSnapshot();
    const refused = inputError(statusOf(snapshot), snapshot.context, input);
    if (refused) return fail(refused);
    const unavailable = this.rt.unavailable();
    if (unavailable) return unavailable;
    const owner = { kind: 'user', id: userId } as const;
    if (this.deps.funds) {
      const reserved = this.deps.funds.reserve(owner, rfqId, snapshot.context.betMicro);
      if (!reserved.ok) return reserved;
    }
    const applied = this.rt.apply(rfqId, input);
    if (!applied.ok) {
      this.deps.funds?.release(owner, rfqId);
      return applied;
    }
    this.rt.onRollback(() => this.deps.funds?.release(owner, rfqId));
    return this.rt.ack(this.quoteAck(applied.value, quoteId));
  }

  // ---- market-maker commands ----

  async submitQuote(mmId: string, command: SubmitQuoteCommand): Promise<Result<QuoteAck>> {
    const at = this.deps.clock.now();
    try {
      checkOdds(this.deps.limits, command.oddsFp);
    } catch (error) {
      return asResult(error);
    }
    const located = await this.rt.locate(command.rfqId);
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
    const unavailable = this.rt.unavailable();
    if (unavailable) return unavailable;
    const at = this.deps.clock.now();
    let withdrawn = 0;
    for (const rfqId of [...this.rt.registry.mmRfqIds(mmId)]) {
      const live = this.rt.registry.peek(rfqId)?.context.quotes.find((q) => q.mmId === mmId && isLive(q, at));
      if (!live) continue;
      const applied = this.rt.apply(rfqId, {
        type: 'QUOTE.WITHDRAW',
        at,
        mmId,
        quoteId: live.id,
        reason: 'mm_disconnected',
      });
      if (applied.ok) withdrawn++;
    }
    return this.rt.ack({ withdrawn });
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
    const rfqId = this.rt.registry.rfqIdOfQuote(quoteId) ?? (await this.rt.rfqIdOfQuote(quoteId));
    if (rfqId === undefined) return err('SERVICE_UNAVAILABLE', { reason: 'record store unavailable' });
    if (!rfqId) return err('NOT_FOUND', { resource: 'quote', id: quoteId });
    const actor = this.rt.registry.get(rfqId);
    if (!actor) {
      const ended = await this.rt.locate(rfqId);
      return ended.ok && ended.value.view
        ? fail(this.rt.refusal(ended.value.view, probe))
        : err('NOT_FOUND', { resource: 'quote', id: quoteId });
    }
    const refused = inputError(statusOf(actor.getSnapshot()), actor.getSnapshot().context, probe);
    if (refused) return fail(refused);
    const unavailable = this.rt.unavailable();
    if (unavailable) return unavailable;
    if (!this.rt.beginConfirm(rfqId))
      return err('INVALID_TRANSITION', { reason: 'confirm already in progress' });
    const context = actor.getSnapshot().context;
    const quote = findQuote(context, quoteId) as Quote;
    const { mmRiskMicro } = quoteAmounts(context.betMicro, quote.oddsFp);
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
    const result = this.finishConfirm(rfqId, mmId, { ...probe, collateralMicro });
    this.rt.endConfirm(rfqId);
    if (!result.ok) return result;
    return this.rt.ack(this.quoteAck(result.value, quoteId));
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
    const applied = this.rt.apply(rfqId, input);
    if (!applied.ok) {
      this.deps.funds?.release(mm, rfqId);
      this.deps.risk.abandon(mmId, rfqId);
      return applied;
    }
    this.rt.onRollback(() => {
      this.deps.funds?.release(mm, rfqId);
      this.deps.risk.abandon(mmId, rfqId);
    });
    return applied;
  }

  // ---- chain and settlement inputs (ChainResultSink, SettlementSink) ----

  positionExecuted(rfqId: string, result: { positionAddress: string; signature: string }): void {
    this.rt.internal(rfqId, { type: 'EXECUTED', at: this.deps.clock.now(), ...result });
  }

  executionFailed(rfqId: string, reason: string): void {
    this.rt.internal(rfqId, { type: 'EXECUTION_FAILED', at: this.deps.clock.now(), reason });
  }

  resolve(rfqId: string, outcome: 'win' | 'loss' | 'void'): void {
    const current = this.rt.registry.peek(rfqId)?.context.pendingOutcome;
    if (current === outcome) return;
    this.rt.internal(rfqId, { type: 'OUTCOME', at: this.deps.clock.now(), outcome });
  }

  positionSettled(
    rfqId: string,
    result: { outcome: 'win' | 'loss'; payoutMicro: Micro; feeMicro: Micro; signature: string },
  ): void {
    this.rt.internal(rfqId, { type: 'SETTLED', at: this.deps.clock.now(), ...result });
  }

  positionCancelled(rfqId: string, result: { signature: string; reason: string }): void {
    this.rt.internal(rfqId, { type: 'VOIDED', at: this.deps.clock.now(), ...result });
  }

  // ---- plumbing ----

  private async command<T>(rfqId: string, input: RfqInput, reply: (s: RfqSnapshot) => T): Promise<Result<T>> {
    const located = await this.rt.locate(rfqId);
    if (!located.ok) return located;
    if (!located.value.actor) return fail(this.rt.refusal(located.value.view, input));
    const unavailable = this.rt.unavailable();
    if (unavailable) return unavailable;
    const applied = this.rt.apply(rfqId, input);
    if (!applied.ok) return applied;
    return this.rt.ack(reply(applied.value));
  }

  private async quoteCommand(quoteId: string, input: RfqInput, mmId: string): Promise<Result<QuoteAck>> {
    const rfqId = await this.rt.rfqIdOfQuote(quoteId);
    if (rfqId === undefined) return err('SERVICE_UNAVAILABLE', { reason: 'record store unavailable' });
    if (!rfqId) return err('NOT_FOUND', { resource: 'quote', id: quoteId });
    return this.command(rfqId, input, (s) => this.quoteAck(s, quoteId, mmId));
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
}
