/**
 * The composition root: the only place that knows every adapter. Reads and validates the
 * environment, checks that Postgres, Redis and the ports are there (one line per problem, naming the
 * fix), wires markets, persistence, chain, risk, settlement and the gateway into the engine, prints
 * where everything listens, and shuts down in order on SIGINT/SIGTERM.
 *
 *   npm start                      the whole stack on embedded defaults
 *   PORT=4000 KALSHI_MODE=live …   see the configuration table in README.md
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { CHAIN_ENV, type ChainConfig, ChainConfigError, chainConfigFromEnv } from './chain/config.ts';
import { type Chain, createChain } from './chain/createChain.ts';
import { APP_ENV, type AppEnv, limitsFrom, readAppEnv } from './engine/appConfig.ts';
import { Engine } from './engine/engine.ts';
import { ConfigError, configTable } from './engine/envConfig.ts';
import { createLogger, type Logger } from './engine/logger.ts';
import { MarketCache } from './engine/markets/cache.ts';
import { KalshiClient } from './engine/markets/client.ts';
import { type KalshiSimulator, startKalshiSimulator } from './engine/markets/simulator/server.ts';
import { systemClock } from './engine/ports/clock.ts';
import type { RiskEngine } from './engine/ports/risk.ts';
import { FullRiskEngine } from './engine/risk/fullRisk.ts';
import { IlpRiskEngine } from './engine/risk/ilpRisk.ts';
import { KalshiLifecycleFeed } from './engine/settlement/lifecycleFeed.ts';
import { SettlementWatcher } from './engine/settlement/watcher.ts';
import { DEV_JWT_DEFAULTS } from './gateway/auth/devToken.ts';
import { keysCommand } from './gateway/cli/keys.ts';
import { type Gateway, startGateway } from './gateway/startGateway.ts';
import { createPersistence, type Persistence } from './persistence/createPersistence.ts';

export interface Stack {
  env: AppEnv;
  engine: Engine;
  gateway: Gateway;
  persistence: Persistence;
  chain: Chain;
  markets: MarketCache;
  kalshi: KalshiClient;
  simulator: KalshiSimulator | null;
  /** Where each part listens, for the banner and for tools. */
  urls: {
    rest: string;
    ws: string;
    compatRest: string | null;
    openapi: string;
    metrics: string;
    kalshi: string;
    kalshiAdmin: string | null;
  };
  close(): Promise<void>;
}

export interface StackConfig {
  app: AppEnv;
  chain: ChainConfig;
}

/**
 * Every variable the stack reads, validated together so all problems show at once. The embedded
 * chain keeps its state in DATA_DIR unless CHAIN_STATE_FILE says otherwise.
 */
export function readStackConfig(raw: NodeJS.ProcessEnv = process.env): StackConfig {
  const problems: string[] = [];
  let app: AppEnv | null = null;
  let chain: ChainConfig | null = null;
  try {
    app = readAppEnv(raw);
    limitsFrom(app);
  } catch (error) {
    if (error instanceof ConfigError) problems.push(...error.problems);
    else if (error instanceof RangeError) problems.push(error.message);
    else throw error;
  }
  try {
    const dataDir = resolve(raw.DATA_DIR || '.parlay');
    chain = chainConfigFromEnv({
      ...raw,
      CHAIN_STATE_FILE: raw.CHAIN_STATE_FILE ?? join(dataDir, 'chain-state.jsonl'),
    });
  } catch (error) {
    if (error instanceof ConfigError) problems.push(...error.problems);
    else if (error instanceof ChainConfigError) problems.push(error.message);
    else throw error;
  }
  if (problems.length > 0 || !app || !chain) throw new ConfigError(problems);
  return { app, chain };
}

/** The README's configuration table: the app's variables, then the chain's (names shared with the app once). */
export function stackConfigTable(): string {
  const names = new Set(Object.values(APP_ENV).map((s) => s.name));
  const chainOnly = Object.fromEntries(
    Object.entries(CHAIN_ENV)
      .filter(([, s]) => !names.has(s.name))
      .map(([k, s]) => [
        k,
        s.name === 'CHAIN_STATE_FILE' ? { ...s, defaultText: 'DATA_DIR/chain-state.jsonl' } : s,
      ]),
  );
  return configTable({ ...APP_ENV, ...chainOnly });
}

/** A problem the operator must fix before the stack can start: printed as one line, no stack trace. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Reachability of Postgres, Redis and the listening ports, checked together so every problem shows at once. */
export async function checkPrerequisites(env: AppEnv): Promise<void> {
  const problems = (
    await Promise.all([
      checkPostgres(env.databaseUrl),
      checkRedis(env.redisUrl),
      checkPort('PORT', env.host, env.port),
      env.compatPort > 0 ? checkPort('COMPAT_HTTP_PORT', env.host, env.compatPort) : null,
      env.kalshiMode === 'simulator' && env.kalshiSimPort > 0
        ? checkPort('KALSHI_SIM_PORT', '127.0.0.1', env.kalshiSimPort)
        : null,
    ])
  ).filter((p): p is string => p !== null);
  if (problems.length > 0) throw new StartupError(problems);
}

