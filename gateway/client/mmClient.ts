/**
 * The market-maker SDK over the binary protocol (`ws` package; Node 20 has no global WebSocket).
 *
 * - connect(): answers the server's challenge with the API key and an Ed25519 signature, subscribes
 *   to `rfqs:open` and the MM's own channel, resolves once every channel is live (snapshot or resume);
 * - typed events (`event`, `snapshot`, `gap`, …), each stream checked for sequence gaps: a gap (or a
 *   heartbeat showing the server ahead) resubscribes from the last seq seen, and the server replays or
 *   sends a snapshot; duplicates are dropped;
 * - a promise per command, settled by the ack or error that echoes its request id;
 * - reconnects with backoff and resumes each channel from its last seq.
 *
 * @example
 * const mm = new MmClient({ url: 'ws://127.0.0.1:3000/ws', apiKey, signingSecretKey });
 * mm.on('event', (e) => { if (e.type === 'rfq.created') void mm.submitQuote({ rfqId: e.rfq.id, oddsFp: 40_000 }); });
 * await mm.connect();
 */
import { EventEmitter } from 'node:events';
import { create, fromBinary, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import WebSocket from 'ws';
import { signAuth, signingKey } from '../auth/signing.ts';
import {
  ClientFrameSchema,
  type ServerFrame,
  ServerFrameSchema,
} from '../proto/gen/parlay/v1/protocol_pb.ts';
import { SUBPROTOCOL } from '../ws/messages.ts';
import { eventOf, quoteOf, rfqOf, rfqStatusOf } from './decode.ts';
import {
  type AuthInfo,
  type CommandAck,
  MmCommandError,
  MmConnectionError,
  type MmEvent,
  type Snapshot,
} from './types.ts';

export interface MmClientOptions {
  url: string;
  apiKey: string;
  /** base58 Ed25519 secret (64 bytes seed ‖ public, or the 32-byte seed). */
  signingSecretKey: string;
  /** Channels to follow; 'mm' stands for this MM's own `mm:quotes:<id>`. Default both. */
  channels?: string[];
  cancelOnDisconnect?: boolean;
  reconnect?: { initialDelayMs: number; maxDelayMs: number } | false;
  requestTimeoutMs?: number;
  /** Clock for the auth timestamp. */
  now?: () => number;
}

export interface MmClientEvents {
  event: [MmEvent];
  snapshot: [Snapshot];
  resumed: [{ channel: string; replayed: number }];
  gap: [{ channel: string; expected: number; received: number }];
  connected: [AuthInfo];
  disconnected: [{ code: number; reason: string; willReconnect: boolean }];
  /** A refusal not tied to a command (a subscribe refused, a malformed frame). */
  refused: [MmCommandError];
}

interface ChannelState {
  epoch: string | null;
  seq: number;
  /** Between a detected gap and the server's answer: events are dropped (the replay brings them). */
  resyncing: boolean;
}

interface Pending {
  resolve: (ack: CommandAck) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

type ClientKind = MessageInitShape<typeof ClientFrameSchema>['kind'];

export class MmClient {
  private readonly emitter = new EventEmitter();
  private readonly key;
  private readonly channels = new Map<string, ChannelState>();
  private readonly pending = new Map<string, Pending>();
  private readonly syncing = new Set<string>();
  private ws: WebSocket | null = null;
  private info: AuthInfo | null = null;
  private requestSeq = 0;
  private attempt = 0;
  private stopped = true;
  private ready: { resolve: (info: AuthInfo) => void; reject: (error: Error) => void } | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: MmClientOptions) {
    this.key = signingKey(options.signingSecretKey);
  }

  on<K extends keyof MmClientEvents>(event: K, listener: (...args: MmClientEvents[K]) => void): this {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof MmClientEvents>(event: K, listener: (...args: MmClientEvents[K]) => void): this {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  get auth(): AuthInfo | null {
    return this.info;
  }

  /** The last seq seen per channel (what a resume starts from). */
  position(channel: string): { epoch: string | null; seq: number } | undefined {
    const state = this.channels.get(channel);
    return state && { epoch: state.epoch, seq: state.seq };
  }

  connect(): Promise<AuthInfo> {
    this.stopped = false;
    return new Promise((resolve, reject) => {
      this.ready = { resolve, reject };
      this.open();
    });
  }

  submitQuote(q: { rfqId: string; oddsFp: number; validForMs?: number }): Promise<CommandAck> {
    return this.command((requestId) => ({
      case: 'submitQuote',
      value: { requestId, rfqId: q.rfqId, payoutOddsFp: q.oddsFp, validForMs: q.validForMs ?? 0 },
    }));
  }

  replaceQuote(q: { rfqId: string; oddsFp: number; validForMs?: number }): Promise<CommandAck> {
    return this.command((requestId) => ({
      case: 'replaceQuote',
      value: { requestId, rfqId: q.rfqId, payoutOddsFp: q.oddsFp, validForMs: q.validForMs ?? 0 },
    }));
  }

  withdrawQuote(quoteId: string): Promise<CommandAck> {
    return this.command((requestId) => ({ case: 'withdrawQuote', value: { requestId, quoteId } }));
  }

  confirmQuote(quoteId: string): Promise<CommandAck> {
    return this.command((requestId) => ({ case: 'confirmQuote', value: { requestId, quoteId } }));
  }

  rejectQuote(quoteId: string): Promise<CommandAck> {
    return this.command((requestId) => ({ case: 'rejectQuote', value: { requestId, quoteId } }));
  }

  setCancelOnDisconnect(enabled: boolean): Promise<CommandAck> {
    return this.command((requestId) => ({ case: 'setCancelOnDisconnect', value: { requestId, enabled } }));
  }

  /** Closes for good (no reconnect); pending commands fail with MmConnectionError. */
  close(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000, 'client closing');
    });
  }

  private open(): void {
    const ws = new WebSocket(this.options.url, [SUBPROTOCOL.proto]);
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      let frame: ServerFrame;
      try {
        frame = fromBinary(ServerFrameSchema, data);
      } catch {
        return;
      }
      this.handle(frame);
    });
    ws.on('error', () => {
      // 'close' follows every 'error'; reconnecting is decided there.
    });
    ws.on('close', (code: number, reason: Buffer) => this.closed(ws, code, reason.toString()));
  }

  private send(kind: ClientKind): void {
    const ws = this.ws;
    if (ws?.readyState === WebSocket.OPEN)
      ws.send(toBinary(ClientFrameSchema, create(ClientFrameSchema, { kind })));
  }

  private command(build: (requestId: string) => ClientKind): Promise<CommandAck> {
    if (!this.info || this.ws?.readyState !== WebSocket.OPEN) {
      return Promise.reject(new MmConnectionError('not connected'));
    }
    const requestId = `r${++this.requestSeq}`;
    return new Promise<CommandAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new MmConnectionError(`no answer to ${requestId} within the request timeout`));
      }, this.options.requestTimeoutMs ?? 10_000);
      this.pending.set(requestId, { resolve, reject, timer });
      this.send(build(requestId));
    });
  }

  private handle(frame: ServerFrame): void {
    const k = frame.kind;
    switch (k.case) {
      case 'challenge': {
        const timestampMs = (this.options.now ?? Date.now)();
        this.send({
          case: 'auth',
          value: {
            apiKey: this.options.apiKey,
            timestampMs: BigInt(timestampMs),
            nonce: k.value.nonce,
            signature: signAuth(this.key, k.value.nonce, timestampMs),
            cancelOnDisconnect: this.options.cancelOnDisconnect ?? false,
          },
        });
        return;
      }
      case 'authOk': {
        this.info = {
          mmId: k.value.principalId,
          sessionId: k.value.sessionId,
          cancelOnDisconnect: k.value.cancelOnDisconnect,
          heartbeatIntervalMs: k.value.heartbeatIntervalMs,
          idleTimeoutMs: k.value.idleTimeoutMs,
        };
        for (const name of this.options.channels ?? ['rfqs:open', 'mm']) {
          const channel = name === 'mm' ? `mm:quotes:${this.info.mmId}` : name;
          this.syncing.add(channel);
          this.subscribe(channel);
        }
        return;
      }
      case 'subscribed': {
        const state = this.stateOf(k.value.channel);
        state.epoch = k.value.epoch;
        if (k.value.resumed) {
          state.resyncing = false;
          this.emit('resumed', { channel: k.value.channel, replayed: k.value.replayed });
          this.synced(k.value.channel);
        }
        return;
      }
      case 'snapshot': {
        const state = this.stateOf(k.value.channel);
        state.epoch = k.value.epoch;
        state.seq = Number(k.value.seq);
        state.resyncing = false;
        this.emit('snapshot', {
          channel: k.value.channel,
          epoch: k.value.epoch,
          seq: state.seq,
          rfqs: k.value.rfqs.map(rfqOf),
          quotes: k.value.quotes.map(quoteOf),
          pendingConfirms: k.value.pendingConfirms.flatMap((p) =>
            p.quote ? [{ quote: quoteOf(p.quote), confirmDeadline: Number(p.confirmDeadlineMs) }] : [],
          ),
        });
        this.synced(k.value.channel);
        return;
      }
      case 'event': {
        const state = this.channels.get(k.value.channel);
        if (!state || state.resyncing) return;
        const seq = Number(k.value.seq);
        if (seq <= state.seq) return;
        if (seq > state.seq + 1) {
          this.gap(k.value.channel, state, seq);
          return;
        }
        state.seq = seq;
        const event = eventOf(k.value);
        if (event) this.emit('event', event);
        return;
      }
      case 'heartbeat':
        for (const s of k.value.streams) {
          const state = this.channels.get(s.channel);
          if (state && !state.resyncing && state.epoch === s.epoch && Number(s.seq) > state.seq) {
            this.gap(s.channel, state, Number(s.seq));
          }
        }
        return;
      case 'ack': {
        const pending = this.settle(k.value.requestId);
        pending?.resolve({
          requestId: k.value.requestId,
          quote: k.value.quote ? quoteOf(k.value.quote) : null,
          rfqStatus: rfqStatusOf(k.value.rfqStatus),
          cancelOnDisconnect: k.value.cancelOnDisconnect,
        });
        return;
      }
      case 'error': {
        let details: Record<string, unknown> = {};
        try {
          details = JSON.parse(k.value.detailsJson || '{}');
        } catch {
          details = {};
        }
        const error = new MmCommandError(
          k.value.code,
          k.value.message,
          details,
          k.value.requestId || null,
          k.value.retryAfterMs || null,
        );
        const pending = k.value.requestId ? this.settle(k.value.requestId) : undefined;
        if (pending) pending.reject(error);
        else if (!this.info) {
          // Only auth is answered before auth_ok: a refused key will not get better by retrying.
          this.stopped = true;
          this.ready?.reject(error);
          this.ready = null;
          this.emit('refused', error);
        } else this.emit('refused', error);
        return;
      }
      default:
        return;
    }
  }

  private emit<K extends keyof MmClientEvents>(event: K, ...args: MmClientEvents[K]): void {
    this.emitter.emit(event, ...args);
  }

  private stateOf(channel: string): ChannelState {
    let state = this.channels.get(channel);
    if (!state) {
      state = { epoch: null, seq: 0, resyncing: false };
      this.channels.set(channel, state);
    }
    return state;
  }

  private subscribe(channel: string): void {
    const state = this.channels.get(channel);
    const resume = state?.epoch ? { fromSeq: BigInt(state.seq), epoch: state.epoch } : {};
    this.send({ case: 'subscribe', value: { channel, ...resume } });
  }

  private gap(channel: string, state: ChannelState, received: number): void {
    this.emit('gap', { channel, expected: state.seq + 1, received });
    state.resyncing = true;
    this.subscribe(channel);
  }

  private synced(channel: string): void {
    if (!this.syncing.delete(channel) || this.syncing.size > 0 || !this.info) return;
    this.attempt = 0;
    this.emit('connected', this.info);
    this.ready?.resolve(this.info);
    this.ready = null;
  }

  private settle(requestId: string): Pending | undefined {
    const pending = this.pending.get(requestId);
    if (!pending) return undefined;
    clearTimeout(pending.timer);
    this.pending.delete(requestId);
    return pending;
  }

  private closed(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.info = null;
    this.syncing.clear();
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new MmConnectionError(`connection closed (${code}) before the answer to ${id}`));
    }
    this.pending.clear();
    const reconnect = this.options.reconnect ?? { initialDelayMs: 250, maxDelayMs: 10_000 };
    const willReconnect = !this.stopped && reconnect !== false;
    this.emit('disconnected', { code, reason, willReconnect });
    if (!willReconnect) {
      this.ready?.reject(new MmConnectionError(`connection closed (${code} ${reason})`));
      this.ready = null;
      return;
    }
    const delay = Math.min(reconnect.maxDelayMs, reconnect.initialDelayMs * 2 ** this.attempt++);
    this.reconnectTimer = setTimeout(
      () => {
        this.reconnectTimer = null;
        if (!this.stopped) this.open();
      },
      delay * (0.5 + Math.random() / 2),
    );
  }
}
