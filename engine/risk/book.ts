/**
 * One MM's book on the main thread and the confirm path's bound on it: no solver runs here, only
 * bookkeeping proportional to the positions on the few markets a new parlay fixes.
 *
 * Each open position's risk is counted in exactly one bucket:
 *   - a snapshot component (the last refinement result covering it): its bound `ub`, its bounds with one
 *     market forced (`cond`), and the risk of its positions still open (`openRisk`);
 *   - `sure`: the snapshot found every leg won; it pays in every outcome;
 *   - `fresh`: added after the snapshot (or no snapshot yet); counted at full risk, or through `need`;
 *   - `dead`: cannot win (a leg lost, or legs contradict); counts nothing.
 *
 * UB(book | Φ), Φ = the new position's legs and everything they force, is min(A, B) where
 *   S = sure + Σ_components min(ub, openRisk − risk Φ contradicts, cond of any market Φ fixes),
 *   A = S + Σ fresh positions Φ does not contradict, at full risk,
 *   B = max(S, max need of those fresh positions).
 * A: the worst case of a union is at most the sum of the parts' worst cases. B ("last winner"): in any
 * outcome, either no fresh position wins (value ≤ S) or take the last-reserved fresh winner p; every
 * other winner was in the book when p was reserved, so the value is at most p's need = risk_p + the
 * bound on the book of that time given p wins. Components a fixed market does not touch keep their
 * bound: they share no market or rule with Φ's markets once unit propagation has run.
 */
import type { Leg } from '../../machines/domain.ts';
import type { MarketFacts } from '../ports/markets.ts';
import { buildGraph, lit, type MarketGraph } from './graph.ts';
import { CollateralLedger } from './ledger.ts';
import { KnownResults, type Normalized, normalizeLegs } from './normalize.ts';
import type { RefineResult } from './refiner.ts';
import type { SnapshotStats } from './riskTypes.ts';

export class SnapComponent {
  openRisk = 0;
  constructor(
    readonly ub: number,
    readonly lb: number,
    readonly exact: boolean,
    readonly method: string,
    /** Bound with the component's k-th market forced: [2k] no, [2k + 1] yes (NaN: none). */
    readonly cond: Float64Array,
  ) {}
  get base(): number {
    return Math.min(this.ub, this.openRisk);
  }
}

export interface Held {
  id: string;
  riskMicro: number;
  legs: Leg[];
  collateralMicro: number;
  norm: Normalized;
  bucket: SnapComponent | 'fresh' | 'sure' | 'dead';
  /** risk + UB(book when reserved | this position wins); Infinity when unknown (restored). */
  needMicro: number;
  /** Book version that added it: a result of version ≥ this covers it. */
  version: number;
  stamp: number;
}

export class Book {
  graph: MarketGraph = buildGraph([]);
  known = new KnownResults(this.graph);
  readonly positions = new Map<string, Held>();
  /** The same positions by slot (= the version that added them), as refinement results name them. */
  private readonly bySlot = new Map<number, Held>();
  readonly ledger: CollateralLedger;
  version = 0;
  /** Results below this version were computed on facts since replaced: not installed. */
  private minInstallVersion = 0;
  snapshotVersion = -1;
  /** Version at which refinement reported nothing left to do (-1: not at the current version). */
  settledVersion = -1;
  components: SnapComponent[] = [];
  private snapshotSure = 0;
  /** Per market of the graph: its snapshot component's index (-1: none) and its place in it. */
  private compAt = new Int32Array(0);
  private localAt = new Int32Array(0);
  private byMarket: Array<Array<{ held: Held; literal: number }>> = [];
  private snapTotal = 0;
  private sureRisk = 0;
  /** Fresh positions, largest need first: the last-winner term only looks past contradicted ones. */
  private fresh: Held[] = [];
  private freshRisk = 0;
  private stampCounter = 0;

  /**
   * `firstVersion`: a book replacing another (restore) starts above the old one's versions, so a result
   * still in flight for the old book can never be installed into this one.
   */
  constructor(lockedMicro: number, firstVersion = 0) {
    this.ledger = new CollateralLedger(lockedMicro);
    this.version = firstVersion;
    this.minInstallVersion = firstVersion;
  }

