/**
 * Every environment variable `npm start` reads, declared once: validated at boot (all problems listed,
 * one line each) and rendered as the README's configuration table (`npm run config:table`; a test
 * keeps the README in step). Defaults are the embedded stack on one machine.
 */
import { checkLimits, DEFAULT_LIMITS, type Limits } from '../machines/limits.ts';
import { ODDS_SCALE } from '../machines/money.ts';
import { int, oneOf, readConfig, secret, str, url, usdc, type VarSpec } from './envConfig.ts';

const odds = (name: string, doc: string, fallbackFp: number): VarSpec<number> => ({
  ...int(name, doc, fallbackFp, ODDS_SCALE + 1, 10_000 * ODDS_SCALE),
  defaultText: String(fallbackFp / ODDS_SCALE),
  parse: (raw) => {
    if (raw === undefined || raw === '') return fallbackFp;
    const m = /^(\d+)(?:\.(\d{1,4}))?$/.exec(raw.trim());
    if (!m) throw new Error(`must be a decimal with at most 4 places, got "${raw}"`);
    return Number(m[1]) * ODDS_SCALE + Number((m[2] ?? '').padEnd(4, '0'));
  },
});

const seconds = (
  name: string,
  doc: string,
  fallbackMs: number,
  min: number,
  max: number,
): VarSpec<number> => {
  const base = int(name, doc, fallbackMs / 1000, min, max);
  return { ...base, parse: (raw) => base.parse(raw) * 1000 };
};

