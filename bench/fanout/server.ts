/**
 * A fan-out server in its own process, one of three kinds, each with the same two doors: WebSocket
 * at /ws (binary frames) and an HTTP trigger.
 *   gateway  — the product: engine (in memory) + startGateway; POST /rfqs creates an RFQ and the
 *              gateway encodes and publishes rfq:created to every rfqs:open subscriber;
 *   bare-uws — the limit: uWS with every socket on one topic; POST /publish/:i publishes frame i,
 *              pre-encoded;
 *   ws-lib   — the peer: node:http + the `ws` library; POST /publish/:i sends frame i to each client.
 * Usage (the driver forks it): node --import tsx bench/fanout/server.ts <kind> <mmCount> <frames>
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { Engine } from '../../engine/engine.ts';
import { silentLogger } from '../../engine/logger.ts';
import { MemoryFunds } from '../../engine/memoryFunds.ts';
import { MemoryIdentity } from '../../engine/memoryIdentity.ts';
import { MemoryMarkets, marketInfo } from '../../engine/memoryMarkets.ts';
import { MemoryStore } from '../../engine/memoryStore.ts';
import { systemClock } from '../../engine/ports/clock.ts';
import { FullRiskEngine } from '../../engine/risk/fullRisk.ts';
import { newSigningKeyPair } from '../../gateway/auth/signing.ts';
import { createApiKey } from '../../gateway/cli/mintKeys.ts';
import { startGateway } from '../../gateway/startGateway.ts';
import { nativeUws } from '../../gateway/uws.ts';
import { SUBPROTOCOL } from '../../gateway/ws/messages.ts';
import { DEFAULT_LIMITS } from '../../machines/limits.ts';
import { preEncoded } from './frames.ts';
import type { DriverToServer, MmCreds, ServerKind, ServerMessage } from './ipc.ts';

const send = (m: ServerMessage) => process.send?.(m);

function catalogue(): MemoryMarkets {
  const far = Date.UTC(2030, 0, 1);
  const priced = (ticker: string, yes: string, no: string) =>
    marketInfo(ticker, {
      closeTime: far,
      yesAskDollars: yes,
      yesBidDollars: yes,
      noAskDollars: no,
      noBidDollars: no,
      lastPriceDollars: yes,
    });
  return new MemoryMarkets([
    priced('KXA-26-T1', '0.5000', '0.5000'),
    priced('KXB-26-T2', '0.4000', '0.6000'),
  ]);
}

async function gateway(mmCount: number): Promise<void> {
  const store = new MemoryStore();
  const funds = new MemoryFunds();
  const markets = catalogue();
  const engine = new Engine({
    clock: systemClock,
    limits: DEFAULT_LIMITS,
    markets,
    store,
    records: store,
    risk: new FullRiskEngine(),
    funds,
    logger: silentLogger(),
  });
  await engine.start();
  const identity = new MemoryIdentity();
  const userKey = await createApiKey(identity, { kind: 'user', id: 'bench-user' });
  funds.credit({ kind: 'user', id: 'bench-user' }, 1e15);
  const mms: MmCreds[] = [];
  for (let i = 0; i < mmCount; i++) {
    const keys = newSigningKeyPair();
    const id = `mm-${i}`;
    mms.push({
      apiKey: await createApiKey(identity, { kind: 'mm', id }, { signingPublicKey: keys.publicKey }),
      secret: keys.secretKey,
    });
    funds.credit({ kind: 'mm', id }, 1e15);
  }
  const gw = await startGateway({
    engine,
    identity,
    markets,
    logger: silentLogger(),
    config: {
      host: '127.0.0.1',
      port: 0,
      compatHttpPort: null,
      rateLimits: { mm: { perSecond: 1e6, burst: 1e6 }, user: { perSecond: 1e6, burst: 1e6 } },
    },
  });
  send({ type: 'ready', port: gw.port, userKey, mms });
}

function bareUws(frames: Array<{ id: string; frame: Uint8Array }>): void {
  const uWS = nativeUws();
  const app = uWS.App();
  app.ws('/ws', {
    maxBackpressure: 4 * 1024 * 1024,
    idleTimeout: 0,
    upgrade: (res, req, context) => {
      res.upgrade(
        {},
        req.getHeader('sec-websocket-key'),
        SUBPROTOCOL.proto,
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open: (ws) => {
      ws.subscribe('open');
    },
  });
  app.post('/publish/:i', (res, req) => {
    const entry = frames[Number(req.getParameter(0))];
    if (entry) app.publish('open', entry.frame, true);
    res.end(JSON.stringify({ id: entry?.id ?? null }));
  });
  app.listen('127.0.0.1', 0, (socket) => {
    if (!socket) throw new Error('bare uWS: cannot listen');
    send({ type: 'ready', port: uWS.us_socket_local_port(socket as never), userKey: '', mms: [] });
  });
}

function wsLib(frames: Array<{ id: string; frame: Uint8Array }>): void {
  const server = createServer((req, res) => {
    const match = /^\/publish\/(\d+)$/.exec(req.url ?? '');
    const entry = match ? frames[Number(match[1])] : undefined;
    req.resume();
    req.on('end', () => {
      if (entry) for (const client of wss.clients) client.send(entry.frame, { binary: true });
      res.end(JSON.stringify({ id: entry?.id ?? null }));
    });
  });
  const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
  server.listen(0, '127.0.0.1', () => {
    send({ type: 'ready', port: (server.address() as AddressInfo).port, userKey: '', mms: [] });
  });
}

const [kind, mmCount, frameCount] = process.argv.slice(2) as [ServerKind, string, string];
process.on('message', (m: DriverToServer) => {
  if (m.type === 'cpu') {
    const u = process.cpuUsage();
    send({ type: 'cpu', userUs: u.user, systemUs: u.system });
  } else process.exit(0);
});
if (kind === 'gateway') await gateway(Number(mmCount));
else if (kind === 'bare-uws') bareUws(preEncoded(Number(frameCount)));
else wsLib(preEncoded(Number(frameCount)));
