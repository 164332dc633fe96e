/**
 * The conservative policy: every position locks its full risk, so the locked total always covers
 * every position winning at once. Used until (or unless) the ILP engine is configured; same port.
 *
 * Under this policy every open position is fully covered by its own collateral, so when one closes the
 * MM can be released down to the risk still open (release-only): Σ risk of open positions is an upper
 * bound on any worst case. Locked amounts follow the same ledger as the ILP engine (ledger.ts).
 *
 * @example
 * const risk = new FullRiskEngine();
 * const { collateralMicro } = await risk.reserve(position); // === position.riskMicro
 */
import type { Micro } from '../../machines/money.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { MarketStructure } from '../ports/markets.ts';
import type { CollateralDecision, PositionRisk, RiskEngine } from '../ports/risk.ts';
import { CollateralLedger } from './ledger.ts';
import {
  type CloseOutcome,
  checkPosition,
  inferOutcome,
  type ReleaseListener,
  type RiskStatus,
} from './riskTypes.ts';

interface FullBook {
  version: number;
  ledger: CollateralLedger;
  risks: Map<string, { riskMicro: Micro; legs: PositionRisk['legs'] }>;
  openRiskMicro: Micro;
}

export interface FullRiskOptions {
  logger?: Logger;
  /** Read to tell a closed position's outcome when `close` is not given one. */
  markets?: MarketStructure;
  /** Releases smaller than this are not emitted (default 0). */
  minReleaseMicro?: Micro;
}

export class FullRiskEngine implements RiskEngine {
  private readonly books = new Map<string, FullBook>();
  private readonly listeners: ReleaseListener[] = [];
  private readonly log: Logger;

  constructor(private readonly opts: FullRiskOptions = {}) {
    this.log = (opts.logger ?? createLogger({ level: 'warn' })).child({
      component: 'risk',
      policy: 'full-risk',
    });
  }

  async reserve(position: PositionRisk): Promise<CollateralDecision> {
    checkPosition(position);
    const book = this.bookFor(position.mmId);
    if (!book.risks.has(position.positionId)) {
      book.version++;
      book.risks.set(position.positionId, { riskMicro: position.riskMicro, legs: position.legs });
      book.openRiskMicro += position.riskMicro;
      book.ledger.reserve(position.positionId, position.riskMicro);
    }
    this.log.debug({ mmId: position.mmId, positionId: position.positionId }, 'collateral = full risk');
    return { collateralMicro: position.riskMicro, requiredMicro: book.openRiskMicro, method: 'full-risk' };
  }

  /** The position's creation landed on chain. */
  commit(mmId: string, positionId: string): void {
    this.books.get(mmId)?.ledger.commit(positionId);
  }

  abandon(mmId: string, positionId: string): void {
    this.leave(mmId, positionId, 'abandoned');
  }

  /**
   * A win is paid out of the locked collateral on chain: pass `outcome` when known. Without it a lost
   * leg in the market facts proves a loss; anything else is taken as a win (the safe guess).
   */
  close(mmId: string, positionId: string, outcome?: CloseOutcome): void {
    this.leave(mmId, positionId, outcome ?? 'infer');
  }

  /** Σ risk of the MM's open positions: what this policy requires locked. */
  lockedBy(mmId: string): Micro {
    return this.books.get(mmId)?.openRiskMicro ?? 0;
  }

  restore(
    books: Array<{
      mmId: string;
      lockedMicro: Micro;
      positions: Array<PositionRisk & { collateralMicro: Micro }>;
    }>,
  ): void {
    for (const b of books) {
      const book: FullBook = {
        version: 0,
        ledger: new CollateralLedger(b.lockedMicro),
        risks: new Map(),
        openRiskMicro: 0,
      };
      for (const p of b.positions) {
        checkPosition(p);
        book.risks.set(p.positionId, { riskMicro: p.riskMicro, legs: p.legs });
        book.openRiskMicro += p.riskMicro;
      }
      this.books.set(b.mmId, book);
    }
  }

  onRelease(listener: ReleaseListener): void {
    this.listeners.push(listener);
  }

  status(mmId: string): RiskStatus | null {
    const book = this.books.get(mmId);
    if (book === undefined) return null;
    return {
      version: book.version,
      positions: book.risks.size,
      pending: book.ledger.pendingCount,
      riskMicro: book.openRiskMicro,
      requiredMicro: book.openRiskMicro,
      firmMicro: book.ledger.firmMicro,
      expectedMicro: book.ledger.expectedMicro,
      snapshot: null,
    };
  }

  async shutdown(): Promise<void> {
    this.books.clear();
  }

  private bookFor(mmId: string): FullBook {
    let book = this.books.get(mmId);
    if (book === undefined) {
      book = { version: 0, ledger: new CollateralLedger(0), risks: new Map(), openRiskMicro: 0 };
      this.books.set(mmId, book);
    }
    return book;
  }

  private leave(mmId: string, positionId: string, how: 'abandoned' | 'infer' | CloseOutcome): void {
    const book = this.books.get(mmId);
    const held = book?.risks.get(positionId);
    if (book === undefined || held === undefined) return;
    book.version++;
    book.risks.delete(positionId);
    book.openRiskMicro -= held.riskMicro;
    const landed = !book.ledger.fail(positionId);
    if (how !== 'abandoned' && landed) {
      const facts = this.opts.markets?.facts(held.legs.map((l) => l.ticker)) ?? [];
      const outcome = how === 'infer' ? inferOutcome(held.legs, facts) : how;
      if (outcome === 'win') book.ledger.payout(held.riskMicro);
    }
    const expected = book.ledger.expectedMicro;
    const excess = expected - book.openRiskMicro;
    if (excess <= 0 || excess < (this.opts.minReleaseMicro ?? 0)) return;
    book.ledger.release(book.openRiskMicro);
    this.log.info(
      { mmId, positionId, requiredMicro: book.openRiskMicro, releasedMicro: excess },
      'collateral release',
    );
    for (const listener of this.listeners) {
      try {
        listener({ mmId, requiredMicro: book.openRiskMicro });
      } catch (err) {
        this.log.error({ mmId, err }, 'release listener threw');
      }
    }
  }
}
