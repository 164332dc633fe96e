/**
 * Who is calling: an API key (header `TOTALIS_API_KEY` as the seed names it, or `X-API-Key`) for users
 * and MMs, or a bearer token for users — a Privy access token when Privy is configured, otherwise a
 * dev JWT. Key lookups go through a short cache so the identity store is not on every request's path;
 * a revoked key stops working within authCache.ttlMs. The cache is keyed by the key's SHA-256, as the
 * store is: no key is held in memory past the request that carried it, and a lookup compares hashes,
 * never the secret itself. A hit also carries the REST answer, built once per key.
 */
import type { Logger } from '../../engine/logger.ts';
import type { ApiKeyRecord, IdentityStore, Principal } from '../../engine/ports/identity.ts';
import { err, ok, type Result } from '../../machines/errors.ts';
import type { GatewayConfig } from '../config.ts';
import { TtlCache } from '../ttlCache.ts';
import { hashApiKey, isApiKeyShaped } from './apiKeys.ts';
import { verifyDevToken } from './devToken.ts';

export type AuthMethod = 'api_key' | 'privy' | 'dev_token';

export interface Caller {
  principal: Principal;
  method: AuthMethod;
  /** The key's record when authenticated by API key (carries the MM's signing public key). */
  record: ApiKeyRecord | null;
}

interface PrivyVerifier {
  verifyAuthToken(token: string, verificationKey?: string): Promise<{ userId: string }>;
}

/** Negative answers are cached briefly: long enough to blunt a flood of bad keys, short for a new key. */
const NEGATIVE_TTL_MS = 2_000;

/** What the cache keeps per key: the record and, for a live one, the REST answer built once. */
interface KeyAnswer {
  record: ApiKeyRecord | null;
  caller: Result<Caller> | null;
}

export class Authenticator {
  private readonly keys: TtlCache<string, KeyAnswer>;
  private privy: Promise<PrivyVerifier> | null = null;

  constructor(
    private readonly identity: IdentityStore,
    private readonly config: GatewayConfig,
    now: () => number,
    private readonly logger: Logger,
  ) {
    this.keys = new TtlCache(config.authCache.maxEntries, now);
  }

  /** The live record for an API key, or null (unknown, revoked, malformed). */
  async apiKey(key: string): Promise<ApiKeyRecord | null> {
    if (!isApiKeyShaped(key)) return null;
    const hash = hashApiKey(key);
    const cached = this.keys.get(hash);
    if (cached !== undefined) return cached.record;
    let record: ApiKeyRecord | null;
    try {
      record = await this.identity.findByKeyHash(hash);
    } catch (error) {
      // The store failing is not the caller's fault, but without it nobody can be let in.
      this.logger.error({ err: error }, 'identity store lookup failed');
      throw error;
    }
    const live = record && record.revokedAt === null ? record : null;
    const ttl = live ? this.config.authCache.ttlMs : Math.min(NEGATIVE_TTL_MS, this.config.authCache.ttlMs);
    if (ttl > 0) this.keys.set(hash, { record: live, caller: live ? callerOf(live) : null }, ttl);
    return live;
  }

  /**
   * REST, without waiting: the answer for an API key whose lookup is cached, else undefined (then
   * `fromHeaders`). The same answer `fromHeaders` gives, minus two promise hops per request.
   */
  cachedCaller(apiKey: string): Result<Caller> | undefined {
    // Only well-shaped keys are ever cached: anything else misses without being hashed.
    if (!isApiKeyShaped(apiKey)) return undefined;
    const answer = this.keys.get(hashApiKey(apiKey));
    return answer && (answer.caller ?? callerOf(null));
  }

  /** A user from a bearer token, or null. */
  async bearer(token: string): Promise<Principal | null> {
    if (token.length === 0 || token.length > 8_192) return null;
    if (this.config.privy) {
      try {
        const claims = await (await this.privyClient()).verifyAuthToken(
          token,
          this.config.privy.verificationKey ?? undefined,
        );
        return claims.userId ? { kind: 'user', id: claims.userId } : null;
      } catch {
        return null;
      }
    }
    if (this.config.devJwt) {
      const userId = await verifyDevToken(this.config.devJwt, token);
      return userId ? { kind: 'user', id: userId } : null;
    }
    return null;
  }

  /** REST: the API key headers first, then `Authorization: Bearer`. */
  async fromHeaders(headers: { apiKey: string; authorization: string }): Promise<Result<Caller>> {
    try {
      if (headers.apiKey) return callerOf(await this.apiKey(headers.apiKey));
      const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization)?.[1];
      if (bearer) {
        const principal = await this.bearer(bearer);
        return principal
          ? ok({ principal, method: this.config.privy ? 'privy' : 'dev_token', record: null })
          : err('UNAUTHORIZED', { reason: 'invalid bearer token' });
      }
      return err('UNAUTHORIZED', { reason: 'missing credentials' }, 'Missing or invalid authentication');
    } catch {
      return err('SERVICE_UNAVAILABLE', { reason: 'identity store unavailable' });
    }
  }

  sweep(): void {
    this.keys.sweep();
  }

  private privyClient(): Promise<PrivyVerifier> {
    const privy = this.config.privy;
    if (!privy) throw new Error('privy not configured');
    // Loaded on first use: the package pulls in wallet and chain libraries a dev setup never needs.
    this.privy ??= import('@privy-io/server-auth').then(
      ({ PrivyClient }) => new PrivyClient(privy.appId, privy.appSecret) as PrivyVerifier,
    );
    return this.privy;
  }
}

function callerOf(record: ApiKeyRecord | null): Result<Caller> {
  return record
    ? ok({ principal: record.principal, method: 'api_key', record })
    : err('UNAUTHORIZED', { reason: 'invalid api key' });
}
