/**
 * JSON text mode: the seed system's WebSocket messages (auth, auth:success / auth:error, ping/pong,
 * subscribe, `{type, data}` events with the seed's names and payloads), with our additions as extra
 * fields (`channel`, `seq` on events) and extra message types a seed bot ignores (challenge,
 * subscribed, snapshot, heartbeat, commands and their acks). Unknown fields in client messages are
 * ignored, as a seed bot may send its own.
 */
import { err, type Result, RfqError } from '../../machines/errors.ts';
import { microToUsdcNumber, oddsToFp } from '../../machines/money.ts';
import type { SnapshotData, WireEvent } from '../wire/events.ts';
import { iso, quoteJson, ticketJson } from '../wire/seedJson.ts';
import { type Codec, type Decoded, isRequestId, type ServerMessage } from './messages.ts';

type Json = Record<string, unknown>;

const MAX_CHANNEL = 200;
const textDecoder = new TextDecoder('utf-8', { fatal: true });

const bad = (field: string, reason: string, requestId: string | null = null): Decoded => ({
  ok: false,
  error: RfqError.of('INVALID_REQUEST', { field, reason }, `${field}: ${reason}`),
  requestId,
});

const str = (v: unknown, max = 8_192): v is string => typeof v === 'string' && v.length <= max;
const nonNegInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function decodeMessage(m: Json): Decoded {
  const requestId = isRequestId(m.request_id) ? m.request_id : null;
  switch (m.type) {
    case 'auth': {
      if (m.api_key !== undefined && !str(m.api_key, 256)) return bad('api_key', 'must be a string');
      if (m.token !== undefined && !str(m.token)) return bad('token', 'must be a string');
      if (m.timestamp !== undefined && !nonNegInt(m.timestamp)) return bad('timestamp', 'must be Unix ms');
      if (m.nonce !== undefined && !str(m.nonce, 128)) return bad('nonce', 'must be a string');
      if (m.signature !== undefined && !str(m.signature, 256)) return bad('signature', 'must be base64 text');
      return {
        ok: true,
        message: {
          type: 'auth',
          apiKey: (m.api_key as string | undefined) ?? null,
          token: (m.token as string | undefined) ?? null,
          timestampMs: (m.timestamp as number | undefined) ?? null,
          nonce: (m.nonce as string | undefined) ?? null,
          signature: m.signature === undefined ? null : Buffer.from(m.signature as string, 'base64'),
          cancelOnDisconnect: m.cancel_on_disconnect === true,
        },
      };
    }
    case 'ping':
      return {
        ok: true,
        message: { type: 'ping', clientTimeMs: nonNegInt(m.timestamp) ? m.timestamp : null },
      };
    case 'subscribe':
    case 'unsubscribe': {
      if (!str(m.channel, MAX_CHANNEL) || m.channel === '') return bad('channel', 'must be a channel name');
      if (m.type === 'unsubscribe') return { ok: true, message: { type: 'unsubscribe', channel: m.channel } };
      if (m.from_seq !== undefined && m.from_seq !== null && !nonNegInt(m.from_seq))
        return bad('from_seq', 'must be a non-negative integer');
      if (m.epoch !== undefined && m.epoch !== null && !str(m.epoch, 64))
        return bad('epoch', 'must be a string');
      return {
        ok: true,
        message: {
          type: 'subscribe',
          channel: m.channel,
          fromSeq: (m.from_seq as number | null | undefined) ?? null,
          epoch: (m.epoch as string | null | undefined) ?? null,
        },
      };
    }
    case 'quote:submit':
    case 'quote:replace': {
      if (!requestId) return bad('request_id', '1-64 printable characters');
      if (!str(m.rfq_id, 64)) return bad('rfq_id', 'required', requestId);
      const odds = oddsOf(m);
      if (!odds.ok) return { ok: false, error: odds.error, requestId };
      const validForMs = nonNegInt(m.valid_for_ms)
        ? m.valid_for_ms
        : nonNegInt(m.valid_for_seconds)
          ? m.valid_for_seconds * 1000
          : null;
      if (m.valid_for_ms !== undefined && !nonNegInt(m.valid_for_ms))
        return bad('valid_for_ms', 'must be an integer', requestId);
      if (m.valid_for_seconds !== undefined && !nonNegInt(m.valid_for_seconds))
        return bad('valid_for_seconds', 'must be an integer', requestId);
      return {
        ok: true,
        message: {
          type: 'submit',
          requestId,
          rfqId: m.rfq_id.toLowerCase(),
          oddsFp: odds.value,
          validForMs,
          replace: m.type === 'quote:replace',
        },
      };
    }
    case 'quote:withdraw':
    case 'quote:confirm':
    case 'quote:reject': {
      if (!requestId) return bad('request_id', '1-64 printable characters');
      if (!str(m.quote_id, 64)) return bad('quote_id', 'required', requestId);
      const type =
        m.type === 'quote:withdraw' ? 'withdraw' : m.type === 'quote:confirm' ? 'confirm' : 'reject';
      return { ok: true, message: { type, requestId, quoteId: m.quote_id.toLowerCase() } };
    }
    case 'cancel_on_disconnect':
      if (!requestId) return bad('request_id', '1-64 printable characters');
      if (typeof m.enabled !== 'boolean') return bad('enabled', 'must be a boolean', requestId);
      return { ok: true, message: { type: 'cancel_on_disconnect', requestId, enabled: m.enabled } };
    default:
      return bad('type', 'unknown message type', requestId);
  }
}