async function checkPostgres(databaseUrl: string): Promise<string | null> {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return `Postgres is not reachable at ${url.host} (${reason(error)}). Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start — or set DATABASE_URL.`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function checkRedis(redisUrl: string): Promise<string | null> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3_000,
    retryStrategy: () => null,
  });
  // ioredis reports a refused connection as "Connection is closed": keep the socket's own error.
  let socketError: unknown = null;
  redis.on('error', (error) => {
    socketError ??= error;
  });
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (error) {
    const where = new URL(redisUrl).host;
    return `Redis is not reachable at ${where} (${reason(socketError ?? error)}). Start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no — or set REDIS_URL.`;
  } finally {
    redis.disconnect();
  }
}

function checkPort(name: string, host: string, port: number): Promise<string | null> {
  if (port === 0) return Promise.resolve(null);
  return new Promise((done) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      done(
        error.code === 'EADDRINUSE'
          ? `Port ${port} (${name}) is already in use on ${host}. Stop the other process or set ${name} to a free port.`
          : `Cannot listen on ${host}:${port} (${name}): ${error.code ?? error.message}. Set HOST or ${name}.`,
      ),
    );
    server.listen(port, host, () => server.close(() => done(null)));
  });
}

const reason = (error: unknown): string => {
  const e = error as NodeJS.ErrnoException & { errors?: Array<{ code?: string }> };
  return e.code ?? e.errors?.[0]?.code ?? e.message ?? String(error);
};

