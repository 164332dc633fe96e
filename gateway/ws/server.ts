/**
 * The WebSocket endpoint on uWS: subprotocol → codec at upgrade, the protocol on open and message,
 * and one periodic sweep that enforces the connection rules without a timer per socket:
 *   - over backpressureLimitBytes buffered → closed 4008 (uWS's own limit, the hard cap, is 4× that:
 *     publish skips a socket only past it, and the close frame still fits; the MM resumes by seq);
 *     replays and snapshots are paced by drain instead (Protocol.pump);
 *   - not authenticated within authTimeoutMs → 4002;  nothing heard for idleTimeoutMs → 4010;
 *   - every heartbeatIntervalMs: a heartbeat (last seq per subscribed channel) and a WebSocket ping,
 *     whose pong counts as hearing from the client.
 * Cancel-on-disconnect: when a connection that asked for it closes and its MM has no other
 * connection, every live quote of that MM is withdrawn.
 */
import type { Engine } from '../../engine/engine.ts';
import type { Logger } from '../../engine/logger.ts';
import { CLOSE } from '../closeCodes.ts';
import type { GatewayConfig } from '../config.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { TemplatedApp } from '../uws.ts';
import type { Protocol } from './connection.ts';
import { jsonCodec } from './jsonCodec.ts';
import { SUBPROTOCOL } from './messages.ts';
import { protoCodec } from './protoCodec.ts';
import { Session, type SocketData } from './session.ts';
import type { StreamRegistry } from './streams.ts';

/** uWS's maxBackpressure as a multiple of backpressureLimitBytes. */
const HARD_CAP_FACTOR = 4;

export interface SocketStats {
  connections: number;
  authenticated: number;
  marketMakers: number;
  users: number;
}

export class SocketServer {
  readonly sessions = new Set<Session>();
  /** Authenticated connections per MM. */
  private readonly mmConnections = new Map<string, number>();
  private readonly pendingWithdrawals = new Set<Promise<unknown>>();
  private lastHeartbeat = 0;
  protocol!: Protocol;

  constructor(
    private readonly deps: {
      config: GatewayConfig;
      engine: Engine;
      streams: StreamRegistry;
      metrics: GatewayMetrics;
      logger: Logger;
      now: () => number;
    },
  ) {}

