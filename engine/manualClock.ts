/**
 * A clock that moves only when told to: tests, simulations and the crash harness use it so every
 * deadline fires at an exact, repeatable time. Timers due at the same instant fire in the order set.
 */
import type { Clock, TimerHandle } from './ports/clock.ts';

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const timer = { id: ++this.seq, at: this.current + Math.max(0, delayMs), fn };
    this.pending.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending = this.pending.filter((t) => t.id !== handle);
  }

  /** Moves time forward by `ms`, firing every timer that comes due, each at its own instant. */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  advanceTo(target: number): void {
    for (;;) {
      let next: Pending | undefined;
      for (const t of this.pending)
        if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.id < next.id))) next = t;
      if (!next) break;
      const fired = next;
      this.pending = this.pending.filter((t) => t !== fired);
      this.current = Math.max(this.current, fired.at);
      fired.fn();
    }
    this.current = Math.max(this.current, target);
  }

  get pendingCount(): number {
    return this.pending.length;
  }
}
