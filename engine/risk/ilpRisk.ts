/**
 * The RiskEngine that locks an MM's incremental worst case instead of each position's full risk.
 *
 * Confirm path (main thread, no solver, no await): a new position's collateral is
 *   min(risk, max(0, risk + UB(book | its legs all win) − firm locked)),
 * with UB from book.ts (conditioning on the legs, cached component bounds, fresh positions). `reserve`
 * runs to completion without yielding, so two confirms of one MM can never interleave: JavaScript's
 * run-to-completion is the per-MM lock, stronger than a promise chain (nothing sits between reading the
 * base and recording the decision).
 *
 * Background (worker threads, refiner.ts): exact enumeration, LP and branch-and-bound bounds per
 * component. Each installed result may lower UB(book); when it falls below what will be locked, a
 * release to that bound is emitted (release-only) and recorded in the MM's ledger (ledger.ts).
 *
 * @example
 * const risk = new IlpRiskEngine({ markets });
 * risk.onRelease(({ mmId, requiredMicro }) => chain.releaseCollateral(mmId, requiredMicro));
 * const { collateralMicro } = await risk.reserve(position); // on confirm
 * risk.commit(mmId, positionId);                          // when the creation landed
 */
import type { Leg } from '../../machines/domain.ts';
import type { Micro } from '../../machines/money.ts';
import { createLogger, type Logger } from '../logger.ts';
import { type Clock, systemClock, type TimerHandle } from '../ports/clock.ts';
import type { MarketFacts, MarketStructure } from '../ports/markets.ts';
import type { CollateralDecision, PositionRisk, RiskEngine } from '../ports/risk.ts';
import { Book } from './book.ts';
import { RefinePool } from './refinePool.ts';
import {
  DEFAULT_REFINER_OPTIONS,
  type PositionWire,
  type RefineResult,
  type RefinerOptions,
} from './refiner.ts';
import {
  type CloseOutcome,
  checkPosition,
  inferOutcome,
  type ReleaseListener,
  type RiskStatus,
} from './riskTypes.ts';

export interface IlpRiskOptions {
  markets: MarketStructure;
  logger?: Logger;
  /** Refinement worker threads (default 1); 0 runs the confirm path alone (no releases but on close). */
  refineWorkers?: number;
  refiner?: Partial<RefinerOptions>;
  /** How often each book's market facts are re-read for results (default 2000 ms; 0: only `refreshFacts`). */
  factsPollMs?: number;
  /** Releases smaller than this are not emitted (default 0: any excess). */
  minReleaseMicro?: Micro;
  clock?: Clock;
}

const wire = (p: { id: string; version: number; riskMicro: number; legs: readonly Leg[] }): PositionWire => ({
  id: p.id,
  slot: p.version,
  riskMicro: p.riskMicro,
  legs: p.legs.map((l) => [l.ticker, l.side === 'yes']),
});

export class IlpRiskEngine implements RiskEngine {
  private readonly books = new Map<string, Book>();
  private readonly listeners: ReleaseListener[] = [];
  private readonly settledWaiters = new Map<string, Array<() => void>>();
  private readonly pool: RefinePool | null;
  private readonly log: Logger;
  private readonly clock: Clock;
  private pollTimer: TimerHandle | null = null;
  private stopped = false;

  constructor(private readonly opts: IlpRiskOptions) {
    this.log = (opts.logger ?? createLogger({ level: 'warn' })).child({ component: 'risk' });
    this.clock = opts.clock ?? systemClock;
    const workers = opts.refineWorkers ?? 1;
    this.pool =
      workers > 0
        ? new RefinePool(
            workers,
            { ...DEFAULT_REFINER_OPTIONS, ...opts.refiner },
            {
              result: (r) => this.install(r),
              restarted: (i) => this.resend(i),
              failed: (mmId, version, err) => this.failed(mmId, version, err),
            },
            this.log,
          )
        : null;
    this.schedulePoll();
  }

  async reserve(position: PositionRisk): Promise<CollateralDecision> {
    return this.decide(position);
  }

  /** The position's creation landed on chain: its collateral now counts as locked. */
  commit(mmId: string, positionId: string): void {
    const book = this.books.get(mmId);
    if (book === undefined || !book.ledger.commit(positionId)) return;
    this.log.debug({ mmId, positionId }, 'collateral landed');
  }

  abandon(mmId: string, positionId: string): void {
    this.leave(mmId, positionId, 'abandoned');
  }

  /**
   * The position settled or was cancelled. A win is paid out of the MM's locked collateral on chain, so
   * the ledger must know: pass `outcome` when known. Without it the outcome is read from market facts,
   * and anything short of a proven loss is taken as a win (the lower locked total is the safe guess).
   */
  close(mmId: string, positionId: string, outcome?: CloseOutcome): void {
    this.leave(mmId, positionId, outcome ?? 'infer');
  }