/** The dev-token secret: from the environment, or generated once into DATA_DIR (npm run keys reads the same file). */
export function devJwtSecret(env: AppEnv): string {
  if (env.devJwtSecret) return env.devJwtSecret;
  const file = join(resolve(env.dataDir), 'dev-jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(resolve(env.dataDir), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Dev bearer tokens are off when Privy verifies users. */
export function devJwtConfig(env: AppEnv) {
  return env.privyAppId ? null : { secret: devJwtSecret(env), ...DEV_JWT_DEFAULTS };
}

/** `npm run keys`: mints credentials into the same Postgres identity store the server reads. */
async function keys(env: AppEnv, logger: Logger, argv: string[]): Promise<void> {
  const problem = await checkPostgres(env.databaseUrl);
  if (problem) throw new StartupError([problem]);
  const persistence = createPersistence({
    logger,
    redisUrl: env.redisUrl,
    databaseUrl: env.databaseUrl,
    keyPrefix: env.redisKeyPrefix,
  });
  await persistence.start();
  try {
    process.stdout.write(await keysCommand(argv, { store: persistence.identity, devJwt: devJwtConfig(env) }));
  } finally {
    await persistence.stop();
  }
}

export async function startStack(config: StackConfig, logger: Logger): Promise<Stack> {
  const env = config.app;
  const limits = limitsFrom(env);
  const dataDir = resolve(env.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const clock = systemClock;
  const closers: Array<[string, () => Promise<void> | void]> = [];
  const closeAll = async () => {
    for (const [name, close] of closers.reverse()) {
      try {
        await close();
      } catch (error) {
        logger.error({ err: error, part: name }, 'shutdown step failed');
      }
    }
  };
  try {
    const simulator =
      env.kalshiMode === 'simulator'
        ? await startKalshiSimulator({
            port: env.kalshiSimPort,
            host: '127.0.0.1',
            seed: env.kalshiSimSeed,
            clock,
            logger,
          })
        : null;
    if (simulator) closers.push(['kalshi simulator', () => simulator.close()]);
    const kalshiUrl = simulator?.url ?? env.kalshiBaseUrl;
    const kalshi = new KalshiClient({
      config: {
        baseUrl: kalshiUrl,
        apiKeyId: env.kalshiKeyId ?? null,
        privateKeyPem: env.kalshiKeyPath ? readFileSync(env.kalshiKeyPath, 'utf8') : null,
      },
      clock,
      logger,
    });
    const markets = new MarketCache({ client: kalshi, clock, logger });
    await markets.start();
    closers.push(['market cache', () => markets.stop()]);

    const persistence = createPersistence({
      logger,
      clock,
      redisUrl: env.redisUrl,
      databaseUrl: env.databaseUrl,
      keyPrefix: env.redisKeyPrefix,
    });
    await persistence.start();
    closers.push(['persistence', () => persistence.stop()]);

    // The program's fee cap must allow the fee the engine snapshots into RFQs.
    const chain = await createChain({
      config: { ...config.chain, feeCapBps: Math.max(limits.feeBps, config.chain.feeCapBps) },
      logger,
      clock,
    });
    closers.push(['chain', () => chain.close()]);

    const risk: RiskEngine =
      env.riskEngine === 'ilp'
        ? new IlpRiskEngine({ markets, logger, refineWorkers: env.riskWorkers, clock })
        : new FullRiskEngine({ logger, markets });
    closers.push(['risk', () => risk.shutdown()]);

    // Kalshi pushes lifecycle changes over its WebSocket (authenticated); polling stays on as reconciliation.
    const feed = simulator
      ? new KalshiLifecycleFeed({ config: { url: simulator.wsUrl }, clock, logger })
      : env.kalshiKeyId && env.kalshiKeyPath
        ? new KalshiLifecycleFeed({
            auth: { apiKeyId: env.kalshiKeyId, privateKeyPem: readFileSync(env.kalshiKeyPath, 'utf8') },
            clock,
            logger,
          })
        : null;
    if (feed) {
      feed.start();
      closers.push(['kalshi lifecycle feed', () => feed.stop()]);
    }
    const settlement = new SettlementWatcher({
      client: kalshi,
      clock,
      logger,
      config: { pollIntervalMs: env.settlementPollMs },
      ...(feed && { feed }),
    });
    const engine = new Engine({
      clock,
      limits,
      markets,
      store: persistence.snapshots,
      records: persistence.records,
      risk,
      chain: chain.executor,
      funds: chain.funds,
      settlement,
      logger,
    });
    const { restored } = await engine.start();
    closers.push(['engine', () => engine.stop()]);
    settlement.start();
    closers.push(['settlement', () => settlement.stop()]);

    const gateway = await startGateway({
      engine,
      identity: persistence.identity,
      markets,
      logger,
      explorerUrl: chain.explorerUrl,
      vaults: chain.vaults,
      config: {
        host: env.host,
        port: env.port,
        compatHttpPort: env.compatPort > 0 ? env.compatPort : null,
        privy:
          env.privyAppId && env.privyAppSecret
            ? { appId: env.privyAppId, appSecret: env.privyAppSecret, verificationKey: null }
            : null,
        devJwt: env.privyAppId
          ? null
          : { secret: devJwtSecret(env), issuer: 'parlay-rfq-dev', audience: 'parlay-rfq' },
      },
    });
    closers.push(['gateway', () => gateway.close()]);
    logger.info({ restored, port: gateway.port }, 'stack started');

    return {
      env,
      engine,
      gateway,
      persistence,
      chain,
      markets,
      kalshi,
      simulator,
      urls: {
        rest: gateway.url,
        ws: gateway.wsUrl,
        compatRest: env.compatPort > 0 ? `http://${env.host}:${env.compatPort}` : null,
        openapi: `${gateway.url}/openapi.json`,
        metrics: `${gateway.url}/metrics`,
        kalshi: kalshiUrl,
        kalshiAdmin: simulator?.adminUrl ?? null,
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function banner(stack: Stack): string {
  const u = stack.urls;
  const info = stack.chain.info;
  return [
    '',
    'parlay-rfq is running',
    `  REST + MM WebSocket  ${u.rest}   (WebSocket ${u.ws}; binary protobuf or JSON subprotocol)`,
    ...(u.compatRest
      ? [`  REST (seed header)   ${u.compatRest}   (for clients sending TOTALIS_API_KEY)`]
      : []),
    `  OpenAPI              ${u.openapi}`,
    `  metrics              ${u.metrics}`,
    `  Kalshi               ${u.kalshi}${u.kalshiAdmin ? `   (simulator; admin ${u.kalshiAdmin})` : ''}`,
    `  Solana               ${info.cluster}, program ${info.programId}, USDC mint ${info.mint}`,
    `  records              ${stack.env.databaseUrl.replace(/\/\/[^@]*@/, '//')}, snapshots ${stack.env.redisUrl}`,
    '',
    '  mint credentials:    npm run keys   (a user API key, an MM API key + signing key, a dev bearer token)',
    '  try it:              npm run demo   (MM bots and users trading through the whole lifecycle)',
    '  stop:                Ctrl-C (flushes snapshots and records, closes sockets)',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  let config: StackConfig;
  try {
    config = readStackConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.problems.map((p) => `config: ${p}`).join('\n')}\n`);
      process.exit(2);
    }
    throw error;
  }
  const env = config.app;
  if (process.argv[2] === 'config-table') {
    process.stdout.write(`${stackConfigTable()}\n`);
    process.exit(0);
  }
  const logger = createLogger({ level: env.logLevel });
  if (process.argv[2] === 'keys') {
    try {
      await keys(env, createLogger({ level: 'warn' }), process.argv.slice(3));
    } catch (error) {
      process.stderr.write(
        `keys: ${error instanceof StartupError ? error.problems.join('\n') : error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    }
    process.exit(0);
  }
  try {
    await checkPrerequisites(env);
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`${error.problems.map((p) => `cannot start: ${p}`).join('\n')}\n`);
      process.exit(1);
    }
    throw error;
  }
  const stack = await startStack(config, logger);
  process.stdout.write(banner(stack));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, flushing snapshots and records');
    await stack.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
