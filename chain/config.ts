/**
 * Configuration of the chain adapter, with defaults that run the embedded cluster out of the box.
 * `chainConfig(partial)` fills in and validates; `CHAIN_ENV` declares the environment variables (the
 * composition root reads them with engine/envConfig's `readConfig`, which also renders the README
 * table); `chainConfigFromEnv` does both. Nothing here reads `process.env` by itself.
 */
import { int, oneOf, readConfig, secret, str, usdc } from '../engine/envConfig.ts';

export type SigningMode = 'delegated' | 'owner';
export type Custody = 'local' | 'privy';

export interface DelegationCaps {
  /** Largest amount one position may lock in a delegating vault. */
  maxPerPositionMicro: number;
  /** Most a delegating vault may have locked in total (stake + collateral). */
  maxTotalLockedMicro: number;
  /** How long a delegation lasts. */
  ttlSeconds: number;
  /** A delegation this close to its expiry is renewed before the vault's next position. */
  renewBeforeSeconds: number;
}

export interface BatchConfig {
  /** How long a position waits for others to share its transaction. */
  windowMs: number;
  /** Positions (or settle/release operations) per transaction at most; 1 = one per transaction. */
  maxPerTx: number;
  /** Transactions in flight per lane. */
  maxInFlight: number;
  /** Sends of one transaction that may fail transiently before its positions are retried alone / failed. */
  maxAttempts: number;
  retryDelayMs: number;
}

export interface RpcConfig {
  commitment: 'confirmed' | 'finalized';
  rebroadcastMs: number;
  pollMs: number;
  maxResigns: number;
  skipPreflight: boolean;
  /** Priority fee; null sends none. */
  unitPriceMicroLamports: number | null;
  requestTimeoutMs: number;
  maxTransportErrors: number;
  /** Lookup tables to reuse (addresses); empty creates one at boot and logs its address. */
  lookupTables: string[];
}

export interface PrivyCustodyConfig {
  appId: string;
  appSecret: string;
  /** The wallet API authorization key ("wallet-auth:…"), if the app's wallets require one. */
  authorizationKey: string | null;
  /** Wallet API base URL; null = Privy's (https://api.privy.io). Tests point it at a local server. */
  apiUrl: string | null;
  /** principal → wallet mapping file. */
  walletsFile: string;
}

export interface ChainConfig {
  /** 'litesvm' (embedded, in-process) or a JSON-RPC URL. */
  cluster: string;
  /** parlay_vaults program id; null = the dev program (embedded cluster only). */
  programId: string | null;
  /** Fee payer and operator (settlement authority, delegate): a solana-keygen JSON file. null = generated (embedded only, kept in the state file). */
  feePayerKeypairPath: string | null;
  custody: Custody;
  /** Local custody master seed, hex (≥ 16 bytes). null = generated (embedded only, kept in the state file). */
  custodySeed: string | null;
  signingMode: SigningMode;
  delegation: DelegationCaps;
  batch: BatchConfig;
  rpc: RpcConfig;
  /** Embedded cluster state file; null = memory only. */
  stateFile: string | null;
  /** Fee cap written into a new embedded config (positions carry their own fee bps, up to it). */
  feeCapBps: number;
  /** Dev faucet: most test USDC one call may mint (embedded cluster only). */
  faucetMaxMicro: number;
  privy: PrivyCustodyConfig | null;
  /** Explorer link template with {kind} (tx | address) and {value}; null = derived from the cluster. */
  explorerUrl: string | null;
}

