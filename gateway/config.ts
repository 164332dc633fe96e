/**
 * The gateway's settings, with defaults that suit one production node. The composition root builds
 * a partial from the environment and `gatewayConfig()` fills in and validates the rest, so a bad
 * environment fails at boot with every problem listed.
 */
export interface RateLimit {
  /** Sustained commands per second. */
  perSecond: number;
  /** Bucket size: how many may arrive at once. */
  burst: number;
}

export interface PrivyConfig {
  appId: string;
  appSecret: string;
  /** ES256 SPKI PEM; when null the Privy client fetches it from the app settings once. */
  verificationKey: string | null;
}

export interface DevJwtConfig {
  /** HS256 secret (at least 32 bytes of text). Dev only: production users sign in with Privy. */
  secret: string;
  issuer: string;
  audience: string;
}

export interface GatewayConfig {
  host: string;
  /** 0 picks a free port (tests); the bound port is reported by startGateway. */
  port: number;
  wsPath: string;
  /**
   * A second REST listener (node:http) for clients that send the seed's `TOTALIS_API_KEY` header:
   * uWS 20.30's parser drops any request with `_` in a header name. null: off; 0: any free port.
   */
  compatHttpPort: number | null;
  /** Semver reported by /healthz and /openapi.json. */
  version: string;
  maxBodyBytes: number;
  maxWsMessageBytes: number;
  /** A socket with more than this many bytes waiting to be sent is closed (4008). */
  backpressureLimitBytes: number;
  /** How often socket buffers, auth deadlines and idleness are checked. */
  sweepIntervalMs: number;
  heartbeatIntervalMs: number;
  idleTimeoutMs: number;
  authTimeoutMs: number;
  /** Signed WebSocket auth: |client timestamp − server clock| must be within this. */
  authWindowMs: number;
  /** JSON mode: require the Ed25519 signature from MMs too (off: a seed bot authenticates by key alone). */
  requireSignatureInJsonMode: boolean;
  /** Events kept per channel for resume; older resumes get a snapshot. */
  replayBufferOpen: number;
  replayBufferPrivate: number;
  /** A private channel with no subscriber for this long is dropped (its next subscriber gets a snapshot). */
  streamRetentionMs: number;
  rateLimits: { mm: RateLimit; user: RateLimit };
  idempotency: { ttlMs: number; maxEntries: number };
  /** API-key lookups are cached this long (revocation takes effect within it). */
  authCache: { ttlMs: number; maxEntries: number };
  privy: PrivyConfig | null;
  devJwt: DevJwtConfig | null;
  /** Series exclusion groups served by GET /markets/exclusion-groups (the engine rejects legs that contradict each other by event instead). */
  exclusionGroups: string[][];
}

export const DEFAULT_GATEWAY_CONFIG: Readonly<GatewayConfig> = Object.freeze({
  host: '0.0.0.0',
  port: 3000,
  wsPath: '/ws',
  compatHttpPort: 3001,
  version: '0.1.0',
  maxBodyBytes: 64 * 1024,
  maxWsMessageBytes: 64 * 1024,
  backpressureLimitBytes: 1024 * 1024,
  sweepIntervalMs: 100,
  heartbeatIntervalMs: 15_000,
  idleTimeoutMs: 60_000,
  authTimeoutMs: 10_000,
  authWindowMs: 30_000,
  requireSignatureInJsonMode: false,
  replayBufferOpen: 8192,
  replayBufferPrivate: 1024,
  streamRetentionMs: 300_000,
  rateLimits: { mm: { perSecond: 200, burst: 400 }, user: { perSecond: 20, burst: 40 } },
  idempotency: { ttlMs: 24 * 3_600_000, maxEntries: 100_000 },
  authCache: { ttlMs: 30_000, maxEntries: 100_000 },
  privy: null,
  devJwt: null,
  exclusionGroups: [],
});

export type GatewayConfigInput = Partial<Omit<GatewayConfig, 'rateLimits' | 'idempotency' | 'authCache'>> & {
  rateLimits?: Partial<GatewayConfig['rateLimits']>;
  idempotency?: Partial<GatewayConfig['idempotency']>;
  authCache?: Partial<GatewayConfig['authCache']>;
};

export class GatewayConfigError extends Error {
  override readonly name = 'GatewayConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid gateway config: ${problems.join('; ')}`);
  }
}

/** Defaults filled in, every value checked; throws GatewayConfigError listing all problems. */
export function gatewayConfig(input: GatewayConfigInput = {}): GatewayConfig {
  const d = DEFAULT_GATEWAY_CONFIG;
  const config: GatewayConfig = {
    ...d,
    ...input,
    rateLimits: { ...d.rateLimits, ...input.rateLimits },
    idempotency: { ...d.idempotency, ...input.idempotency },
    authCache: { ...d.authCache, ...input.authCache },
  };
  const problems: string[] = [];
  const int = (name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isSafeInteger(v) || v < min || v > max)
      problems.push(`${name} must be an integer in [${min}, ${max}]`);
  };
  const positive = (name: string, v: number) => {
    if (!Number.isFinite(v) || v <= 0) problems.push(`${name} must be a positive number`);
  };
  int('port', config.port, 0, 65_535);
  if (!config.wsPath.startsWith('/')) problems.push('wsPath must start with /');
  if (config.compatHttpPort !== null) int('compatHttpPort', config.compatHttpPort, 0, 65_535);
  int('maxBodyBytes', config.maxBodyBytes, 1_024);
  int('maxWsMessageBytes', config.maxWsMessageBytes, 1_024);
  int('backpressureLimitBytes', config.backpressureLimitBytes, 1_024);
  int('sweepIntervalMs', config.sweepIntervalMs, 10, 60_000);
  int('heartbeatIntervalMs', config.heartbeatIntervalMs, 50);
  int('idleTimeoutMs', config.idleTimeoutMs, 100);
  if (config.idleTimeoutMs <= config.heartbeatIntervalMs)
    problems.push(
      'idleTimeoutMs must exceed heartbeatIntervalMs (heartbeats carry the pings that keep a live client)',
    );
  int('authTimeoutMs', config.authTimeoutMs, 50);
  int('authWindowMs', config.authWindowMs, 1_000, 300_000);
  int('replayBufferOpen', config.replayBufferOpen, 1);
  int('replayBufferPrivate', config.replayBufferPrivate, 1);
  int('streamRetentionMs', config.streamRetentionMs, 0);
  for (const kind of ['mm', 'user'] as const) {
    positive(`rateLimits.${kind}.perSecond`, config.rateLimits[kind].perSecond);
    int(`rateLimits.${kind}.burst`, config.rateLimits[kind].burst, 1);
  }
  int('idempotency.ttlMs', config.idempotency.ttlMs, 1_000);
  int('idempotency.maxEntries', config.idempotency.maxEntries, 1);
  int('authCache.ttlMs', config.authCache.ttlMs, 0);
  int('authCache.maxEntries', config.authCache.maxEntries, 1);
  if (config.privy && (!config.privy.appId || !config.privy.appSecret))
    problems.push('privy needs appId and appSecret');
  if (config.devJwt && Buffer.byteLength(config.devJwt.secret) < 32)
    problems.push('devJwt.secret must be at least 32 bytes');
  if (!Array.isArray(config.exclusionGroups) || config.exclusionGroups.some((g) => !Array.isArray(g)))
    problems.push('exclusionGroups must be an array of arrays of series tickers');
  if (problems.length > 0) throw new GatewayConfigError(problems);
  return config;
}
