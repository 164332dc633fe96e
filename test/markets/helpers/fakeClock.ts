/** A Clock whose time moves only when a test says so; timers fire in due order inside `advance`. */
import type { Clock, TimerHandle } from '../../../engine/ports/clock.ts';

interface Timer {
  id: number;
  dueAt: number;
  delayMs: number;
  fn: () => void;
}

export const T0 = Date.parse('2026-01-05T12:00:00Z');

export class FakeClock implements Clock {
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(private nowMs = T0) {}

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const timer: Timer = { id: this.nextId++, dueAt: this.nowMs + Math.max(0, delayMs), delayMs, fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order (timers set meanwhile included). */
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      const due = this.timers
        .filter((t) => t.dueAt <= target)
        .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.nowMs = due.dueAt;
      due.fn();
    }
    this.nowMs = target;
  }

  /** Delays (as requested) of the timers still pending, oldest first. */
  pendingDelays(): number[] {
    return this.timers.map((t) => t.delayMs);
  }

  get pending(): number {
    return this.timers.length;
  }
}
