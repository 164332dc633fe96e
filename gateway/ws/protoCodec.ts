/**
 * Binary mode: parlay.v1 protobuf (gateway/proto/parlay/v1/protocol.proto), one ClientFrame or
 * ServerFrame per binary WebSocket message. Integers only on the wire: micro-USDC, odds at 1e-4,
 * Unix ms. The enum and message mappings here are the single place domain values meet the schema.
 */
import { create, fromBinary, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import type { QuoteStatus, QuoteView, RfqStatus, RfqView } from '../../machines/domain.ts';
import { RfqError } from '../../machines/errors.ts';
import {
  ClientFrameSchema,
  type EventSchema,
  Outcome,
  QuoteStatus as PbQuoteStatus,
  RfqStatus as PbRfqStatus,
  PrincipalKind,
  type QuoteSchema,
  type RfqSchema,
  ServerFrameSchema,
  Side,
} from '../proto/gen/parlay/v1/protocol_pb.ts';
import type { WireEvent } from '../wire/events.ts';
import { writeBoardEvent } from './boardEventWriter.ts';
import { type Codec, type Decoded, isRequestId, type ServerMessage } from './messages.ts';

export const RFQ_STATUS_TO_PB: Record<RfqStatus, PbRfqStatus> = {
  open: PbRfqStatus.OPEN,
  quoted: PbRfqStatus.QUOTED,
  accepted: PbRfqStatus.ACCEPTED,
  confirmed: PbRfqStatus.CONFIRMED,
  executed: PbRfqStatus.EXECUTED,
  settled: PbRfqStatus.SETTLED,
  cancelled: PbRfqStatus.CANCELLED,
  expired: PbRfqStatus.EXPIRED,
};

export const QUOTE_STATUS_TO_PB: Record<QuoteStatus, PbQuoteStatus> = {
  pending: PbQuoteStatus.PENDING,
  accepted: PbQuoteStatus.ACCEPTED,
  confirmed: PbQuoteStatus.CONFIRMED,
  executed: PbQuoteStatus.EXECUTED,
  rejected: PbQuoteStatus.REJECTED,
  expired: PbQuoteStatus.EXPIRED,
  withdrawn: PbQuoteStatus.WITHDRAWN,
};

const u64 = (n: number): bigint => BigInt(n);

export function pbRfq(view: RfqView, liveQuotes: number): MessageInitShape<typeof RfqSchema> {
  return {
    id: view.id,
    userId: view.userId,
    status: RFQ_STATUS_TO_PB[view.status],
    legs: view.legs.map((l) => ({
      ticker: l.ticker,
      eventTicker: l.eventTicker,
      side: l.side === 'yes' ? Side.YES : Side.NO,
    })),
    betMicro: u64(view.betMicro),
    createdAtMs: u64(view.createdAt),
    expiresAtMs: u64(view.expiresAt),
    liveQuotes,
  };
}

export function pbQuote(q: QuoteView): MessageInitShape<typeof QuoteSchema> {
  return {
    id: q.id,
    rfqId: q.rfqId,
    mmId: q.mmId,
    payoutOddsFp: q.oddsFp,
    totalCostMicro: u64(q.totalCostMicro),
    totalPayoutMicro: u64(q.totalPayoutMicro),
    mmRiskMicro: u64(q.mmRiskMicro),
    validUntilMs: u64(q.validUntil),
    status: QUOTE_STATUS_TO_PB[q.status],
    createdAtMs: u64(q.createdAt),
    updatedAtMs: u64(q.updatedAt),
    reason: q.reason ?? '',
  };
}

type EventBody = MessageInitShape<typeof EventSchema>['body'];

function eventBody(e: WireEvent): EventBody {
  switch (e.kind) {
    case 'rfq:created':
      return { case: 'rfqCreated', value: pbRfq(e.rfq, e.liveQuotes) };
    case 'rfq:status':
      return {
        case: 'rfqStatus',
        value: { status: RFQ_STATUS_TO_PB[e.status], acceptedQuoteId: e.acceptedQuoteId ?? '' },
      };
    case 'rfq:expired':
      return { case: 'rfqExpired', value: {} };
    case 'rfq:cancelled':
      return { case: 'rfqCancelled', value: { reason: e.reason } };
    case 'rfq:quote_count':
      return { case: 'rfqQuoteCount', value: { liveQuotes: e.liveQuotes } };
    case 'rfq:quotes':
      return { case: 'quoteBook', value: { quotes: e.quotes.map(pbQuote) } };
    case 'quote:submitted':
      return {
        case: 'quoteSubmitted',
        value: { quote: pbQuote(e.quote), replacedQuoteId: e.replacedQuoteId ?? '' },
      };
    case 'quote:withdrawn':
      return { case: 'quoteWithdrawn', value: { quoteId: e.quoteId, mmId: e.mmId, reason: e.reason } };
    case 'quote:expired':
      return { case: 'quoteExpired', value: { quoteId: e.quoteId, mmId: e.mmId, reason: e.reason } };
    case 'quote:rejected':
      return { case: 'quoteRejected', value: { quoteId: e.quoteId, mmId: e.mmId, reason: e.reason } };
    case 'quote:accepted':
      return {
        case: 'quoteAccepted',
        value: { quote: pbQuote(e.quote), confirmDeadlineMs: u64(e.confirmDeadline) },
      };
    case 'quote:confirmed':
      return {
        case: 'quoteConfirmed',
        value: {
          quoteId: e.quoteId,
          mmId: e.mmId,
          collateralMicro: u64(e.collateralMicro),
          executionId: e.rfqId,
        },
      };
    case 'quote:executed':
    case 'position:created':
      return {
        case: 'positionExecuted',
        value: {
          quoteId: e.quoteId,
          mmId: e.mmId,
          positionAddress: e.positionAddress,
          signature: e.signature,
          collateralMicro: u64(e.collateralMicro),
          txExplorerUrl: e.txUrl ?? '',
          positionExplorerUrl: e.positionUrl ?? '',
        },
      };
    case 'position:settled':
      return {
        case: 'positionSettled',
        value: {
          quoteId: e.quoteId,
          mmId: e.mmId,
          positionAddress: e.positionAddress,
          outcome: e.outcome === 'win' ? Outcome.WIN : Outcome.LOSS,
          payoutMicro: u64(e.payoutMicro),
          feeMicro: u64(e.feeMicro),
          signature: e.signature,
          txExplorerUrl: e.txUrl ?? '',
        },
      };
    case 'position:cancelled':
      return {
        case: 'positionCancelled',
        value: {
          quoteId: e.quoteId,
          mmId: e.mmId,
          positionAddress: e.positionAddress ?? '',
          reason: e.reason,
          signature: e.signature ?? '',
          txExplorerUrl: e.txUrl ?? '',
        },
      };
    case 'position:error':
      return { case: 'positionError', value: { error: e.error } };
  }
}

const bad = (field: string, reason: string, requestId: string | null = null): Decoded => ({
  ok: false,
  error: RfqError.of('INVALID_REQUEST', { field, reason }, `${field}: ${reason}`),
  requestId,
});

const safe = (n: bigint): number | null => (n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : null);

function frame(kind: MessageInitShape<typeof ServerFrameSchema>['kind']): Uint8Array {
  return toBinary(ServerFrameSchema, create(ServerFrameSchema, { kind }));
}

function errorFrame(requestId: string | null, error: RfqError, retryAfterMs: number | null): Uint8Array {
  return frame({
    case: 'error',
    value: {
      requestId: requestId ?? '',
      code: error.code,
      message: error.message,
      detailsJson: JSON.stringify(error.details),
      retryAfterMs: retryAfterMs ?? 0,
    },
  });
}

export const protoCodec: Codec = {
  encoding: 'proto',
  binary: true,

  decode(data, isBinary) {
    if (!isBinary) return bad('(frame)', 'binary mode takes binary frames');
    let decoded: ReturnType<typeof fromBinary<typeof ClientFrameSchema>>;
    try {
      // A copy: `bytes` fields decode as views onto the input, and uWS reuses a message's buffer once
      // its callback returns — an auth checked after an async key lookup would read other bytes.
      decoded = fromBinary(ClientFrameSchema, new Uint8Array(data.slice(0)));
    } catch {
      return bad('(frame)', 'not a parlay.v1.ClientFrame');
    }
    const k = decoded.kind;
    switch (k.case) {
      case 'auth':
        return {
          ok: true,
          message: {
            type: 'auth',
            apiKey: k.value.apiKey || null,
            token: null,
            timestampMs: safe(k.value.timestampMs),
            nonce: k.value.nonce || null,
            signature: k.value.signature.length > 0 ? k.value.signature : null,
            cancelOnDisconnect: k.value.cancelOnDisconnect,
          },
        };
      case 'subscribe': {
        const fromSeq = k.value.fromSeq === undefined ? null : safe(k.value.fromSeq);
        if (k.value.fromSeq !== undefined && fromSeq === null) return bad('from_seq', 'too large');
        if (!k.value.channel || k.value.channel.length > 200) return bad('channel', 'must be a channel name');
        return {
          ok: true,
          message: { type: 'subscribe', channel: k.value.channel, fromSeq, epoch: k.value.epoch || null },
        };
      }
      case 'unsubscribe':
        return { ok: true, message: { type: 'unsubscribe', channel: k.value.channel } };
      case 'ping':
        return { ok: true, message: { type: 'ping', clientTimeMs: safe(k.value.clientTimeMs) } };
      case 'submitQuote':
      case 'replaceQuote': {
        const v = k.value;
        if (!isRequestId(v.requestId)) return bad('request_id', '1-64 printable characters');
        if (!v.rfqId || v.rfqId.length > 64) return bad('rfq_id', 'required', v.requestId);
        return {
          ok: true,
          message: {
            type: 'submit',
            requestId: v.requestId,
            rfqId: v.rfqId.toLowerCase(),
            oddsFp: v.payoutOddsFp,
            validForMs: v.validForMs === 0 ? null : v.validForMs,
            replace: k.case === 'replaceQuote',
          },
        };
      }
      case 'withdrawQuote':
      case 'confirmQuote':
      case 'rejectQuote': {
        const v = k.value;
        if (!isRequestId(v.requestId)) return bad('request_id', '1-64 printable characters');
        if (!v.quoteId || v.quoteId.length > 64) return bad('quote_id', 'required', v.requestId);
        const type =
          k.case === 'withdrawQuote' ? 'withdraw' : k.case === 'confirmQuote' ? 'confirm' : 'reject';
        return { ok: true, message: { type, requestId: v.requestId, quoteId: v.quoteId.toLowerCase() } };
      }
      case 'setCancelOnDisconnect':
        if (!isRequestId(k.value.requestId)) return bad('request_id', '1-64 printable characters');
        return {
          ok: true,
          message: { type: 'cancel_on_disconnect', requestId: k.value.requestId, enabled: k.value.enabled },
        };
      default:
        return bad('kind', 'empty or unknown ClientFrame');
    }
  },

  encode(message: ServerMessage) {
    switch (message.type) {
      case 'challenge':
        return frame({
          case: 'challenge',
          value: {
            nonce: message.nonce,
            serverTimeMs: u64(message.serverTimeMs),
            authWindowMs: message.authWindowMs,
          },
        });
      case 'auth_ok':
        return frame({
          case: 'authOk',
          value: {
            kind: message.principal.kind === 'mm' ? PrincipalKind.MARKET_MAKER : PrincipalKind.USER,
            principalId: message.principal.id,
            sessionId: message.sessionId,
            cancelOnDisconnect: message.cancelOnDisconnect,
            heartbeatIntervalMs: message.heartbeatIntervalMs,
            idleTimeoutMs: message.idleTimeoutMs,
          },
        });
      case 'auth_error':
        return errorFrame(null, message.error, null);
      case 'subscribed':
        return frame({
          case: 'subscribed',
          value: {
            channel: message.channel,
            epoch: message.epoch,
            seq: u64(message.seq),
            resumed: message.resumed,
            replayed: message.replayed,
          },
        });
      case 'unsubscribed':
        return frame({ case: 'unsubscribed', value: { channel: message.channel } });
      case 'snapshot': {
        const d = message.data;
        const rfqs = d.rfq ? [{ rfq: d.rfq, liveQuotes: 0 }, ...d.rfqs] : d.rfqs;
        return frame({
          case: 'snapshot',
          value: {
            channel: message.channel,
            epoch: message.epoch,
            seq: u64(message.seq),
            rfqs: rfqs.map(({ rfq, liveQuotes }) => pbRfq(rfq, liveQuotes)),
            quotes: [...d.quotes, ...rfqs.flatMap(({ rfq }) => rfq.quotes)].map(pbQuote),
            pendingConfirms: d.pendingConfirms.map((p) => ({
              quote: pbQuote(p.quote),
              confirmDeadlineMs: u64(p.confirmDeadline),
            })),
          },
        });
      }
      case 'ack':
        return frame({
          case: 'ack',
          value: {
            requestId: message.requestId,
            ...(message.quote && { quote: pbQuote(message.quote) }),
            rfqStatus: message.rfqStatus ? RFQ_STATUS_TO_PB[message.rfqStatus] : PbRfqStatus.UNSPECIFIED,
            cancelOnDisconnect: message.cancelOnDisconnect,
          },
        });
      case 'error':
        return errorFrame(message.requestId, message.error, message.retryAfterMs);
      case 'pong':
        return frame({
          case: 'pong',
          value: { clientTimeMs: u64(message.clientTimeMs ?? 0), serverTimeMs: u64(message.serverTimeMs) },
        });
      case 'heartbeat':
        return frame({
          case: 'heartbeat',
          value: {
            serverTimeMs: u64(message.serverTimeMs),
            streams: message.streams.map((s) => ({ channel: s.channel, epoch: s.epoch, seq: u64(s.seq) })),
          },
        });
    }
  },

  encodeEvent(e: WireEvent) {
    // Board events (one per RFQ change, to every market maker) are written directly: same bytes.
    const board = writeBoardEvent(e, RFQ_STATUS_TO_PB);
    if (board) return board;
    return frame({
      case: 'event',
      value: { channel: e.channel, seq: u64(e.seq), atMs: u64(e.at), rfqId: e.rfqId, body: eventBody(e) },
    });
  },
};