function oddsOf(m: Json): Result<number> {
  if (m.payout_odds_fp !== undefined) {
    return nonNegInt(m.payout_odds_fp)
      ? { ok: true, value: m.payout_odds_fp }
      : err('INVALID_REQUEST', { field: 'payout_odds_fp', reason: 'must be an integer' });
  }
  if (typeof m.payout_odds !== 'number')
    return err('INVALID_REQUEST', { field: 'payout_odds', reason: 'required number' });
  try {
    return { ok: true, value: oddsToFp(m.payout_odds, 'payout_odds') };
  } catch (error) {
    if (error instanceof RfqError) return { ok: false, error };
    throw error;
  }
}

function errorJson(type: string, error: RfqError, extra: Json = {}): string {
  const hasDetails = Object.keys(error.details).length > 0;
  return JSON.stringify({
    type,
    ...extra,
    code: error.code,
    message: error.message,
    ...(hasDetails && { details: error.details }),
  });
}

function snapshotJson(data: SnapshotData): Json {
  switch (data.kind) {
    case 'open':
      return {
        rfqs: data.rfqs.map(({ rfq, liveQuotes }) => ({
          ...ticketJson(rfq),
          quotes: rfq.quotes.map(quoteJson),
          quote_count: liveQuotes,
        })),
      };
    case 'mm':
      return {
        quotes: data.quotes.map(quoteJson),
        pending_confirms: data.pendingConfirms.map((p) => ({
          quote: quoteJson(p.quote),
          confirmation_deadline: iso(p.confirmDeadline),
        })),
      };
    case 'rfq':
      return { rfq: data.rfq ? { ...ticketJson(data.rfq), quotes: data.rfq.quotes.map(quoteJson) } : null };
    case 'user':
      return {
        rfqs: data.rfqs.map(({ rfq }) => ({ ...ticketJson(rfq), quotes: rfq.quotes.map(quoteJson) })),
      };
  }
}