export const DEFAULT_CHAIN_CONFIG: Readonly<ChainConfig> = Object.freeze<ChainConfig>({
  cluster: 'litesvm',
  programId: null,
  feePayerKeypairPath: null,
  custody: 'local',
  custodySeed: null,
  signingMode: 'delegated',
  delegation: {
    maxPerPositionMicro: 100_000_000_000, // 100,000 USDC
    maxTotalLockedMicro: 1_000_000_000_000, // 1,000,000 USDC
    ttlSeconds: 30 * 24 * 3600,
    renewBeforeSeconds: 24 * 3600,
  },
  batch: { windowMs: 2, maxPerTx: 16, maxInFlight: 4, maxAttempts: 3, retryDelayMs: 250 },
  rpc: {
    commitment: 'confirmed',
    rebroadcastMs: 2_000,
    pollMs: 400,
    maxResigns: 3,
    skipPreflight: false,
    unitPriceMicroLamports: 10_000,
    requestTimeoutMs: 10_000,
    maxTransportErrors: 10,
    lookupTables: [],
  },
  stateFile: '.data/litesvm-state.jsonl',
  feeCapBps: 1_000,
  faucetMaxMicro: 1_000_000_000_000,
  privy: null,
  explorerUrl: null,
});

export type ChainConfigInput = Partial<Omit<ChainConfig, 'delegation' | 'batch' | 'rpc'>> & {
  delegation?: Partial<DelegationCaps>;
  batch?: Partial<BatchConfig>;
  rpc?: Partial<RpcConfig>;
};

export class ChainConfigError extends Error {
  override readonly name = 'ChainConfigError';
}

export const isEmbedded = (config: Pick<ChainConfig, 'cluster'>): boolean => config.cluster === 'litesvm';

/** Defaults filled in, every contradiction reported at once. */
export function chainConfig(input: ChainConfigInput = {}): ChainConfig {
  const d = DEFAULT_CHAIN_CONFIG;
  const config: ChainConfig = {
    ...d,
    ...input,
    delegation: { ...d.delegation, ...input.delegation },
    batch: { ...d.batch, ...input.batch },
    rpc: { ...d.rpc, ...input.rpc },
  };
  const problems: string[] = [];
  const positive = (what: string, v: number, min = 1) => {
    if (!Number.isSafeInteger(v) || v < min) problems.push(`${what} must be an integer ≥ ${min}`);
  };
  positive('batch.windowMs', config.batch.windowMs, 0);
  positive('batch.maxPerTx', config.batch.maxPerTx);
  positive('batch.maxInFlight', config.batch.maxInFlight);
  positive('batch.maxAttempts', config.batch.maxAttempts);
  positive('batch.retryDelayMs', config.batch.retryDelayMs, 0);
  positive('delegation.maxPerPositionMicro', config.delegation.maxPerPositionMicro);
  positive('delegation.maxTotalLockedMicro', config.delegation.maxTotalLockedMicro);
  positive('delegation.ttlSeconds', config.delegation.ttlSeconds);
  positive('delegation.renewBeforeSeconds', config.delegation.renewBeforeSeconds, 0);
  if (config.delegation.renewBeforeSeconds >= config.delegation.ttlSeconds)
    problems.push('delegation.renewBeforeSeconds must be below ttlSeconds');
  positive('feeCapBps', config.feeCapBps, 0);
  if (config.feeCapBps > 10_000) problems.push('feeCapBps must not exceed 10000');
  positive('faucetMaxMicro', config.faucetMaxMicro, 0);
  if (!isEmbedded(config)) {
    try {
      const url = new URL(config.cluster);
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        problems.push('cluster must be litesvm or an http(s) URL');
    } catch {
      problems.push('cluster must be litesvm or an http(s) URL');
    }
    if (!config.programId) problems.push('programId is required for a JSON-RPC cluster');
    if (!config.feePayerKeypairPath) problems.push('feePayerKeypairPath is required for a JSON-RPC cluster');
    if (config.custody === 'local' && !config.custodySeed)
      problems.push('custodySeed is required for local custody on a JSON-RPC cluster');
  }
  if (config.custodySeed !== null && !/^([0-9a-f]{2}){16,}$/i.test(config.custodySeed))
    problems.push('custodySeed must be hex, at least 16 bytes');
  if (config.custody === 'privy' && !config.privy)
    problems.push('privy settings are required for Privy custody');
  if (config.explorerUrl !== null && !config.explorerUrl.includes('{value}'))
    problems.push('explorerUrl must contain {value}');
  if (problems.length > 0) throw new ChainConfigError(`invalid chain config: ${problems.join('; ')}`);
  return config;
}

