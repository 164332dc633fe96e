/**
 * A Kalshi-compatible HTTP server (node:http) for `npm start`, the demo and the tests: the read paths
 * of trade API v2 under /trade-api/v2 with Kalshi's JSON shapes, the lifecycle WebSocket at
 * /trade-api/ws/v2, and an admin API (HTTP under /admin, and the same as an in-process object) that
 * moves markets through their lifecycle and injects faults.
 *
 * @example
 * const sim = await startKalshiSimulator({ port: 0, seed: 7, clock });
 * const client = new KalshiClient({ config: { baseUrl: sim.url }, clock });
 * sim.admin.determine('KXBTCD-26JAN0617-T100000', 'yes');
 * await sim.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { type Clock, systemClock } from '../../ports/clock.ts';
import { verifyKalshiSignature } from '../signer.ts';
import type { KalshiMarketJson } from '../wire.ts';
import { type Catalogue, generateCatalogue } from './catalogue.ts';
import { SimError, SimExchange } from './exchange.ts';
import { attachLifecycleFeed } from './lifecycleFeed.ts';

export const API_PREFIX = '/trade-api/v2';
export const WS_PATH = '/trade-api/ws/v2';

export interface KalshiSimulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Catalogue seed; ignored when `catalogue` is given. */
  seed?: number;
  /** The scenario clock starts at this clock's time; admin `advanceClock` moves it further. */
  clock?: Clock;
  /** Serve these events and markets instead of a generated catalogue (e.g. JSON fixtures). */
  catalogue?: Catalogue;
  autoFinalize?: boolean;
  /** When set, every API request must be signed by this key, as Kalshi requires for private endpoints. */
  auth?: { keyId: string; publicKeyPem: string };
  logger?: Logger;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: { key?: string; signature?: string; timestamp?: string };
}

export interface SimulatorAdmin {
  now(): number;
  advanceClock(ms: number): number;
  tickers(): string[];
  market(ticker: string): KalshiMarketJson | null;
  close(ticker: string): KalshiMarketJson;
  determine(ticker: string, result: string): KalshiMarketJson;
  dispute(ticker: string): KalshiMarketJson;
  amend(ticker: string, result: string): KalshiMarketJson;
  finalize(ticker: string): KalshiMarketJson;
  voidMarket(ticker: string): KalshiMarketJson;
  deactivate(ticker: string): KalshiMarketJson;
  activate(ticker: string): KalshiMarketJson;
  remove(ticker: string): void;
  /** The next `count` API requests answer `status` (Kalshi's error body), e.g. 429 or 503. */
  failNext(count: number, status: number, retryAfterSeconds?: number): void;
  /** Drops the faults not yet served. */
  clearFaults(): void;
  /** API requests wait (after being recorded) until the returned release function is called. */
  hold(): () => void;
  /** API requests received, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** Lifecycle WebSocket subscribers. */
  readonly subscribers: number;
  /** Drops every lifecycle WebSocket connection (clients must reconnect and resync). */
  disconnectFeed(): void;
}

export interface KalshiSimulator {
  /** Base URL of the trade API, `/trade-api/v2` included: give it to KalshiClient as `baseUrl`. */
  url: string;
  wsUrl: string;
  adminUrl: string;
  admin: SimulatorAdmin;
  close(): Promise<void>;
}

const ADMIN_ACTIONS = [
  'close',
  'determine',
  'dispute',
  'amend',
  'finalize',
  'void',
  'deactivate',
  'activate',
  'remove',
];