/** The seed's `data` for each event (its documented fields first, ours after). */
export function eventData(e: WireEvent): Json {
  const timestamp = iso(e.at);
  switch (e.kind) {
    case 'rfq:created':
      return { ...ticketJson(e.rfq), quote_count: e.liveQuotes };
    case 'rfq:status':
      return {
        rfq_id: e.rfqId,
        status: e.status,
        updated_at: timestamp,
        accepted_quote_id: e.acceptedQuoteId,
      };
    case 'rfq:expired':
      return { rfq_id: e.rfqId, timestamp };
    case 'rfq:cancelled':
      return { rfq_id: e.rfqId, reason: e.reason, timestamp };
    case 'rfq:quote_count':
      return { rfq_id: e.rfqId, quote_count: e.liveQuotes, timestamp };
    case 'rfq:quotes':
      return { rfq_id: e.rfqId, quotes: e.quotes.map(quoteJson), timestamp };
    case 'quote:submitted':
      return { ...quoteJson(e.quote), replaced_quote_id: e.replacedQuoteId };
    case 'quote:withdrawn':
    case 'quote:expired':
    case 'quote:rejected':
      return { quote_id: e.quoteId, rfq_id: e.rfqId, reason: e.reason, market_maker_id: e.mmId, timestamp };
    case 'quote:accepted':
      return {
        quote_id: e.quote.id,
        rfq_id: e.rfqId,
        confirmation_deadline: iso(e.confirmDeadline),
        market_maker_id: e.quote.mmId,
        quote: quoteJson(e.quote),
      };
    case 'quote:confirmed':
      return {
        quote_id: e.quoteId,
        rfq_id: e.rfqId,
        execution_id: e.rfqId,
        market_maker_id: e.mmId,
        collateral: microToUsdcNumber(e.collateralMicro),
        collateral_micro: e.collateralMicro,
      };
    case 'quote:executed':
    case 'position:created':
      return {
        rfq_id: e.rfqId,
        position_pda: e.positionAddress,
        timestamp,
        quote_id: e.quoteId,
        market_maker_id: e.mmId,
        tx_signature: e.signature,
        explorer_url: e.txUrl,
        position_explorer_url: e.positionUrl,
        collateral_micro: e.collateralMicro,
      };
    case 'position:settled':
      return {
        rfq_id: e.rfqId,
        position_pda: e.positionAddress,
        outcome: e.outcome,
        tx_signature: e.signature,
        timestamp,
        quote_id: e.quoteId,
        market_maker_id: e.mmId,
        payout: microToUsdcNumber(e.payoutMicro),
        payout_micro: e.payoutMicro,
        fee: microToUsdcNumber(e.feeMicro),
        fee_micro: e.feeMicro,
        explorer_url: e.txUrl,
      };
    case 'position:cancelled':
      return {
        rfq_id: e.rfqId,
        position_pda: e.positionAddress,
        reason: e.reason,
        tx_signature: e.signature,
        timestamp,
        quote_id: e.quoteId,
        market_maker_id: e.mmId,
        explorer_url: e.txUrl,
      };
    case 'position:error':
      return { rfq_id: e.rfqId, error: e.error, timestamp };
  }
}

export const jsonCodec: Codec = {
  encoding: 'json',
  binary: false,

  decode(data, isBinary) {
    if (isBinary) return bad('(frame)', 'JSON mode takes text frames');
    let value: unknown;
    try {
      value = JSON.parse(textDecoder.decode(data));
    } catch {
      return bad('(frame)', 'malformed JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return bad('(frame)', 'must be a JSON object');
    return decodeMessage(value as Json);
  },

  encode(message: ServerMessage) {
    switch (message.type) {
      case 'challenge':
        return JSON.stringify({
          type: 'challenge',
          nonce: message.nonce,
          timestamp: message.serverTimeMs,
          auth_window_ms: message.authWindowMs,
        });
      case 'auth_ok':
        return JSON.stringify({
          type: 'auth:success',
          user_id: message.principal.id,
          user_type: message.principal.kind === 'mm' ? 'market_maker' : 'user',
          session_id: message.sessionId,
          cancel_on_disconnect: message.cancelOnDisconnect,
          heartbeat_interval_ms: message.heartbeatIntervalMs,
          idle_timeout_ms: message.idleTimeoutMs,
        });
      case 'auth_error':
        return errorJson('auth:error', message.error);
      case 'subscribed':
        return JSON.stringify({
          type: 'subscribed',
          channel: message.channel,
          epoch: message.epoch,
          seq: message.seq,
          resumed: message.resumed,
          replayed: message.replayed,
        });
      case 'unsubscribed':
        return JSON.stringify({ type: 'unsubscribed', channel: message.channel });
      case 'snapshot':
        return JSON.stringify({
          type: 'snapshot',
          channel: message.channel,
          epoch: message.epoch,
          seq: message.seq,
          data: snapshotJson(message.data),
        });
      case 'ack':
        return JSON.stringify({
          type: 'ack',
          request_id: message.requestId,
          quote: message.quote ? quoteJson(message.quote) : null,
          rfq_status: message.rfqStatus,
          cancel_on_disconnect: message.cancelOnDisconnect,
        });
      case 'error':
        return errorJson('error', message.error, {
          ...(message.requestId !== null && { request_id: message.requestId }),
          ...(message.channel !== null && { channel: message.channel }),
          ...(message.retryAfterMs !== null && { retry_after_ms: message.retryAfterMs }),
        });
      case 'pong':
        return JSON.stringify({
          type: 'pong',
          timestamp: message.serverTimeMs,
          ...(message.clientTimeMs !== null && { client_timestamp: message.clientTimeMs }),
        });
      case 'heartbeat':
        return JSON.stringify({
          type: 'heartbeat',
          timestamp: message.serverTimeMs,
          streams: message.streams,
        });
    }
  },

  encodeEvent(event: WireEvent) {
    return JSON.stringify({
      type: event.kind,
      channel: event.channel,
      seq: event.seq,
      data: eventData(event),
    });
  },
};
