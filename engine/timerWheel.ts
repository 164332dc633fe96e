/**
 * One timer for every RFQ deadline: a binary min-heap of (deadline, rfqId) and a single clock timeout
 * armed for the earliest. Per RFQ it costs one map entry and one heap slot, instead of one XState
 * `after` timer (≈ 0.9 KB each) — and it survives restarts, because deadlines live in actor context.
 *
 * Rescheduling is lazy: the map holds each RFQ's current deadline; heap entries that no longer match
 * it are skipped when popped.
 */
import type { Clock, TimerHandle } from './ports/clock.ts';

/** setTimeout's ceiling; a farther deadline is re-armed when this one fires. */
const MAX_DELAY_MS = 2_147_483_647;

export class TimerWheel {
  private readonly due = new Map<string, number>();
  private readonly heapAt: number[] = [];
  private readonly heapId: string[] = [];
  private armedFor = Number.POSITIVE_INFINITY;
  private handle: TimerHandle | null = null;
  private firing = false;

  constructor(
    private readonly clock: Clock,
    /** Called once per due deadline, earliest first, with the deadline itself. */
    private readonly onDue: (rfqId: string, deadline: number) => void,
  ) {}

  get size(): number {
    return this.due.size;
  }

  deadlineOf(rfqId: string): number | undefined {
    return this.due.get(rfqId);
  }

  /** Sets (or with null clears) the RFQ's one deadline. */
  set(rfqId: string, deadline: number | null): void {
    if (deadline === null) {
      this.due.delete(rfqId);
      return;
    }
    if (this.due.get(rfqId) === deadline) return;
    this.due.set(rfqId, deadline);
    this.push(deadline, rfqId);
    if (!this.firing && deadline < this.armedFor) this.arm();
  }

  /** Fires every deadline at or before now, in order; deadlines set while firing that are due fire too. */
  fireDue(): void {
    if (this.firing) return;
    this.firing = true;
    try {
      const now = this.clock.now();
      while (this.heapAt.length > 0 && (this.heapAt[0] as number) <= now) {
        const at = this.heapAt[0] as number;
        const id = this.heapId[0] as string;
        this.pop();
        if (this.due.get(id) !== at) continue;
        this.due.delete(id);
        this.onDue(id, at);
      }
    } finally {
      this.firing = false;
      this.arm();
    }
  }

  stop(): void {
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = null;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  clear(): void {
    this.stop();
    this.due.clear();
    this.heapAt.length = 0;
    this.heapId.length = 0;
  }

  private arm(): void {
    // Drop stale heads so the timer is armed for a deadline that will really fire.
    while (this.heapAt.length > 0 && this.due.get(this.heapId[0] as string) !== this.heapAt[0]) this.pop();
    const next = this.heapAt[0];
    if (next === undefined) {
      this.stop();
      return;
    }
    if (next === this.armedFor && this.handle !== null) return;
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.armedFor = next;
    const delay = Math.min(Math.max(0, next - this.clock.now()), MAX_DELAY_MS);
    this.handle = this.clock.setTimeout(() => {
      this.handle = null;
      this.armedFor = Number.POSITIVE_INFINITY;
      this.fireDue();
    }, delay);
  }

  private push(at: number, id: string): void {
    const a = this.heapAt;
    const ids = this.heapId;
    let i = a.length;
    a.push(at);
    ids.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((a[parent] as number) <= at) break;
      a[i] = a[parent] as number;
      ids[i] = ids[parent] as string;
      i = parent;
    }
    a[i] = at;
    ids[i] = id;
  }

  private pop(): void {
    const a = this.heapAt;
    const ids = this.heapId;
    const lastAt = a.pop() as number;
    const lastId = ids.pop() as string;
    const n = a.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (a[r] as number) < (a[l] as number) ? r : l;
      if ((a[c] as number) >= lastAt) break;
      a[i] = a[c] as number;
      ids[i] = ids[c] as string;
      i = c;
    }
    a[i] = lastAt;
    ids[i] = lastId;
  }
}