  /**
   * Takes in facts for markets (new legs, or a poll of the book's markets). Returns the facts the
   * refinement worker has not seen, and whether the structure changed so much that everything was
   * rebuilt (cached bounds dropped).
   */
  learn(facts: readonly MarketFacts[]): { changed: MarketFacts[]; rebuilt: boolean } {
    const changed: MarketFacts[] = [];
    let rebuild = false;
    let results = false;
    for (const f of facts) {
      const m = this.graph.index.get(f.ticker);
      if (m === undefined) {
        this.graph.add(f);
        changed.push(f);
        results ||= f.result !== null;
        continue;
      }
      const old = this.graph.facts[m]!;
      if (!this.graph.sameStructure(m, f) || (old.result !== null && old.result !== f.result)) rebuild = true;
      else if (old.result !== f.result) results = true;
      else continue;
      this.graph.facts[m] = f;
      changed.push(f);
    }
    if (rebuild || this.graph.needsRebuild) {
      this.rebuild(this.graph.withRules);
      return { changed, rebuilt: true };
    }
    this.grow();
    if (results) {
      this.known.recompute();
      if (!this.known.consistent) {
        this.rebuild(false);
        return { changed, rebuilt: true };
      }
      this.dropNewlyDead();
    }
    // New facts (a new market, a result) make the worker's next snapshot a new version.
    if (changed.length > 0) this.version++;
    return { changed, rebuilt: false };
  }

  normalize(legs: readonly Leg[]): Normalized {
    return normalizeLegs(
      this.known,
      legs.map((l) => lit(this.graph.index.get(l.ticker)!, l.side === 'yes')),
    );
  }

  /** UB(book | the literals hold), or UB(book) for null. See the file comment. */
  bound(lits: readonly number[] | null): number {
    const stamp = ++this.stampCounter;
    const a = this.known.assignment;
    const touched = new Map<SnapComponent, { contra: number; cond: number }>();
    let contraFresh = 0;
    if (lits !== null) {
      const mark = a.mark();
      a.assume(this.graph.forces, lits);
      for (let i = mark; i < a.set.length; i++) {
        const m = a.set[i]!;
        const s = m < this.compAt.length ? this.components[this.compAt[m]!] : undefined;
        if (s !== undefined) {
          const t = touched.get(s) ?? { contra: 0, cond: Number.POSITIVE_INFINITY };
          const c = s.cond[2 * this.localAt[m]! + a.value[m]!]!;
          if (c < t.cond) t.cond = c;
          touched.set(s, t);
        }
        for (const { held, literal } of this.byMarket[m] ?? []) {
          if (held.stamp === stamp || !a.contradicts(literal)) continue;
          held.stamp = stamp;
          if (held.bucket === 'fresh') contraFresh += held.riskMicro;
          else if (held.bucket instanceof SnapComponent) {
            const t = touched.get(held.bucket) ?? { contra: 0, cond: Number.POSITIVE_INFINITY };
            t.contra += held.riskMicro;
            touched.set(held.bucket, t);
          }
        }
      }
      a.rollback(mark);
    }
    let s = this.sureRisk + this.snapTotal;
    for (const [comp, t] of touched) s -= comp.base - Math.min(comp.base, comp.openRisk - t.contra, t.cond);
    let lastWinner = s;
    for (const held of this.fresh) {
      if (held.stamp === stamp) continue;
      lastWinner = Math.max(lastWinner, held.needMicro);
      break;
    }
    return Math.min(s + this.freshRisk - contraFresh, lastWinner);
  }

  add(held: Omit<Held, 'bucket' | 'stamp' | 'version'>): Held {
    const h: Held = { ...held, bucket: 'dead', stamp: 0, version: ++this.version };
    this.positions.set(h.id, h);
    this.bySlot.set(h.version, h);
    if (h.norm.kind !== 'dead') this.toFresh(h);
    this.index(h);
    return h;
  }

  remove(id: string): Held | undefined {
    const h = this.positions.get(id);
    if (h === undefined) return undefined;
    this.positions.delete(id);
    this.bySlot.delete(h.version);
    this.unbucket(h);
    if (h.norm.kind === 'live') {
      for (const l of h.norm.lits) {
        const list = this.byMarket[l >> 1]!;
        const k = list.findIndex((e) => e.held === h);
        if (k >= 0) list.splice(k, 1);
      }
    }
    this.version++;
    return h;
  }

