/**
 * Background refinement of MM books, as run inside a worker thread (refineWorker.ts drives it; it has
 * no thread code itself, so tests can drive it directly).
 *
 * The worker holds its own copy of each book (positions and market facts, sent as deltas) and works in
 * steps: a *snapshot* step rebuilds the book's independent problems and gives each new one quick bounds;
 * an *escalation* step tightens the loosest problem of the current snapshot. Every step ends with a
 * result for the snapshot's version; main installs it and releases what is no longer needed.
 */
import type { Highs } from 'highs';
import type { MarketFacts } from '../ports/markets.ts';
import {
  type ComponentOptions,
  type ComponentState,
  DEFAULT_COMPONENT_OPTIONS,
  escalate,
  quickBounds,
} from './componentBounds.ts';
import { buildGraph, lit } from './graph.ts';
import { KnownResults, normalizeLegs } from './normalize.ts';
import { type LivePosition, type Problem, splitProblems } from './problem.ts';

export interface PositionWire {
  id: string;
  /** Main's number for the position: results name positions by slot (cheap to send and look up). */
  slot: number;
  riskMicro: number;
  legs: Array<[ticker: string, yes: boolean]>;
}

export type RefineCommand =
  | {
      type: 'sync';
      mmId: string;
      /** The book version after this delta (main numbers every change). */
      version: number;
      facts?: MarketFacts[];
      add?: PositionWire[];
      remove?: string[];
    }
  | { type: 'drop'; mmId: string };

export interface ComponentResult {
  slots: Int32Array;
  tickers: string[];
  ub: number;
  lb: number;
  exact: boolean;
  method: ComponentState['method'];
  /** Upper bound with each ticker forced: [2k] = tickers[k] no, [2k + 1] = yes. */
  cond: Float64Array;
}

export interface RefineResult {
  mmId: string;
  /** Covers every position added at or before this version and not removed by it. */
  version: number;
  /** Positions whose legs have all won: they pay in every outcome. */
  sureSlots: Int32Array;
  components: ComponentResult[];
  /** True when no further step would change this result until the book changes. */
  settled: boolean;
  /** Problems whose solver bound was caught below a found outcome (reset to full risk). */
  contradictions: number;
  /** Whether known results contradicted the market rules (rules dropped: bounds stay safe, looser). */
  rulesDropped: boolean;
  stepMs: number;
  kind: 'snapshot' | 'escalation';
}

export interface RefinerOptions extends ComponentOptions {
  /** A busy book is re-snapshotted at most this often while older problems still have steps left. */
  snapshotIntervalMs: number;
}

export const DEFAULT_REFINER_OPTIONS: RefinerOptions = {
  ...DEFAULT_COMPONENT_OPTIONS,
  snapshotIntervalMs: 250,
};

interface Book {
  facts: Map<string, MarketFacts>;
  positions: Map<string, PositionWire>;
  version: number;
  snapshotVersion: number;
  snapshotAt: number;
  sureSlots: number[];
  components: ComponentState[];
  rulesDropped: boolean;
  /** A step threw at this version: no more steps until the book changes. */
  failedVersion: number;
  /** Bounds by problem signature: an unchanged problem keeps what earlier steps proved. */
  cache: Map<string, ComponentState>;
}

/** As the port answers for a never-seen ticker: its own event, independent of every other market. */
const noStructure = (ticker: string): MarketFacts => ({
  ticker,
  eventTicker: ticker,
  mutuallyExclusive: false,
  ladder: null,
  result: null,
});

/** A step failed for one book; that book gets no more steps until it changes. */
export class RefineStepError extends Error {
  constructor(
    readonly mmId: string,
    readonly version: number,
    cause: unknown,
  ) {
    super(`refinement of ${mmId} failed at version ${version}`, { cause });
  }
}

export class Refiner {
  private readonly books = new Map<string, Book>();
  private turn = 0;