  restore(
    books: Array<{
      mmId: string;
      lockedMicro: Micro;
      positions: Array<PositionRisk & { collateralMicro: Micro }>;
    }>,
  ): void {
    for (const b of books) {
      const book = new Book(b.lockedMicro, (this.books.get(b.mmId)?.version ?? 0) + 1);
      this.books.set(b.mmId, book);
      const tickers = [...new Set(b.positions.flatMap((p) => p.legs.map((l) => l.ticker)))];
      book.learn(this.opts.markets.facts(tickers));
      const add = b.positions.map((p) => {
        checkPosition(p);
        // Restored positions are on chain (their collateral is in lockedMicro); their needs are unknown.
        const norm = book.normalize(p.legs);
        return wire(
          book.add({ ...this.held(p, p.collateralMicro), norm, needMicro: Number.POSITIVE_INFINITY }),
        );
      });
      // A worker may hold an older copy of this MM (restore is for boot, but be sure): start it over.
      this.pool?.send({ type: 'drop', mmId: b.mmId });
      this.pool?.send({
        type: 'sync',
        mmId: b.mmId,
        version: book.version,
        facts: [...book.graph.facts],
        add,
      });
    }
  }

  onRelease(listener: ReleaseListener): void {
    this.listeners.push(listener);
  }

  /** Re-reads market facts for one MM's book (or all): results shrink the problem. */
  refreshFacts(mmId?: string): void {
    for (const [id, book] of this.books) {
      if (mmId !== undefined && id !== mmId) continue;
      if (book.positions.size === 0) continue;
      this.learn(id, book, this.opts.markets.facts(book.tickers()));
      this.maybeRelease(id, book);
    }
  }

  /** Resolves when the refinement workers are up (HiGHS loaded); at once without workers. */
  ready(): Promise<void> {
    return this.pool?.ready() ?? Promise.resolve();
  }

  /** Resolves once refinement has nothing left to do for the MM's current book (at once without workers). */
  whenSettled(mmId: string): Promise<void> {
    const book = this.books.get(mmId);
    if (this.pool === null || book === undefined || book.settledVersion === book.version)
      return Promise.resolve();
    return new Promise((resolve) => {
      const waiting = this.settledWaiters.get(mmId) ?? [];
      waiting.push(resolve);
      this.settledWaiters.set(mmId, waiting);
    });
  }

