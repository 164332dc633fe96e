/**
 * The gateway: REST (the seed's API, plus ours) and the WebSocket endpoint (binary and JSON) on one
 * uWS app and one port, fed by the engine's event stream.
 *
 * @example
 * const gateway = await startGateway({ engine, identity, markets, logger, config: { port: 3000 } });
 * // … later
 * await gateway.close();
 */
import type { Engine } from '../engine/engine.ts';
import type { Logger } from '../engine/logger.ts';
import { type Clock, systemClock } from '../engine/ports/clock.ts';
import type { IdentityStore } from '../engine/ports/identity.ts';
import type { MarketSource } from '../engine/ports/markets.ts';
import type { VaultAccess } from '../engine/ports/vaults.ts';
import { Authenticator } from './auth/authenticator.ts';
import { type GatewayConfig, type GatewayConfigInput, gatewayConfig } from './config.ts';
import { gatewayMetrics } from './metrics.ts';
import { RateLimiter } from './rateLimit.ts';
import { startCompatServer } from './rest/compatServer.ts';
import { IdempotencyStore } from './rest/idempotency.ts';
import { marketRoutes } from './rest/marketRoutes.ts';
import { mmRoutes } from './rest/mmRoutes.ts';
import { openApiDocument } from './rest/openapi.ts';
import { opsRoutes } from './rest/opsRoutes.ts';
import { rfqRoutes } from './rest/rfqRoutes.ts';
import { mountFallback, mountRoutes, type Route } from './rest/router.ts';
import { vaultRoutes } from './rest/vaultRoutes.ts';
import { closeApp, nativeUws, type us_listen_socket } from './uws.ts';
import { Protocol } from './ws/connection.ts';
import { type ExplorerUrl, Fanout } from './ws/fanout.ts';
import { SocketServer, type SocketStats } from './ws/server.ts';
import { StreamRegistry } from './ws/streams.ts';

export interface GatewayOptions {
  engine: Engine;
  identity: IdentityStore;
  markets: MarketSource;
  logger: Logger;
  config?: GatewayConfigInput;
  /** Links for executions and settlements (the chain adapter's explorerUrl). */
  explorerUrl?: ExplorerUrl;
  /** The caller's vault (GET /vault, deposit, withdraw, dev faucet); absent: those routes are not mounted. */
  vaults?: VaultAccess;
  /** Wall clock for auth windows, rate limits, heartbeats (not the engine's clock). */
  clock?: Clock;
}

export interface Gateway {
  /** The bound port (the real one when config.port was 0): REST and WebSocket. */
  readonly port: number;
  /** The node:http REST listener for `TOTALIS_API_KEY` clients, when enabled. */
  readonly compatPort: number | null;
  readonly compatUrl: string | null;
  readonly url: string;
  readonly wsUrl: string;
  readonly config: GatewayConfig;
  stats(): SocketStats;
  /** Stops accepting, closes every socket (1001) and waits for cancel-on-disconnect withdrawals. */
  close(): Promise<void>;
}

export class GatewayListenError extends Error {
  override readonly name = 'GatewayListenError';
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const uWS = nativeUws();
  const config = gatewayConfig(options.config);
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const logger = options.logger.child({ component: 'gateway' });
  const metrics = gatewayMetrics();
  const { engine, markets } = options;

  const app = uWS.App();
  const auth = new Authenticator(options.identity, config, now, logger);
  const limiter = new RateLimiter(config.rateLimits, now);
  const idempotency = new IdempotencyStore(config.idempotency, now);
  const streams = new StreamRegistry(
    { open: config.replayBufferOpen, private: config.replayBufferPrivate },
    config.streamRetentionMs,
  );
  const fanout = new Fanout({
    app,
    engine,
    streams,
    metrics,
    logger,
    now,
    explorerUrl: options.explorerUrl ?? null,
  });
  const sockets = new SocketServer({ config, engine, streams, metrics, logger, now });
  sockets.protocol = new Protocol({
    engine,
    auth,
    limiter,
    streams,
    fanout,
    config,
    metrics,
    logger,
    now,
    authenticated: (session) => sockets.authenticated(session),
  });
  sockets.mount(app);

  const routes: Route[] = [
    ...rfqRoutes(engine, markets),
    ...mmRoutes(engine, markets),
    ...marketRoutes(markets, config.exclusionGroups),
    ...vaultRoutes(options.vaults ?? null, engine, options.explorerUrl),
  ];
  let openApi: Record<string, unknown> | null = null;
  routes.push(
    ...opsRoutes({
      engine,
      version: config.version,
      now,
      sockets: () => sockets.stats(),
      openApi: () => {
        openApi ??= openApiDocument(routes, config.version);
        return openApi;
      },
    }),
  );
  const routerDeps = { config, auth, limiter, idempotency, metrics, logger, now };
  mountRoutes(app, routes, routerDeps);
  mountFallback(app, metrics);

  let listenSocket: us_listen_socket;
  let compat: Awaited<ReturnType<typeof startCompatServer>> | null = null;
  try {
    listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
      app.listen(config.host, config.port, (socket) => {
        if (socket) resolve(socket);
        else reject(new GatewayListenError(`cannot listen on ${config.host}:${config.port}`));
      });
    });
    if (config.compatHttpPort !== null) {
      compat = await startCompatServer(routes, routerDeps, config.host, config.compatHttpPort).catch(
        (error: unknown) => {
          uWS.us_listen_socket_close(listenSocket);
          throw error;
        },
      );
    }
  } catch (error) {
    // Nothing half-started stays behind: no engine listener, no app.
    fanout.stop();
    closeApp(app);
    throw error;
  }
  const port = uWS.us_socket_local_port(listenSocket as never);

  const sweep = setInterval(() => {
    sockets.sweep();
    streams.sweep(now());
    limiter.sweep();
    auth.sweep();
    idempotency.sweep();
  }, config.sweepIntervalMs);
  sweep.unref();

  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  logger.info({ port, compatPort: compat?.port ?? null, wsPath: config.wsPath }, 'gateway listening');
  let closing: Promise<void> | null = null;
  return {
    port,
    url: `http://${host}:${port}`,
    compatPort: compat?.port ?? null,
    compatUrl: compat ? `http://${host}:${compat.port}` : null,
    wsUrl: `ws://${host}:${port}${config.wsPath}`,
    config,
    stats: () => sockets.stats(),
    close() {
      closing ??= (async () => {
        clearInterval(sweep);
        fanout.stop();
        uWS.us_listen_socket_close(listenSocket);
        if (compat) {
          compat.server.closeAllConnections();
          await new Promise<void>((resolve) => compat.server.close(() => resolve()));
        }
        await sockets.closeAll();
        closeApp(app);
        logger.info({ port }, 'gateway closed');
      })();
      return closing;
    },
  };
}
