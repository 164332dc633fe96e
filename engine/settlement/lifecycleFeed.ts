/**
 * Kalshi's `market_lifecycle_v2` WebSocket as a LifecycleFeed. It only speeds settlement up: each
 * `determined`/`settled` message for a watched market triggers an immediate REST poll, and whenever
 * messages may have been missed (a reconnect, a gap in `seq`) it asks for a full REST resync. REST
 * stays the source of truth, so a dead feed costs latency, never correctness.
 *
 * The handshake is signed like REST requests (path /trade-api/ws/v2) when a key is configured.
 */
import pino, { type Logger } from 'pino';
import WebSocket from 'ws';
import { createKalshiSigner, type KalshiSigner } from '../markets/signer.ts';
import { type Clock, systemClock, type TimerHandle } from '../ports/clock.ts';
import { DEFAULT_LIFECYCLE_FEED_CONFIG, type LifecycleFeedConfig } from './config.ts';
import type { LifecycleFeed, LifecycleUpdate } from './watcher.ts';

export interface KalshiLifecycleFeedOptions {
  config?: Partial<LifecycleFeedConfig>;
  /** Same key as the REST client; Kalshi requires an authenticated connection for this channel. */
  auth?: { apiKeyId: string; privateKeyPem: string } | null;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
}

const CHANNEL = 'market_lifecycle_v2';

export class KalshiLifecycleFeed implements LifecycleFeed {
  readonly config: Readonly<LifecycleFeedConfig>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly signer: KalshiSigner | null;
  private readonly listeners = new Set<(update: LifecycleUpdate) => void>();
  private socket: WebSocket | null = null;
  private reconnectTimer: TimerHandle | null = null;
  private attempts = 0;
  private lastSeq: number | null = null;
  private running = false;

  constructor(options: KalshiLifecycleFeedOptions = {}) {
    this.config = { ...DEFAULT_LIFECYCLE_FEED_CONFIG, ...options.config };
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'lifecycle-feed' });
    this.random = options.random ?? Math.random;
    this.signer = options.auth ? createKalshiSigner(options.auth.apiKeyId, options.auth.privateKeyPem) : null;
  }

  /** Whether the channel subscription is confirmed on the current connection. */
  get connected(): boolean {
    return this.socket !== null && this.lastSeq !== null;
  }

  subscribe(listener: (update: LifecycleUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  stop(): void {
    this.running = false;
    if (this.reconnectTimer !== null) this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.socket?.terminate();
    this.socket = null;
  }

  private connect(): void {
    const url = new URL(this.config.url);
    const headers = this.signer ? { ...this.signer.headers('GET', url.pathname, this.clock.now()) } : {};
    const socket = new WebSocket(url, { headers });
    this.socket = socket;
    this.lastSeq = null;
    socket.on('open', () => {
      socket.send(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: [CHANNEL] } }));
    });
    socket.on('message', (data) => this.onMessage(String(data)));
    socket.on('error', (error) => this.log.warn({ err: error.message }, 'lifecycle feed error'));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.lastSeq = null;
      if (this.running) this.reconnect();
    });
  }

  private reconnect(): void {
    const ceiling = Math.min(this.config.reconnectMaxMs, this.config.reconnectBaseMs * 2 ** this.attempts);
    const delayMs = Math.floor(this.random() * ceiling);
    this.attempts += 1;
    this.log.warn({ delayMs, attempt: this.attempts }, 'lifecycle feed disconnected; reconnecting');
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = null;
      if (this.running) this.connect();
    }, delayMs);
  }

  private onMessage(text: string): void {
    let message: { type?: unknown; seq?: unknown; msg?: { market_ticker?: unknown; event_type?: unknown } };
    try {
      message = JSON.parse(text);
    } catch {
      this.log.warn('lifecycle feed sent a non-JSON frame');
      return;
    }
    if (message.type === 'subscribed') {
      this.attempts = 0;
      this.lastSeq = 0;
      // Anything may have happened while we were not listening (first connect included).
      this.emit({ kind: 'resync' });
      return;
    }
    if (message.type === 'error') {
      this.log.error({ msg: message.msg }, 'lifecycle feed refused the subscription');
      return;
    }
    if (message.type !== CHANNEL) return;
    const seq = typeof message.seq === 'number' ? message.seq : null;
    if (seq !== null && this.lastSeq !== null && seq !== this.lastSeq + 1) {
      this.log.warn({ expected: this.lastSeq + 1, got: seq }, 'lifecycle feed gap; resyncing over REST');
      this.emit({ kind: 'resync' });
    }
    if (seq !== null) this.lastSeq = seq;
    const ticker = message.msg?.market_ticker;
    const eventType = message.msg?.event_type;
    if (typeof ticker === 'string' && typeof eventType === 'string')
      this.emit({ kind: 'market', ticker, eventType });
  }

  private emit(update: LifecycleUpdate): void {
    for (const listener of this.listeners) listener(update);
  }
}
