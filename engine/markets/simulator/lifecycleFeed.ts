/**
 * The simulator's WebSocket at /trade-api/ws/v2, speaking Kalshi's command protocol for the one
 * channel the settlement runtime listens to: `market_lifecycle_v2`. A client sends
 * `{id, cmd: "subscribe", params: {channels: ["market_lifecycle_v2"]}}`, gets `{id, type: "subscribed",
 * msg: {channel, sid}}`, then `{type: "market_lifecycle_v2", sid, seq, msg}` for every determination
 * and settlement, with times in Unix seconds and `settlement_value` without the `_dollars` suffix.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { KalshiLifecycleMessageJson } from '../wire.ts';
import type { LifecycleEvent, SimExchange } from './exchange.ts';

export const LIFECYCLE_CHANNEL = 'market_lifecycle_v2';

interface Subscription {
  sid: number;
  seq: number;
}

export interface LifecycleFeedServer {
  /** Connected sockets with a lifecycle subscription. */
  readonly subscribers: number;
  /** Drops every connection, as a network blip would. */
  disconnectAll(): void;
  close(): Promise<void>;
}

export function attachLifecycleFeed(
  server: Server,
  exchange: SimExchange,
  path: string,
  authorize: (req: IncomingMessage) => boolean,
): LifecycleFeedServer {
  const wss = new WebSocketServer({ noServer: true });
  const subscriptions = new Map<WebSocket, Subscription>();
  let nextSid = 1;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname !== path || !authorize(req)) {
      socket.end(`HTTP/1.1 ${url.pathname !== path ? '404 Not Found' : '401 Unauthorized'}\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);

  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      let command: { id?: unknown; cmd?: unknown; params?: { channels?: unknown } };
      try {
        command = JSON.parse(String(data));
      } catch {
        ws.send(JSON.stringify({ type: 'error', msg: { code: 1, msg: 'Unable to process message' } }));
        return;
      }
      const id = typeof command.id === 'number' ? command.id : 0;
      const channels = Array.isArray(command.params?.channels) ? command.params.channels : [];
      if (command.cmd === 'subscribe' && channels.length === 1 && channels[0] === LIFECYCLE_CHANNEL) {
        const existing = subscriptions.get(ws);
        const sid = existing?.sid ?? nextSid++;
        if (!existing) subscriptions.set(ws, { sid, seq: 0 });
        ws.send(JSON.stringify({ id, type: 'subscribed', msg: { channel: LIFECYCLE_CHANNEL, sid } }));
      } else if (command.cmd === 'unsubscribe') {
        subscriptions.delete(ws);
        ws.send(JSON.stringify({ id, type: 'unsubscribed' }));
      } else {
        ws.send(JSON.stringify({ id, type: 'error', msg: { code: 8, msg: 'Unknown command or channel' } }));
      }
    });
    ws.on('close', () => subscriptions.delete(ws));
  });

  const unsubscribe = exchange.onLifecycle((event: LifecycleEvent) => {
    for (const [ws, sub] of subscriptions) {
      sub.seq += 1;
      const message: KalshiLifecycleMessageJson = {
        type: LIFECYCLE_CHANNEL,
        sid: sub.sid,
        seq: sub.seq,
        msg: { market_ticker: event.ticker, event_type: event.eventType },
      };
      const seconds = Math.floor(event.atMs / 1000);
      if (event.eventType === 'determined') {
        message.msg.result = event.result ?? '';
        message.msg.determination_ts = seconds;
        if (event.settlementValue) message.msg.settlement_value = event.settlementValue;
      } else if (event.eventType === 'settled') {
        message.msg.settled_ts = seconds;
      }
      ws.send(JSON.stringify(message));
    }
  });

  return {
    get subscribers() {
      return subscriptions.size;
    },
    disconnectAll() {
      for (const ws of wss.clients) ws.terminate();
    },
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        server.off('upgrade', onUpgrade);
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}