  mount(app: TemplatedApp): void {
    const { config, metrics, now } = this.deps;
    app.ws<SocketData>(config.wsPath, {
      maxPayloadLength: config.maxWsMessageBytes,
      // The hard cap. Live sockets are cut by the sweep at the (soft) limit; the headroom lets their
      // close frame (4008) fit behind the data they buffered, and lets a snapshot frame through.
      maxBackpressure: config.backpressureLimitBytes * HARD_CAP_FACTOR,
      closeOnBackpressureLimit: 0,
      // Liveness is ours (heartbeat pings and the sweep), so uWS's coarse idle timer is off.
      idleTimeout: 0,
      sendPingsAutomatically: false,
      upgrade: (res, req, context) => {
        const offered = req
          .getHeader('sec-websocket-protocol')
          .split(',')
          .map((p) => p.trim());
        const binary = offered.includes(SUBPROTOCOL.proto);
        const protocol = binary
          ? SUBPROTOCOL.proto
          : offered.includes(SUBPROTOCOL.json)
            ? SUBPROTOCOL.json
            : '';
        const session = new Session(binary ? protoCodec : jsonCodec, now());
        res.upgrade<SocketData>(
          { session },
          req.getHeader('sec-websocket-key'),
          protocol,
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      open: (ws) => {
        const session = ws.getUserData().session;
        session.ws = ws;
        this.sessions.add(session);
        metrics.wsConnections.inc({ encoding: session.codec.encoding });
        this.protocol.opened(session);
      },
      message: (ws, message, isBinary) => {
        this.protocol.message(ws.getUserData().session, message, isBinary);
      },
      drain: (ws) => {
        const session = ws.getUserData().session;
        for (const channel of [...session.catchingUp.keys()]) this.protocol.pump(session, channel);
      },
      pong: (ws) => {
        ws.getUserData().session.lastSeen = now();
      },
      close: (ws, code) => this.closed(ws.getUserData().session, code),
    });
  }

  authenticated(session: Session): void {
    const principal = session.principal;
    if (principal?.kind === 'mm')
      this.mmConnections.set(principal.id, (this.mmConnections.get(principal.id) ?? 0) + 1);
  }

  private closed(session: Session, code: number): void {
    session.closed = true;
    this.sessions.delete(session);
    const { metrics, logger } = this.deps;
    metrics.wsConnections.dec({ encoding: session.codec.encoding });
    metrics.wsDisconnects.inc({
      reason: session.closeReason?.toLowerCase() ?? (code === 1006 ? 'dropped' : 'client'),
    });
    for (const channel of [...session.subscriptions.keys()]) this.protocol.detach(session, channel);
    const principal = session.principal;
    if (principal?.kind !== 'mm') return;
    const left = (this.mmConnections.get(principal.id) ?? 1) - 1;
    if (left > 0) this.mmConnections.set(principal.id, left);
    else this.mmConnections.delete(principal.id);
    if (left > 0 || !session.cancelOnDisconnect) return;
    const withdrawal = this.deps.engine.withdrawAll(principal.id).then((result) => {
      if (result.ok)
        logger.info({ mmId: principal.id, withdrawn: result.value.withdrawn }, 'cancel-on-disconnect');
      else logger.warn({ mmId: principal.id, code: result.error.code }, 'cancel-on-disconnect failed');
    });
    this.pendingWithdrawals.add(withdrawal);
    void withdrawal.finally(() => this.pendingWithdrawals.delete(withdrawal));
  }

  /** The periodic checks (see the file comment); cheap: a few native calls per socket. */
  sweep(): void {
    const { config } = this.deps;
    const now = this.deps.now();
    const beat = now - this.lastHeartbeat >= config.heartbeatIntervalMs;
    if (beat) this.lastHeartbeat = now;
    for (const s of this.sessions) {
      const ws = s.ws;
      if (!ws || s.closed) continue;
      // A catch-up paces itself by drain (its buffer stays bounded), so only the hard cap applies to it.
      const limit =
        s.catchingUp.size > 0
          ? config.backpressureLimitBytes * HARD_CAP_FACTOR
          : config.backpressureLimitBytes;
      if (ws.getBufferedAmount() > limit) s.end('BACKPRESSURE');
      else if (!s.principal && now - s.openedAt > config.authTimeoutMs) s.end('AUTH_TIMEOUT');
      else if (now - s.lastSeen > config.idleTimeoutMs) s.end('IDLE');
      else if (beat) {
        if (s.principal) {
          s.send({
            type: 'heartbeat',
            serverTimeMs: now,
            streams: [...s.subscriptions.values()].map((st) => ({
              channel: st.channel,
              epoch: st.epoch,
              seq: st.seq,
            })),
          });
        }
        if (!s.closed) ws.cork(() => ws.ping());
      }
    }
  }

  stats(): SocketStats {
    let authenticated = 0;
    let users = 0;
    for (const s of this.sessions) {
      if (!s.principal) continue;
      authenticated++;
      if (s.principal.kind === 'user') users++;
    }
    return { connections: this.sessions.size, authenticated, marketMakers: this.mmConnections.size, users };
  }

  /** Closes every connection (1001) and waits for the cancel-on-disconnect withdrawals that triggers. */
  async closeAll(): Promise<void> {
    for (const s of [...this.sessions]) {
      const ws = s.ws;
      if (ws && !s.closed) ws.cork(() => ws.end(CLOSE.GOING_AWAY.code, CLOSE.GOING_AWAY.reason));
    }
    await Promise.all([...this.pendingWithdrawals]);
  }
}
