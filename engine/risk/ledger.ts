/**
 * What the chain holds locked for one MM, as far as the engine can know it.
 *
 * What changes an MM's locked collateral on chain (programs/parlay_vaults): a position creation adds
 * its collateral when it lands (nothing if it fails); a release lowers the total to a target (a target
 * above the total is refused: no change); a winning settlement pays the position's risk out of it
 * (saturating at 0). Creations and releases go through the chain actor's per-MM queue in the order the
 * engine issued them — the one assumption this accounting makes. A payout is recorded when the engine
 * learns of it; folded in that place it can only come out lower than on chain (a release it follows on
 * chain is applied before it here: min(x, T) − r ≤ min(x − r, T)). Folding the queue gives:
 *   - `firmMicro`: creations not yet landed count 0. A lower bound on what is locked whatever happens
 *     to them; decisions are made against it, so an abandoned position never leaves another uncovered.
 *   - `expectedMicro`: creations not yet landed count in full: what will be locked if all land. A
 *     release is worth issuing only when its target is below this.
 * Both only need the queue from the first unresolved creation on; everything before folds into a base.
 */

type Order =
  | { kind: 'create'; positionId: string; amountMicro: number; state: 'pending' | 'landed' | 'failed' }
  | { kind: 'release'; targetMicro: number }
  | { kind: 'payout'; amountMicro: number };

export class CollateralLedger {
  private baseMicro: number;
  private orders: Order[] = [];
  /** Positions whose creation has not landed or failed; zero-collateral ones have no order. */
  private readonly pending = new Map<string, Extract<Order, { kind: 'create' }> | null>();

  constructor(lockedMicro: number) {
    if (!Number.isSafeInteger(lockedMicro) || lockedMicro < 0)
      throw new RangeError(`bad locked total ${lockedMicro}`);
    this.baseMicro = lockedMicro;
  }

  /** A position's collateral is on its way to the chain. Zero amounts change no total: not queued. */
  reserve(positionId: string, amountMicro: number): void {
    if (amountMicro <= 0) {
      this.pending.set(positionId, null);
      return;
    }
    const order: Extract<Order, { kind: 'create' }> = {
      kind: 'create',
      positionId,
      amountMicro,
      state: 'pending',
    };
    this.orders.push(order);
    this.pending.set(positionId, order);
  }

  /** The creation landed. Returns false if the ledger had nothing pending for it. */
  commit(positionId: string): boolean {
    return this.resolve(positionId, 'landed');
  }

  /** The creation will never land. */
  fail(positionId: string): boolean {
    return this.resolve(positionId, 'failed');
  }

  /** A release to `targetMicro` was issued. */
  release(targetMicro: number): void {
    this.orders.push({ kind: 'release', targetMicro });
    this.compact();
  }

  /** A winning position was paid out of the locked collateral. */
  payout(amountMicro: number): void {
    if (amountMicro <= 0) return;
    this.orders.push({ kind: 'payout', amountMicro });
    this.compact();
  }

  isPending(positionId: string): boolean {
    return this.pending.has(positionId);
  }

  get firmMicro(): number {
    return this.fold(false);
  }

  get expectedMicro(): number {
    return this.fold(true);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private resolve(positionId: string, state: 'landed' | 'failed'): boolean {
    if (!this.pending.has(positionId)) return false;
    const order = this.pending.get(positionId);
    this.pending.delete(positionId);
    if (order) {
      order.state = state;
      this.compact();
    }
    return true;
  }

  private fold(countPending: boolean): number {
    let x = this.baseMicro;
    for (const o of this.orders) {
      if (o.kind === 'release') x = Math.min(x, o.targetMicro);
      else if (o.kind === 'payout') x = Math.max(0, x - o.amountMicro);
      else if (o.state === 'landed' || (countPending && o.state === 'pending')) x += o.amountMicro;
    }
    return x;
  }

  private compact(): void {
    let k = 0;
    for (; k < this.orders.length; k++) {
      const o = this.orders[k]!;
      if (o.kind === 'create' && o.state === 'pending') break;
      if (o.kind === 'release') this.baseMicro = Math.min(this.baseMicro, o.targetMicro);
      else if (o.kind === 'payout') this.baseMicro = Math.max(0, this.baseMicro - o.amountMicro);
      else if (o.state === 'landed') this.baseMicro += o.amountMicro;
    }
    if (k > 0) this.orders = this.orders.slice(k);
  }
}
