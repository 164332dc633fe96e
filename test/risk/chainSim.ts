/**
 * An MM's locked collateral as the chain program moves it (programs/parlay_vaults): creations add
 * their collateral when they land, releases lower the total to a target (refused if it would raise),
 * both in the order issued; a win pays the position's risk out of it at once (the adversarial timing).
 */
export class ChainSim {
  locked = 0;
  private queue: Array<{ kind: 'create'; id: string; amount: number } | { kind: 'release'; target: number }> =
    [];
  private readonly state = new Map<string, 'pending' | 'landed' | 'failed'>();

  create(id: string, amount: number): void {
    this.state.set(id, 'pending');
    this.queue.push({ kind: 'create', id, amount });
  }

  release(target: number): void {
    this.queue.push({ kind: 'release', target });
    this.drain();
  }

  resolve(id: string, landed: boolean): void {
    this.state.set(id, landed ? 'landed' : 'failed');
    this.drain();
  }

  payout(amount: number): void {
    this.locked = Math.max(0, this.locked - amount);
  }

  pendingIds(): string[] {
    return [...this.state].filter(([, s]) => s === 'pending').map(([id]) => id);
  }

  /** The locked total once every pending creation resolves: those in `landing` land, the rest fail. */
  finalIf(landing: ReadonlySet<string>): number {
    let locked = this.locked;
    for (const order of this.queue) {
      // A release above the total is refused by the program: the same as taking the minimum.
      if (order.kind === 'release') locked = Math.min(order.target, locked);
      else if (this.state.get(order.id) === 'landed' || landing.has(order.id)) locked += order.amount;
    }
    return locked;
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === 'create') {
        const s = this.state.get(head.id);
        if (s === 'pending') return;
        if (s === 'landed') this.locked += head.amount;
      } else if (head.target <= this.locked) this.locked = head.target;
      this.queue.shift();
    }
  }
}
