/**
 * One WebSocket connection's state, from upgrade to close: its codec, the auth challenge, who it is,
 * what it subscribes to, whether it wants cancel-on-disconnect. Every write goes through `send`, which
 * corks (writes may come from timers and resolved promises) and cuts the connection off the moment
 * uWS reports a frame dropped for backpressure.
 */
import { randomBytes } from 'node:crypto';
import type { ApiKeyRecord, Principal } from '../../engine/ports/identity.ts';
import { CLOSE, type CloseKind } from '../closeCodes.ts';
import type { WebSocket } from '../uws.ts';
import type { Codec, Frame, ServerMessage } from './messages.ts';
import type { Stream } from './streams.ts';

export interface SocketData {
  session: Session;
}

/** uWS send() result for a frame dropped because the socket is over maxBackpressure. */
const DROPPED = 2;

export class Session {
  readonly id = randomBytes(12).toString('base64url');
  ws: WebSocket<SocketData> | null = null;
  principal: Principal | null = null;
  record: ApiKeyRecord | null = null;
  /** The auth challenge's nonce until it is used (then null: single use). */
  nonce: string | null = randomBytes(18).toString('base64url');
  authPending = false;
  cancelOnDisconnect = false;
  closed = false;
  closeReason: CloseKind | null = null;
  lastSeen: number;
  /** Undecodable or misplaced frames in a row; too many closes the connection (4000). */
  badFrames = 0;
  readonly subscriptions = new Map<string, Stream>();
  /** Channels being replayed from the ring, paced by drain, not yet live (see Protocol.pump). */
  readonly catchingUp = new Map<string, { stream: Stream; sentSeq: number }>();

  constructor(
    readonly codec: Codec,
    readonly openedAt: number,
  ) {
    this.lastSeen = openedAt;
  }

  send(message: ServerMessage): void {
    this.sendFrame(this.codec.encode(message));
  }

  get buffered(): number {
    return this.ws && !this.closed ? this.ws.getBufferedAmount() : 0;
  }

  sendFrame(frame: Frame): void {
    const ws = this.ws;
    if (this.closed || !ws) return;
    let status = 0;
    ws.cork(() => {
      status = ws.send(frame, this.codec.binary);
    });
    if (status === DROPPED) this.end('BACKPRESSURE');
  }

  /** Closes with one of the documented codes; the close handler does the bookkeeping. */
  end(kind: CloseKind): void {
    const ws = this.ws;
    if (this.closed || !ws) return;
    this.closeReason = kind;
    const { code, reason } = CLOSE[kind];
    ws.cork(() => ws.end(code, reason));
  }
}