  status(mmId: string): RiskStatus | null {
    const book = this.books.get(mmId);
    if (book === undefined) return null;
    let riskMicro = 0;
    for (const h of book.positions.values()) riskMicro += h.riskMicro;
    return {
      version: book.version,
      positions: book.positions.size,
      pending: book.ledger.pendingCount,
      riskMicro,
      requiredMicro: book.bound(null),
      firmMicro: book.ledger.firmMicro,
      expectedMicro: book.ledger.expectedMicro,
      snapshot: book.snapshotStats(),
    };
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer !== null) this.clock.clearTimeout(this.pollTimer);
    for (const waiting of this.settledWaiters.values()) for (const resolve of waiting) resolve();
    this.settledWaiters.clear();
    await this.pool?.stop();
  }

  private decide(p: PositionRisk): CollateralDecision {
    checkPosition(p);
    const book = this.bookFor(p.mmId);
    const known = book.positions.get(p.positionId);
    if (known !== undefined) {
      this.log.warn({ mmId: p.mmId, positionId: p.positionId }, 'position reserved twice; same decision');
      return { collateralMicro: known.collateralMicro, requiredMicro: book.bound(null), method: 'repeat' };
    }
    try {
      return this.bounded(book, p);
    } catch (err) {
      // Whatever failed, the position must be in the book (it will exist): counted as winning in every
      // outcome, at full risk. Never rejecting here keeps the book and the chain in step.
      this.log.error({ mmId: p.mmId, positionId: p.positionId, err }, 'collateral bound failed; full risk');
      if (!book.positions.has(p.positionId)) {
        const held = book.add({
          ...this.held(p, p.riskMicro),
          norm: { kind: 'sure' },
          needMicro: Number.POSITIVE_INFINITY,
        });
        book.ledger.reserve(p.positionId, p.riskMicro);
        this.pool?.send({ type: 'sync', mmId: p.mmId, version: book.version, add: [wire(held)] });
      }
      return {
        collateralMicro: p.riskMicro,
        requiredMicro: book.ledger.expectedMicro,
        method: 'full-risk-fallback',
      };
    }
  }

  private bounded(book: Book, p: PositionRisk): CollateralDecision {
    const learned = book.learn(this.opts.markets.facts([...new Set(p.legs.map((l) => l.ticker))]));
    if (learned.rebuilt) this.log.warn({ mmId: p.mmId }, 'market structure changed: cached bounds dropped');
    const norm = book.normalize(p.legs);
    const before = book.bound(null);
    const risk = p.riskMicro;
    const need =
      norm.kind === 'dead' ? 0 : risk + Math.min(book.bound(norm.kind === 'live' ? norm.lits : null), before);
    const firm = book.ledger.firmMicro;
    const collateralMicro = Math.min(risk, Math.max(0, need - firm));
    const held = book.add({ ...this.held(p, collateralMicro), norm, needMicro: need });
    book.ledger.reserve(p.positionId, collateralMicro);
    const add = [wire(held)];
    this.pool?.send({ type: 'sync', mmId: p.mmId, version: book.version, facts: learned.changed, add });
    const method =
      norm.kind === 'dead'
        ? 'cannot-win'
        : collateralMicro === risk
          ? 'full-risk'
          : book.snapshotVersion >= 0
            ? 'component-cache'
            : 'conditioning';
    const requiredMicro = Math.max(before, Math.min(need, before + risk));
    this.log.debug(
      { mmId: p.mmId, positionId: p.positionId, collateralMicro, requiredMicro, method },
      'collateral',
    );
    return { collateralMicro, requiredMicro, method };
  }

  private held(p: PositionRisk, collateralMicro: Micro) {
    return { id: p.positionId, riskMicro: p.riskMicro, legs: p.legs, collateralMicro };
  }

  private bookFor(mmId: string): Book {
    let book = this.books.get(mmId);
    if (book === undefined) {
      book = new Book(0);
      this.books.set(mmId, book);
    }
    return book;
  }

  private leave(mmId: string, positionId: string, how: 'abandoned' | 'infer' | CloseOutcome): void {
    const book = this.books.get(mmId);
    const held = book?.remove(positionId);
    if (book === undefined || held === undefined) return;
    // A position leaving before its creation landed never adds its collateral (nor is paid): failed.
    const landed = !book.ledger.fail(positionId);
    let outcome: CloseOutcome | null = null;
    if (how !== 'abandoned' && landed) {
      outcome =
        how === 'infer'
          ? inferOutcome(held.legs, this.opts.markets.facts(held.legs.map((l) => l.ticker)))
          : how;
      if (outcome === 'win') book.ledger.payout(held.riskMicro);
    }
    this.pool?.send({ type: 'sync', mmId, version: book.version, remove: [positionId] });
    this.log.debug({ mmId, positionId, how, outcome }, 'position left the book');
    this.maybeRelease(mmId, book);
  }

  private learn(mmId: string, book: Book, facts: readonly MarketFacts[]): void {
    const { changed, rebuilt } = book.learn(facts);
    if (rebuilt) this.log.warn({ mmId }, 'market structure changed: cached bounds dropped');
    if (changed.length > 0) this.pool?.send({ type: 'sync', mmId, version: book.version, facts: changed });
  }

  private install(result: RefineResult): void {
    if (this.stopped) return;
    const book = this.books.get(result.mmId);
    if (book === undefined || !book.install(result)) return;
    if (result.contradictions > 0)
      this.log.error(
        { mmId: result.mmId, count: result.contradictions },
        'solver bound below a found outcome: full risk used',
      );
    if (result.rulesDropped)
      this.log.warn({ mmId: result.mmId }, 'known results contradict market rules: rules dropped');
    this.maybeRelease(result.mmId, book);
    if (result.settled && result.version === book.version) {
      book.settledVersion = book.version;
      for (const resolve of this.settledWaiters.get(result.mmId) ?? []) resolve();
      this.settledWaiters.delete(result.mmId);
    }
  }

  /** Refinement gave up on this version: the book keeps its last bounds; waiters are told it is done. */
  private failed(mmId: string, version: number, err: string): void {
    this.log.error({ mmId, version, err }, 'refinement step failed; bounds stay as they were');
    const book = this.books.get(mmId);
    if (book === undefined || version !== book.version) return;
    book.settledVersion = version;
    for (const resolve of this.settledWaiters.get(mmId) ?? []) resolve();
    this.settledWaiters.delete(mmId);
  }

  private maybeRelease(mmId: string, book: Book): void {
    const requiredMicro = book.bound(null);
    const expected = book.ledger.expectedMicro;
    if (expected - requiredMicro <= 0 || expected - requiredMicro < (this.opts.minReleaseMicro ?? 0)) return;
    book.ledger.release(requiredMicro);
    this.log.info({ mmId, requiredMicro, releasedMicro: expected - requiredMicro }, 'collateral release');
    for (const listener of this.listeners) {
      try {
        listener({ mmId, requiredMicro });
      } catch (err) {
        this.log.error({ mmId, err }, 'release listener threw');
      }
    }
  }

  private resend(worker: number): void {
    for (const [mmId, book] of this.books) {
      if (this.pool?.shardOf(mmId) !== worker) continue;
      const add = [...book.positions.values()].map(wire);
      this.pool.send({ type: 'sync', mmId, version: book.version, facts: [...book.graph.facts], add });
    }
  }

  private schedulePoll(): void {
    const every = this.opts.factsPollMs ?? 2000;
    if (every <= 0 || this.stopped) return;
    this.pollTimer = this.clock.setTimeout(() => {
      try {
        this.refreshFacts();
      } catch (err) {
        this.log.error({ err }, 'market facts poll failed');
      }
      this.schedulePoll();
    }, every);
  }
}
