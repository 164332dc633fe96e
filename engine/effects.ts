/**
 * What the engine does to the outside once a batch is durable: orders to the chain, books to the risk
 * engine, reservations back to the funds gate, positions to the settlement watcher. Driven only by
 * committed events, so an undone transition never reaches the chain. `resume` redoes the same at boot
 * for RFQs restored mid-flight; every port it calls is idempotent for a repeated order.
 */
import type { DomainEvent, RfqContext } from '../machines/domain.ts';
import type { Micro } from '../machines/money.ts';
import { quoteAmounts } from '../machines/payout.ts';
import type { PersistedRfq } from '../machines/rfq.ts';
import type { EngineDeps } from './engine.ts';
import type { PositionOrder, SettleOrder } from './ports/chain.ts';
import type { PositionRisk } from './ports/risk.ts';
import type { RfqRegistry } from './rfqRegistry.ts';

/** Ends of an accepted RFQ that leave the user's stake reserved but never locked. */
const UNLOCKED_ENDS = new Set(['confirm_timeout', 'mm_rejected']);

export class Effects {
  constructor(
    private readonly deps: EngineDeps,
    private readonly registry: RfqRegistry,
  ) {}

  handle(event: DomainEvent): void {
    switch (event.type) {
      case 'quote.confirmed': {
        const context = this.contextOf(event.rfqId);
        if (context) this.deps.chain?.createPosition(positionOrder(context));
        return;
      }
      case 'position.executed': {
        this.deps.risk.commit(event.mmId, event.rfqId);
        this.releaseReservations(event.rfqId, event.userId, event.mmId);
        const context = this.contextOf(event.rfqId);
        if (context) this.deps.settlement?.track(event.rfqId, context.legs);
        return;
      }
      case 'position.outcome': {
        const context = this.contextOf(event.rfqId);
        if (context) this.deps.chain?.settlePosition(settleOrder(context));
        return;
      }
      case 'position.settled':
        this.deps.risk.close(event.mmId, event.rfqId, event.outcome);
        this.deps.settlement?.untrack(event.rfqId);
        return;
      case 'position.cancelled':
        if (event.positionAddress === null) {
          // Creation failed for good: nothing was locked, the reservations and the book entry go.
          this.releaseReservations(event.rfqId, event.userId, event.mmId);
          this.deps.risk.abandon(event.mmId, event.rfqId);
        } else {
          this.deps.risk.close(event.mmId, event.rfqId, 'void');
          this.deps.settlement?.untrack(event.rfqId);
        }
        return;
      case 'rfq.cancelled':
        if (UNLOCKED_ENDS.has(event.reason))
          this.deps.funds?.release({ kind: 'user', id: event.userId }, event.rfqId);
        return;
      default:
        return;
    }
  }

  /** Boot: rebuild risk books, reconcile confirmed-but-not-executed RFQs with the chain, resume watching. */
  async resume(live: PersistedRfq[]): Promise<void> {
    const books = new Map<string, Array<PositionRisk & { collateralMicro: Micro }>>();
    const unexecuted: PositionOrder[] = [];
    for (const { value, context } of live) {
      // Reservations live in memory: an accepted RFQ holds the user's stake again, a confirmed one the
      // MM's collateral too, until the chain locks them or the RFQ ends.
      if (value === 'accepted' || value === 'confirmed') this.reserveAgain(value, context);
      if (value !== 'confirmed' && value !== 'executed') continue;
      const order = positionOrder(context);
      const book = books.get(order.mmId) ?? [];
      book.push({
        positionId: order.rfqId,
        mmId: order.mmId,
        legs: order.legs,
        riskMicro: order.riskMicro,
        stakeMicro: order.stakeMicro,
        collateralMicro: order.collateralMicro,
      });
      books.set(order.mmId, book);
      if (value === 'confirmed') unexecuted.push(order);
      else {
        this.deps.settlement?.track(context.id, context.legs);
        if (context.pendingOutcome !== null) this.deps.chain?.settlePosition(settleOrder(context));
      }
    }
    const mmIds = [...books.keys()];
    const locked = this.deps.chain ? await this.deps.chain.lockedCollateral(mmIds) : new Map<string, Micro>();
    this.deps.risk.restore(
      mmIds.map((mmId) => {
        const positions = books.get(mmId) ?? [];
        // Without a chain, what was locked is what the positions locked: no release can have happened.
        const fallback = positions.reduce((sum, p) => sum + p.collateralMicro, 0);
        return { mmId, lockedMicro: locked.get(mmId) ?? fallback, positions };
      }),
    );
    if (unexecuted.length > 0 && this.deps.chain) await this.deps.chain.reconcile(unexecuted);
  }

  private reserveAgain(status: 'accepted' | 'confirmed', context: RfqContext): void {
    const funds = this.deps.funds;
    if (!funds) return;
    const user = funds.reserve({ kind: 'user', id: context.userId }, context.id, context.betMicro);
    const order = status === 'confirmed' ? positionOrder(context) : null;
    const mm = order
      ? funds.reserve({ kind: 'mm', id: order.mmId }, context.id, order.collateralMicro)
      : null;
    // Funds that moved while we were down cannot undo what was acked; it is logged for an operator.
    if (!user.ok || (mm && !mm.ok)) {
      this.deps.logger.warn(
        { rfqId: context.id, status },
        'reservation could not be restored at boot: free balance too low',
      );
    }
  }

  private contextOf(rfqId: string): RfqContext | undefined {
    return this.registry.peek(rfqId)?.context;
  }

  private releaseReservations(rfqId: string, userId: string, mmId: string): void {
    this.deps.funds?.release({ kind: 'user', id: userId }, rfqId);
    this.deps.funds?.release({ kind: 'mm', id: mmId }, rfqId);
  }
}

function acceptedQuote(context: RfqContext) {
  const quote = context.quotes.find((q) => q.id === context.acceptedQuoteId);
  if (!quote) throw new Error(`rfq ${context.id} has no accepted quote`);
  return quote;
}

export function positionOrder(context: RfqContext): PositionOrder {
  const quote = acceptedQuote(context);
  const { mmRiskMicro } = quoteAmounts(context.betMicro, quote.oddsFp);
  return {
    rfqId: context.id,
    quoteId: quote.id,
    userId: context.userId,
    mmId: quote.mmId,
    legs: context.legs,
    stakeMicro: context.betMicro,
    riskMicro: mmRiskMicro,
    collateralMicro: context.collateralMicro ?? mmRiskMicro,
    feeBps: context.feeBps,
  };
}

export function settleOrder(context: RfqContext): SettleOrder {
  const order = positionOrder(context);
  return {
    rfqId: order.rfqId,
    userId: order.userId,
    mmId: order.mmId,
    positionAddress: context.position?.address ?? '',
    outcome: context.pendingOutcome ?? 'void',
    stakeMicro: order.stakeMicro,
    riskMicro: order.riskMicro,
    feeBps: order.feeBps,
  };
}
