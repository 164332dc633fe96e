/**
 * Idempotency-Key on POST and PUT: the first request with a key runs; a replay of the same request
 * (same principal, method, path and body) gets the first response, waiting for it if it is still
 * running; the same key with a different request is IDEMPOTENCY_CONFLICT. Responses that applied
 * nothing and invite a retry (429, 5xx) are not kept, so the retry runs. Bounded in entries and time.
 */
import { createHash } from 'node:crypto';
import { TtlCache } from '../ttlCache.ts';
import type { Reply } from './http.ts';

interface Entry {
  fingerprint: string;
  reply: Promise<Reply>;
}

export type Begin =
  | { kind: 'fresh'; finish: (reply: Reply) => void }
  | { kind: 'replay'; reply: Promise<Reply> }
  | { kind: 'conflict' };

const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

export const isIdempotencyKeyShaped = (key: string): boolean => KEY_SHAPE.test(key);

export const fingerprintOf = (method: string, path: string, body: Buffer | null): string =>
  createHash('sha256')
    .update(`${method} ${path}\n`)
    .update(body ?? Buffer.alloc(0))
    .digest('hex');

export class IdempotencyStore {
  private readonly entries: TtlCache<string, Entry>;

  constructor(
    private readonly config: { ttlMs: number; maxEntries: number },
    now: () => number,
  ) {
    this.entries = new TtlCache(config.maxEntries, now);
  }

  begin(scope: string, key: string, fingerprint: string): Begin {
    const id = `${scope}\u0000${key}`;
    const existing = this.entries.get(id);
    if (existing) {
      return existing.fingerprint === fingerprint
        ? { kind: 'replay', reply: existing.reply }
        : { kind: 'conflict' };
    }
    let resolve!: (reply: Reply) => void;
    const reply = new Promise<Reply>((r) => {
      resolve = r;
    });
    this.entries.set(id, { fingerprint, reply }, this.config.ttlMs);
    return {
      kind: 'fresh',
      finish: (final) => {
        if (final.status === 429 || final.status >= 500) this.entries.delete(id);
        resolve(final);
      },
    };
  }

  sweep(): void {
    this.entries.sweep();
  }

  get size(): number {
    return this.entries.size;
  }
}