export async function startKalshiSimulator(options: KalshiSimulatorOptions = {}): Promise<KalshiSimulator> {
  const clock = options.clock ?? systemClock;
  const log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'kalshi-sim' });
  const catalogue = options.catalogue ?? generateCatalogue(options.seed ?? 1, clock.now());
  const exchange = new SimExchange(catalogue, clock, options.autoFinalize ?? true);
  const requests: RecordedRequest[] = [];
  const faults: Array<{ status: number; retryAfterSeconds: number | undefined }> = [];
  let gate: Promise<void> | null = null;

  const authorized = (req: IncomingMessage, path: string): boolean => {
    if (!options.auth) return true;
    const key = req.headers['kalshi-access-key'];
    const signature = req.headers['kalshi-access-signature'];
    const timestamp = req.headers['kalshi-access-timestamp'];
    if (key !== options.auth.keyId || typeof signature !== 'string' || typeof timestamp !== 'string')
      return false;
    try {
      return verifyKalshiSignature(
        options.auth.publicKeyPem,
        req.method ?? 'GET',
        path,
        timestamp,
        signature,
      );
    } catch {
      return false;
    }
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const header = (name: string) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: {
        key: header('kalshi-access-key'),
        signature: header('kalshi-access-signature'),
        timestamp: header('kalshi-access-timestamp'),
      },
    });
    if (gate) await gate;
    const fault = faults.shift();
    if (fault) {
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      return reply(
        res,
        fault.status,
        kalshiError(fault.status === 429 ? 'too_many_requests' : 'internal_server_error', 'injected fault'),
        headers,
      );
    }
    if (!authorized(req, url.pathname))
      return reply(res, 401, kalshiError('authentication_error', 'invalid signature'));
    if (req.method !== 'GET')
      return reply(res, 405, kalshiError('method_not_allowed', 'only GET is simulated'));
    const rest = url.pathname.slice(API_PREFIX.length);
    const q = url.searchParams;
    const single = /^\/markets\/([^/]+)$/.exec(rest);
    const event = /^\/events\/([^/]+)$/.exec(rest);
    if (rest === '/markets') {
      const tickers = q.get('tickers');
      return reply(
        res,
        200,
        exchange.listMarkets({
          tickers: tickers === null ? undefined : tickers.split(',').filter((t) => t.length > 0),
          status: q.get('status') ?? undefined,
          eventTicker: q.get('event_ticker') ?? undefined,
          seriesTicker: q.get('series_ticker') ?? undefined,
          limit: q.has('limit') ? Number(q.get('limit')) : 100,
          cursor: q.get('cursor') ?? undefined,
        }),
      );
    }
    if (single) {
      const market = exchange.getMarket(decodeURIComponent(single[1] as string));
      return market
        ? reply(res, 200, { market })
        : reply(res, 404, kalshiError('not_found', 'market not found'));
    }
    if (event) {
      const found = exchange.getEvent(
        decodeURIComponent(event[1] as string),
        q.get('with_nested_markets') === 'true',
      );
      return found ? reply(res, 200, found) : reply(res, 404, kalshiError('not_found', 'event not found'));
    }
    return reply(res, 404, kalshiError('not_found', `no route ${url.pathname}`));
  };

  const handleAdmin = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const body = req.method === 'POST' ? await readJson(req) : {};
    if (url.pathname === '/admin/clock' && req.method === 'GET')
      return reply(res, 200, { now: exchange.now() });
    if (url.pathname === '/admin/clock/advance' && req.method === 'POST') {
      return reply(res, 200, { now: exchange.advance(Number(body.ms)) });
    }
    const m = /^\/admin\/markets\/([^/]+)(?:\/([a-z]+))?$/.exec(url.pathname);
    if (m) {
      const ticker = decodeURIComponent(m[1] as string);
      const action = m[2];
      if (action === undefined && req.method === 'GET') {
        const market = exchange.getMarket(ticker);
        return market
          ? reply(res, 200, { market })
          : reply(res, 404, kalshiError('not_found', 'market not found'));
      }
      if (action !== undefined && req.method === 'POST' && ADMIN_ACTIONS.includes(action)) {
        const result = typeof body.result === 'string' ? body.result : '';
        if (action === 'remove') {
          exchange.remove(ticker);
          return reply(res, 200, { removed: ticker });
        }
        const market =
          action === 'determine'
            ? exchange.determine(ticker, result)
            : action === 'amend'
              ? exchange.amend(ticker, result)
              : action === 'void'
                ? exchange.voidMarket(ticker)
                : exchange[action as 'close' | 'dispute' | 'finalize' | 'deactivate' | 'activate'](ticker);
        return reply(res, 200, { market });
      }
    }
    return reply(res, 404, kalshiError('not_found', `no admin route ${req.method} ${url.pathname}`));
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const handler = url.pathname.startsWith(`${API_PREFIX}/`)
      ? handleApi
      : url.pathname.startsWith('/admin/')
        ? handleAdmin
        : null;
    if (!handler) return reply(res, 404, kalshiError('not_found', `no route ${url.pathname}`));
    handler(req, res, url).catch((error: unknown) => {
      if (error instanceof SimError) return reply(res, error.status, kalshiError(error.code, error.message));
      log.error({ err: error, path: url.pathname }, 'simulator request failed');
      reply(res, 500, kalshiError('internal_server_error', 'simulator error'));
    });
  });
  const feed = attachLifecycleFeed(server, exchange, WS_PATH, (req) => authorized(req, WS_PATH));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const origin = `http://${address}:${port}`;
  log.info(
    { url: `${origin}${API_PREFIX}`, markets: catalogue.markets.length },
    'kalshi simulator listening',
  );

  const admin: SimulatorAdmin = {
    now: () => exchange.now(),
    advanceClock: (ms) => exchange.advance(ms),
    tickers: () => exchange.tickers(),
    market: (t) => exchange.getMarket(t),
    close: (t) => exchange.close(t),
    determine: (t, result) => exchange.determine(t, result),
    dispute: (t) => exchange.dispute(t),
    amend: (t, result) => exchange.amend(t, result),
    finalize: (t) => exchange.finalize(t),
    voidMarket: (t) => exchange.voidMarket(t),
    deactivate: (t) => exchange.deactivate(t),
    activate: (t) => exchange.activate(t),
    remove: (t) => exchange.remove(t),
    failNext(count, status, retryAfterSeconds) {
      for (let i = 0; i < count; i++) faults.push({ status, retryAfterSeconds });
    },
    clearFaults() {
      faults.length = 0;
    },
    hold() {
      let release!: () => void;
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const held = gate;
      return () => {
        if (gate === held) gate = null;
        release();
      };
    },
    requests,
    get subscribers() {
      return feed.subscribers;
    },
    disconnectFeed: () => feed.disconnectAll(),
  };

  return {
    url: `${origin}${API_PREFIX}`,
    wsUrl: `ws://${address}:${port}${WS_PATH}`,
    adminUrl: `${origin}/admin`,
    admin,
    async close() {
      await feed.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function kalshiError(code: string, message: string) {
  return { error: { code, message, service: 'kalshi-sim' } };
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 65_536) throw new SimError(413, 'payload_too_large', 'admin body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through to the typed error below
  }
  throw new SimError(400, 'bad_request', 'admin body must be a JSON object');
}