  constructor(
    private readonly highs: Highs,
    private readonly options: RefinerOptions = DEFAULT_REFINER_OPTIONS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  apply(command: RefineCommand): void {
    if (command.type === 'drop') {
      this.books.delete(command.mmId);
      return;
    }
    let book = this.books.get(command.mmId);
    if (book === undefined) {
      book = {
        facts: new Map(),
        positions: new Map(),
        version: 0,
        snapshotVersion: -1,
        snapshotAt: Number.NEGATIVE_INFINITY,
        sureSlots: [],
        components: [],
        rulesDropped: false,
        failedVersion: -1,
        cache: new Map(),
      };
      this.books.set(command.mmId, book);
    }
    for (const f of command.facts ?? []) book.facts.set(f.ticker, f);
    for (const p of command.add ?? []) book.positions.set(p.id, p);
    for (const id of command.remove ?? []) book.positions.delete(id);
    book.version = command.version;
  }

  hasWork(): boolean {
    for (const book of this.books.values()) if (this.nextStep(book) !== null) return true;
    return false;
  }

  /** Runs one step for the next book (round robin) that has work; null when none has. */
  step(): RefineResult | null {
    const ids = [...this.books.keys()];
    for (let k = 0; k < ids.length; k++) {
      const mmId = ids[(this.turn + k) % ids.length]!;
      const book = this.books.get(mmId)!;
      const kind = this.nextStep(book);
      if (kind === null) continue;
      this.turn = (this.turn + k + 1) % ids.length;
      const started = this.now();
      try {
        if (kind === 'snapshot') this.snapshot(book);
        else this.escalateLoosest(book);
      } catch (error) {
        book.failedVersion = book.version;
        throw new RefineStepError(mmId, book.version, error);
      }
      return this.result(mmId, book, kind, this.now() - started);
    }
    return null;
  }

  private nextStep(book: Book): RefineResult['kind'] | null {
    if (book.failedVersion === book.version) return null;
    const canEscalate = book.components.some((c) => !c.exact && c.level < this.options.mipSeconds.length);
    if (book.version !== book.snapshotVersion) {
      if (!canEscalate || this.now() - book.snapshotAt >= this.options.snapshotIntervalMs) return 'snapshot';
    }
    return canEscalate ? 'escalation' : null;
  }

  private snapshot(book: Book): void {
    // Every market main has told us about, not only those of open positions: a rule through a market
    // of a closed position still rules outcomes out (main's confirm path knows it too).
    const tickers = new Set<string>(book.facts.keys());
    for (const p of book.positions.values()) for (const [t] of p.legs) tickers.add(t);
    const facts = [...tickers].map((t) => book.facts.get(t) ?? noStructure(t));
    let graph = buildGraph(facts);
    let known = new KnownResults(graph);
    const rulesDropped = !known.consistent;
    if (!known.consistent) {
      // Results the rules call impossible: trust the results, drop the rules (only loosens).
      graph = buildGraph(facts, new Set(), false);
      known = new KnownResults(graph);
    }
    // Built aside and committed at the end: a step that throws must leave the last snapshot whole.
    const live: LivePosition[] = [];
    const sureSlots: number[] = [];
    for (const p of book.positions.values()) {
      // Main checks amounts at the boundary; a bad one here means a bug, and no bound on it is safe.
      if (!Number.isSafeInteger(p.riskMicro) || p.riskMicro < 0)
        throw new RangeError(`position ${p.id}: bad risk`);
      const n = normalizeLegs(
        known,
        p.legs.map(([t, yes]) => lit(graph.index.get(t)!, yes)),
      );
      if (n.kind === 'live') live.push({ slot: p.slot, riskMicro: p.riskMicro, lits: n.lits });
      else if (n.kind === 'sure') sureSlots.push(p.slot);
    }
    const cache = new Map<string, ComponentState>();
    const components = splitProblems(graph, live, known.assignment.value).map((problem) => {
      const key = signature(problem);
      const state = book.cache.get(key) ?? quickBounds(this.highs, problem, this.options);
      cache.set(key, state);
      return state;
    });
    book.components = components;
    book.sureSlots = sureSlots;
    book.rulesDropped = rulesDropped;
    book.cache = cache;
    book.snapshotVersion = book.version;
    book.snapshotAt = this.now();
  }

  private escalateLoosest(book: Book): void {
    let loosest: ComponentState | null = null;
    for (const c of book.components) {
      if (c.exact || c.level >= this.options.mipSeconds.length) continue;
      if (loosest === null || c.ub - c.lb > loosest.ub - loosest.lb) loosest = c;
    }
    if (loosest !== null) escalate(this.highs, loosest, this.options);
  }

  private result(mmId: string, book: Book, kind: RefineResult['kind'], stepMs: number): RefineResult {
    return {
      mmId,
      version: book.snapshotVersion,
      sureSlots: Int32Array.from(book.sureSlots),
      components: book.components.map((c) => ({
        slots: Int32Array.from(c.problem.slots),
        tickers: c.problem.tickers,
        ub: c.ub,
        lb: c.lb,
        exact: c.exact,
        method: c.method,
        cond: Float64Array.from(c.cond),
      })),
      settled: this.nextStep(book) === null,
      contradictions: book.components.filter((c) => c.contradiction).length,
      rulesDropped: book.rulesDropped,
      stepMs,
      kind,
    };
  }
}

function signature(problem: Problem): string {
  return JSON.stringify([
    problem.slots,
    problem.risks,
    problem.tickers,
    problem.lits,
    problem.groups,
    problem.rules,
  ]);
}