/** The environment variables of the chain adapter (for readConfig and the README table). */
export const CHAIN_ENV = {
  cluster: str('SOLANA_CLUSTER', 'litesvm (embedded, in-process) or a JSON-RPC URL', 'litesvm'),
  programId: str('SOLANA_PROGRAM_ID', 'parlay_vaults program id (default: the dev program, embedded only)'),
  feePayer: str(
    'SOLANA_FEE_PAYER_KEYPAIR',
    'fee payer + operator keypair file (solana-keygen JSON); embedded: generated',
  ),
  custody: oneOf('SOLANA_CUSTODY', 'who holds owner keys', 'local', ['local', 'privy'] as const),
  custodySeed: secret(
    'SOLANA_CUSTODY_SEED',
    'local custody master seed, hex ≥ 16 bytes; embedded: generated',
  ),
  signingMode: oneOf('SOLANA_SIGNING_MODE', 'who signs create_position', 'delegated', [
    'delegated',
    'owner',
  ] as const),
  batchWindowMs: int('CHAIN_BATCH_WINDOW_MS', 'how long a position waits to share a transaction', 2, 0, 1000),
  stateFile: str(
    'CHAIN_STATE_FILE',
    'embedded cluster state file ("none": memory only)',
    '.data/litesvm-state.jsonl',
  ),
  priorityFee: int(
    'SOLANA_PRIORITY_FEE_MICROLAMPORTS',
    'compute unit price (JSON-RPC)',
    10_000,
    0,
    100_000_000,
  ),
  lookupTables: str('SOLANA_LOOKUP_TABLES', 'comma-separated lookup tables to reuse (JSON-RPC)'),
  maxPerPosition: usdc(
    'CHAIN_DELEGATION_MAX_PER_POSITION',
    'delegation cap per position, USDC',
    100_000_000_000,
  ),
  maxTotalLocked: usdc(
    'CHAIN_DELEGATION_MAX_TOTAL',
    'delegation cap on a vault total locked, USDC',
    1_000_000_000_000,
  ),
  explorerUrl: str('CHAIN_EXPLORER_URL', 'explorer link template with {kind} and {value}'),
  privyAppId: str('PRIVY_APP_ID', 'Privy app id (Privy custody)'),
  privyAppSecret: secret('PRIVY_APP_SECRET', 'Privy app secret (Privy custody)'),
  privyAuthorizationKey: secret('PRIVY_AUTHORIZATION_KEY', 'Privy wallet API authorization key'),
  privyWalletsFile: str(
    'PRIVY_WALLETS_FILE',
    'principal → Privy wallet mapping file',
    '.data/privy-wallets.json',
  ),
};

export function chainConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ChainConfig {
  const e = readConfig(CHAIN_ENV, env);
  return chainConfig({
    cluster: e.cluster,
    programId: e.programId ?? null,
    feePayerKeypairPath: e.feePayer ?? null,
    custody: e.custody,
    custodySeed: e.custodySeed ?? null,
    signingMode: e.signingMode,
    batch: { windowMs: e.batchWindowMs },
    stateFile: e.stateFile === 'none' ? null : e.stateFile,
    rpc: {
      unitPriceMicroLamports: e.priorityFee === 0 ? null : e.priorityFee,
      lookupTables: e.lookupTables
        ? e.lookupTables
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    },
    delegation: { maxPerPositionMicro: e.maxPerPosition, maxTotalLockedMicro: e.maxTotalLocked },
    explorerUrl: e.explorerUrl ?? null,
    privy:
      e.custody === 'privy' && e.privyAppId && e.privyAppSecret
        ? {
            appId: e.privyAppId,
            appSecret: e.privyAppSecret,
            authorizationKey: e.privyAuthorizationKey ?? null,
            apiUrl: null,
            walletsFile: e.privyWalletsFile,
          }
        : null,
  });
}
