/**
 * The WebSocket messages, independent of encoding. Each connection has one codec (JSON text or
 * protobuf binary, chosen by subprotocol at upgrade) that turns frames into ClientMessages and
 * ServerMessages and events into frames.
 */
import type { Principal } from '../../engine/ports/identity.ts';
import type { QuoteView, RfqStatus } from '../../machines/domain.ts';
import type { RfqError } from '../../machines/errors.ts';
import type { SnapshotData, WireEvent } from '../wire/events.ts';

export type Encoding = 'json' | 'proto';

/** Subprotocols: binary must be asked for; no subprotocol is the seed's JSON. */
export const SUBPROTOCOL = { proto: 'parlay-rfq.v1.proto', json: 'parlay-rfq.v1.json' } as const;

export type QuoteCommandType = 'withdraw' | 'confirm' | 'reject';

export type ClientMessage =
  | {
      type: 'auth';
      apiKey: string | null;
      token: string | null;
      timestampMs: number | null;
      nonce: string | null;
      signature: Uint8Array | null;
      cancelOnDisconnect: boolean;
    }
  | { type: 'subscribe'; channel: string; fromSeq: number | null; epoch: string | null }
  | { type: 'unsubscribe'; channel: string }
  | { type: 'ping'; clientTimeMs: number | null }
  | {
      type: 'submit';
      requestId: string;
      rfqId: string;
      oddsFp: number;
      validForMs: number | null;
      replace: boolean;
    }
  | { type: QuoteCommandType; requestId: string; quoteId: string }
  | { type: 'cancel_on_disconnect'; requestId: string; enabled: boolean };

export type Decoded =
  | { ok: true; message: ClientMessage }
  | { ok: false; error: RfqError; requestId: string | null };

export interface StreamPosition {
  channel: string;
  epoch: string;
  seq: number;
}

export type ServerMessage =
  | { type: 'challenge'; nonce: string; serverTimeMs: number; authWindowMs: number }
  | {
      type: 'auth_ok';
      principal: Principal;
      sessionId: string;
      cancelOnDisconnect: boolean;
      heartbeatIntervalMs: number;
      idleTimeoutMs: number;
    }
  | { type: 'auth_error'; error: RfqError }
  | { type: 'subscribed'; channel: string; epoch: string; seq: number; resumed: boolean; replayed: number }
  | { type: 'unsubscribed'; channel: string }
  | { type: 'snapshot'; channel: string; epoch: string; seq: number; data: SnapshotData }
  | {
      type: 'ack';
      requestId: string;
      quote: QuoteView | null;
      rfqStatus: RfqStatus | null;
      cancelOnDisconnect: boolean;
    }
  | {
      type: 'error';
      requestId: string | null;
      error: RfqError;
      channel: string | null;
      retryAfterMs: number | null;
    }
  | { type: 'pong'; clientTimeMs: number | null; serverTimeMs: number }
  | { type: 'heartbeat'; serverTimeMs: number; streams: StreamPosition[] };

export type Frame = string | Uint8Array;

export interface Codec {
  readonly encoding: Encoding;
  /** Whether frames go out as binary WebSocket messages. */
  readonly binary: boolean;
  decode(data: ArrayBuffer, isBinary: boolean): Decoded;
  encode(message: ServerMessage): Frame;
  encodeEvent(event: WireEvent): Frame;
}

const REQUEST_ID = /^[\x21-\x7e]{1,64}$/;
export const isRequestId = (value: unknown): value is string =>
  typeof value === 'string' && REQUEST_ID.test(value);
