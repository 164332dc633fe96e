/**
 * Per-principal token buckets for commands (REST writes and WebSocket commands share one bucket per
 * principal). A refused command is RATE_LIMITED with `retry_after_ms`; nothing is queued, so a flood
 * costs the server one map lookup per message.
 */
import type { Principal } from '../engine/ports/identity.ts';
import type { RateLimit } from './config.ts';

interface Bucket {
  tokens: number;
  at: number;
}

export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: { mm: RateLimit; user: RateLimit },
    private readonly now: () => number,
  ) {}

  take(principal: Principal): Admission {
    const limit = this.limits[principal.kind];
    const key = `${principal.kind}:${principal.id}`;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, at: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) * limit.perSecond) / 1000);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) * 1000) / limit.perSecond) };
  }

  /** Forgets buckets that have refilled: they hold nothing a fresh bucket would not. */
  sweep(): void {
    const now = this.now();
    for (const [key, bucket] of this.buckets) {
      const limit = key.startsWith('mm:') ? this.limits.mm : this.limits.user;
      if (bucket.tokens + ((now - bucket.at) * limit.perSecond) / 1000 >= limit.burst)
        this.buckets.delete(key);
    }
  }
}