  /** Installs a refinement result; false when stale (an older version than what is installed). */
  install(result: RefineResult): boolean {
    if (result.version < this.snapshotVersion || result.version < this.minInstallVersion) return false;
    this.compAt = new Int32Array(this.graph.size).fill(-1);
    this.localAt = new Int32Array(this.graph.size);
    this.components = result.components.map((c, i) => {
      c.tickers.forEach((t, k) => {
        const m = this.graph.index.get(t);
        if (m === undefined) return;
        this.compAt[m] = i;
        this.localAt[m] = k;
      });
      return new SnapComponent(c.ub, c.lb, c.exact, c.method, c.cond);
    });
    this.snapshotVersion = result.version;
    this.snapTotal = 0;
    this.sureRisk = 0;
    this.fresh = [];
    this.freshRisk = 0;
    // What the result does not cover is fresh; what it covers and does not list cannot win.
    for (const h of this.positions.values()) {
      if (h.version > result.version && h.norm.kind !== 'dead') this.toFresh(h);
      else h.bucket = 'dead';
    }
    const place = (slot: number, bucket: SnapComponent | 'sure') => {
      const h = this.bySlot.get(slot);
      if (h !== undefined && h.version <= result.version && h.norm.kind !== 'dead') this.toBucket(h, bucket);
    };
    result.components.forEach((c, i) => {
      for (const slot of c.slots) place(slot, this.components[i]!);
    });
    for (const slot of result.sureSlots) place(slot, 'sure');
    for (const comp of this.components) this.snapTotal += comp.base;
    this.snapshotSure = this.sureRisk;
    return true;
  }

  snapshotStats(): SnapshotStats | null {
    if (this.snapshotVersion < 0) return null;
    let upper = this.snapshotSure;
    let lower = this.snapshotSure;
    for (const c of this.components) {
      upper += c.ub;
      lower += c.lb;
    }
    return {
      version: this.snapshotVersion,
      components: this.components.length,
      exactComponents: this.components.filter((c) => c.exact).length,
      upperMicro: upper,
      lowerMicro: lower,
      freshPositions: this.fresh.length,
    };
  }

  /** Every market of the book, for polling their facts. */
  tickers(): string[] {
    return this.graph.tickers;
  }

  /** Where a need goes in `fresh` (descending): after every larger or equal need. */
  private freshPlace(need: number): number {
    let lo = 0;
    let hi = this.fresh.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.fresh[mid]!.needMicro >= need) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private toFresh(h: Held): void {
    h.bucket = 'fresh';
    this.fresh.splice(this.freshPlace(h.needMicro), 0, h);
    this.freshRisk += h.riskMicro;
  }

  private toBucket(h: Held, bucket: SnapComponent | 'sure' | 'dead'): void {
    h.bucket = bucket;
    if (bucket === 'sure') this.sureRisk += h.riskMicro;
    else if (bucket instanceof SnapComponent) bucket.openRisk += h.riskMicro;
  }

  private unbucket(h: Held): void {
    const b = h.bucket;
    h.bucket = 'dead';
    if (b === 'fresh') {
      let k = this.freshPlace(h.needMicro);
      while (k >= 0 && this.fresh[k] !== h) k--;
      if (k >= 0) this.fresh.splice(k, 1);
      this.freshRisk -= h.riskMicro;
    } else if (b === 'sure') this.sureRisk -= h.riskMicro;
    else if (b instanceof SnapComponent) {
      this.snapTotal -= b.base;
      b.openRisk -= h.riskMicro;
      this.snapTotal += b.base;
    }
  }

  private index(h: Held): void {
    if (h.norm.kind !== 'live') return;
    for (const l of h.norm.lits) {
      const list = this.byMarket[l >> 1] ?? [];
      list.push({ held: h, literal: l });
      this.byMarket[l >> 1] = list;
    }
  }

  private grow(): void {
    this.known.assignment.ensure(this.graph.size);
    while (this.byMarket.length < this.graph.size) this.byMarket.push([]);
  }

  /** After new results: positions with a lost leg stop counting. */
  private dropNewlyDead(): void {
    const a = this.known.assignment;
    for (const h of this.positions.values()) {
      if (h.norm.kind !== 'live' || !h.norm.lits.some((l) => a.contradicts(l))) continue;
      this.unbucket(h);
      h.norm = { kind: 'dead' };
    }
  }

  /**
   * New graph from the current facts; every position re-normalized and counted fresh. Needs computed on
   * the old rules are not trusted (Infinity), and results computed on old facts are not installed.
   */
  private rebuild(withRules: boolean): void {
    this.graph = buildGraph([...this.graph.facts], new Set(), withRules);
    this.known = new KnownResults(this.graph);
    if (!this.known.consistent) {
      this.graph = buildGraph([...this.graph.facts], new Set(), false);
      this.known = new KnownResults(this.graph);
    }
    this.byMarket = [];
    this.grow();
    this.components = [];
    this.compAt = new Int32Array(0);
    this.snapTotal = 0;
    this.sureRisk = 0;
    this.fresh = [];
    this.freshRisk = 0;
    this.version++;
    this.minInstallVersion = this.version;
    this.snapshotVersion = -1;
    for (const h of this.positions.values()) {
      h.bucket = 'dead';
      h.norm = this.normalize(h.legs);
      h.needMicro = Number.POSITIVE_INFINITY;
      if (h.norm.kind !== 'dead') this.toFresh(h);
      this.index(h);
    }
  }
}