export const APP_ENV = {
  logLevel: oneOf('LOG_LEVEL', 'Log level', 'info', [
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
    'silent',
  ]),
  dataDir: str('DATA_DIR', 'Local state: the embedded chain, the dev token secret', '.parlay'),
  host: str('HOST', 'Interface the gateway listens on', '127.0.0.1'),
  port: int('PORT', 'REST + WebSocket port (uWebSockets.js)', 3000, 0, 65_535),
  compatPort: int(
    'COMPAT_HTTP_PORT',
    'REST for clients sending the `TOTALIS_API_KEY` header (uWS drops `_` headers); 0 = off',
    3001,
    0,
    65_535,
  ),
  databaseUrl: url(
    'DATABASE_URL',
    'Postgres (database created and migrated at boot)',
    'postgres://postgres@127.0.0.1:5432/parlay_rfq',
    ['postgres:', 'postgresql:'],
  ),
  redisUrl: url('REDIS_URL', 'Redis for hot snapshots', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
  redisKeyPrefix: str('REDIS_KEY_PREFIX', 'Prefix of every Redis key', 'parlay'),
  kalshiMode: oneOf('KALSHI_MODE', 'Market data source', 'simulator', ['simulator', 'live']),
  kalshiBaseUrl: url(
    'KALSHI_BASE_URL',
    'Kalshi trade API v2 base URL (live mode)',
    'https://external-api.kalshi.com/trade-api/v2',
    ['https:', 'http:'],
  ),
  kalshiKeyId: str('KALSHI_API_KEY_ID', 'Kalshi API key id (optional: signed requests)'),
  kalshiKeyPath: str('KALSHI_PRIVATE_KEY_PATH', 'Path to the Kalshi RSA private key (PEM)'),
  kalshiSimPort: int(
    'KALSHI_SIM_PORT',
    'Port of the built-in Kalshi simulator (0 = any free port)',
    3002,
    0,
    65_535,
  ),
  kalshiSimSeed: int('KALSHI_SIM_SEED', 'Seed of the simulator catalogue', 42, 0, 2 ** 31),
  settlementPollMs: int(
    'SETTLEMENT_POLL_MS',
    'How often settlement polls Kalshi for executed positions',
    30_000,
    100,
    3_600_000,
  ),
  privyAppId: str('PRIVY_APP_ID', 'Privy app id: user bearer tokens are Privy access tokens when set'),
  privyAppSecret: secret('PRIVY_APP_SECRET', 'Privy app secret'),
  privyAuthorizationKey: secret(
    'PRIVY_AUTHORIZATION_KEY',
    'Privy authorization private key (server wallets)',
  ),
  devJwtSecret: secret(
    'DEV_JWT_SECRET',
    'HS256 secret for dev bearer tokens (default: generated into DATA_DIR)',
  ),
  riskEngine: oneOf('RISK_ENGINE', 'Collateral policy', 'ilp', ['ilp', 'full']),
  riskWorkers: int('RISK_WORKERS', 'Background refinement worker threads', 1, 0, 16),
  feeBps: int('FEE_BPS', 'Protocol fee on profit, basis points', DEFAULT_LIMITS.feeBps, 0, 10_000),
  minLegs: int('MIN_LEGS', 'Fewest legs per parlay', DEFAULT_LIMITS.minLegs, 1, 16),
  maxLegs: int('MAX_LEGS', 'Most legs per parlay', DEFAULT_LIMITS.maxLegs, 1, 16),
  minBet: usdc('MIN_BET_USDC', 'Smallest bet, USDC', DEFAULT_LIMITS.minBetMicro),
  maxBet: usdc('MAX_BET_USDC', 'Largest bet, USDC', DEFAULT_LIMITS.maxBetMicro),
  minOdds: odds('MIN_ODDS', 'Lowest payout odds', DEFAULT_LIMITS.minOddsFp),
  maxOdds: odds('MAX_ODDS', 'Highest payout odds', DEFAULT_LIMITS.maxOddsFp),
  minRfqTtl: seconds('MIN_RFQ_TTL_S', 'Shortest RFQ expiry, s', DEFAULT_LIMITS.minRfqTtlMs, 1, 86_400),
  maxRfqTtl: seconds('MAX_RFQ_TTL_S', 'Longest RFQ expiry, s', DEFAULT_LIMITS.maxRfqTtlMs, 1, 86_400),
  defaultRfqTtl: seconds(
    'DEFAULT_RFQ_TTL_S',
    'RFQ expiry when the request names none, s',
    DEFAULT_LIMITS.defaultRfqTtlMs,
    1,
    86_400,
  ),
  minQuoteTtl: seconds(
    'MIN_QUOTE_TTL_S',
    'Shortest quote validity, s',
    DEFAULT_LIMITS.minQuoteTtlMs,
    1,
    86_400,
  ),
  maxQuoteTtl: seconds(
    'MAX_QUOTE_TTL_S',
    'Longest quote validity, s',
    DEFAULT_LIMITS.maxQuoteTtlMs,
    1,
    86_400,
  ),
  defaultQuoteTtl: seconds(
    'DEFAULT_QUOTE_TTL_S',
    'Quote validity when the MM names none, s',
    DEFAULT_LIMITS.defaultQuoteTtlMs,
    1,
    86_400,
  ),
  confirmWindowMs: int(
    'CONFIRM_WINDOW_MS',
    'How long an MM has to confirm an accepted quote, ms',
    DEFAULT_LIMITS.confirmWindowMs,
    100,
    600_000,
  ),
};

export type AppEnv = ReturnType<typeof readAppEnv>;

export function readAppEnv(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(APP_ENV, env);
}

/** The validation limits from the environment; contradictions (min above max…) fail at boot. */
export function limitsFrom(env: AppEnv): Limits {
  return checkLimits({
    minLegs: env.minLegs,
    maxLegs: env.maxLegs,
    minBetMicro: env.minBet,
    maxBetMicro: env.maxBet,
    minOddsFp: env.minOdds,
    maxOddsFp: env.maxOdds,
    minRfqTtlMs: env.minRfqTtl,
    maxRfqTtlMs: env.maxRfqTtl,
    defaultRfqTtlMs: env.defaultRfqTtl,
    minQuoteTtlMs: env.minQuoteTtl,
    maxQuoteTtlMs: env.maxQuoteTtl,
    defaultQuoteTtlMs: env.defaultQuoteTtl,
    confirmWindowMs: env.confirmWindowMs,
    feeBps: env.feeBps,
  });
}
