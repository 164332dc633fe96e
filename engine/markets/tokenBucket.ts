/**
 * One token bucket for every request a Kalshi client makes (catalogue refreshes, leg lookups and
 * settlement polls share Kalshi's per-key budget). Waiters are served first come, first served; time is
 * the injected clock, so tests drive it without real waits.
 */
import type { Clock, TimerHandle } from '../ports/clock.ts';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class TokenBucket {
  private tokens: number;
  private refilledAt: number;
  private readonly queue: Waiter[] = [];
  private timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    /** Tokens added per second. */
    private readonly ratePerSecond: number,
    /** Most tokens held at once (and the starting amount). */
    private readonly capacity: number,
  ) {
    if (!(ratePerSecond > 0) || !(capacity >= 1))
      throw new RangeError('token bucket needs rate > 0 and capacity ≥ 1');
    this.tokens = capacity;
    this.refilledAt = clock.now();
  }

  /** Resolves when a token is taken; rejects with the signal's reason if aborted while waiting. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.refill();
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.schedule();
    });
  }

  /** Requests waiting for a token, for metrics and tests. */
  get waiting(): number {
    return this.queue.length;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsedMs = now - this.refilledAt;
    if (elapsedMs > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + (elapsedMs * this.ratePerSecond) / 1000);
      this.refilledAt = now;
    }
  }

  private schedule(): void {
    if (this.timer !== null || this.queue.length === 0) return;
    const missing = Math.max(0, 1 - this.tokens);
    const delayMs = Math.max(1, Math.ceil((missing * 1000) / this.ratePerSecond));
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.drain();
    }, delayMs);
  }

  private drain(): void {
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 1) {
      const waiter = this.queue.shift()!;
      this.tokens -= 1;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    this.schedule();
  }
}
