/**
 * The protocol, message by message, the same for both encodings: auth (API key, plus the Ed25519
 * signature over the challenge in binary mode), subscribe with resume or snapshot, unsubscribe, ping,
 * and the market maker's commands, each answered by an ack or an error carrying its request id.
 */
import type { Engine, QuoteAck } from '../../engine/engine.ts';
import type { Logger } from '../../engine/logger.ts';
import type { Principal } from '../../engine/ports/identity.ts';
import { type Result, RfqError } from '../../machines/errors.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import { verifyAuth } from '../auth/signing.ts';
import type { GatewayConfig } from '../config.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { RateLimiter } from '../rateLimit.ts';
import { authorize, parseChannel } from './channels.ts';
import type { Fanout } from './fanout.ts';
import type { ClientMessage } from './messages.ts';
import type { Session } from './session.ts';
import { snapshotOf } from './snapshots.ts';
import { frameOf, type Stream, type StreamRegistry } from './streams.ts';

const MAX_BAD_FRAMES = 10;
/** Channels per connection: a stream per subscription is memory, so a connection cannot ask for unbounded many. */
const MAX_SUBSCRIPTIONS = 256;
/** A snapshot read while its ring overflowed is retried; past this the subscriber is refused. */
const SNAPSHOT_ATTEMPTS = 3;

export interface ProtocolDeps {
  engine: Engine;
  auth: Authenticator;
  limiter: RateLimiter;
  streams: StreamRegistry;
  fanout: Fanout;
  config: GatewayConfig;
  metrics: GatewayMetrics;
  logger: Logger;
  now: () => number;
  /** Called once a session is authenticated (connection counts for cancel-on-disconnect). */
  authenticated(session: Session): void;
}

export class Protocol {
  constructor(private readonly deps: ProtocolDeps) {}

  opened(s: Session): void {
    if (!s.nonce) return;
    s.send({
      type: 'challenge',
      nonce: s.nonce,
      serverTimeMs: this.deps.now(),
      authWindowMs: this.deps.config.authWindowMs,
    });
  }

  message(s: Session, data: ArrayBuffer, isBinary: boolean): void {
    s.lastSeen = this.deps.now();
    const decoded = s.codec.decode(data, isBinary);
    if (!decoded.ok) {
      s.send({
        type: 'error',
        requestId: decoded.requestId,
        error: decoded.error,
        channel: null,
        retryAfterMs: null,
      });
      if (++s.badFrames >= MAX_BAD_FRAMES) s.end('PROTOCOL_ERROR');
      return;
    }
    s.badFrames = 0;
    const m = decoded.message;
    if (m.type === 'ping') {
      s.send({ type: 'pong', clientTimeMs: m.clientTimeMs, serverTimeMs: this.deps.now() });
      return;
    }
    if (m.type === 'auth') {
      void this.auth(s, m).catch((error) => this.failed(s, error));
      return;
    }
    if (!s.principal) {
      const requestId = 'requestId' in m ? m.requestId : null;
      s.send({
        type: 'error',
        requestId,
        error: RfqError.of('UNAUTHORIZED', { reason: 'authenticate first' }),
        channel: null,
        retryAfterMs: null,
      });
      return;
    }
    const principal = s.principal;
    switch (m.type) {
      case 'subscribe':
        void this.subscribe(s, principal, m).catch((error) => this.failed(s, error));
        return;
      case 'unsubscribe':
        this.unsubscribe(s, m.channel);
        return;
      default:
        void this.command(s, principal, m).catch((error) => this.failed(s, error));
    }
  }

  /** A bug, not the client's fault: logged, answered INTERNAL_ERROR, the connection kept. */
  private failed(s: Session, error: unknown): void {
    this.deps.logger.error({ err: error, session: s.id }, 'websocket handler failed');
    s.send({
      type: 'error',
      requestId: null,
      error: RfqError.of('INTERNAL_ERROR'),
      channel: null,
      retryAfterMs: null,
    });
  }

  private async auth(s: Session, m: Extract<ClientMessage, { type: 'auth' }>): Promise<void> {
    if (s.principal || s.authPending) {
      s.send({
        type: 'error',
        requestId: null,
        error: RfqError.of('INVALID_REQUEST', { reason: 'already authenticated' }),
        channel: null,
        retryAfterMs: null,
      });
      return;
    }
    s.authPending = true;
    const refuse = (reason: string) => {
      this.deps.metrics.wsDisconnects.inc({ reason: 'auth_failed' });
      s.send({
        type: 'auth_error',
        error: RfqError.of('UNAUTHORIZED', { reason }, `Authentication failed: ${reason}`),
      });
      s.end('AUTH_FAILED');
    };
    let principal: Principal | null = null;
    let record = null;
    try {
      if (m.apiKey) {
        record = await this.deps.auth.apiKey(m.apiKey);
        principal = record?.principal ?? null;
      } else if (m.token && !s.codec.binary) {
        principal = await this.deps.auth.bearer(m.token);
      }
    } catch {
      if (!s.closed) refuse('identity store unavailable, retry');
      return;
    }
    if (s.closed) return;
    if (!principal) return refuse('invalid credentials');
    const signatureRequired =
      s.codec.binary ||
      m.signature !== null ||
      (principal.kind === 'mm' && this.deps.config.requireSignatureInJsonMode);
    if (signatureRequired) {
      const problem = this.checkSignature(s, record?.signingPublicKey ?? null, m);
      if (problem) return refuse(problem);
    }
    s.principal = principal;
    s.record = record;
    s.cancelOnDisconnect = m.cancelOnDisconnect && principal.kind === 'mm';
    s.authPending = false;
    this.deps.authenticated(s);
    this.deps.logger.debug(
      { session: s.id, kind: principal.kind, principalId: principal.id, encoding: s.codec.encoding },
      'ws authenticated',
    );
    s.send({
      type: 'auth_ok',
      principal,
      sessionId: s.id,
      cancelOnDisconnect: s.cancelOnDisconnect,
      heartbeatIntervalMs: this.deps.config.heartbeatIntervalMs,
      idleTimeoutMs: this.deps.config.idleTimeoutMs,
    });
  }

  /** Why the signature is refused, or null. The nonce is spent before verifying: one try per challenge. */
  private checkSignature(
    s: Session,
    publicKey: string | null,
    m: Extract<ClientMessage, { type: 'auth' }>,
  ): string | null {
    const nonce = s.nonce;
    s.nonce = null;
    if (!publicKey) return 'no signing key registered for this api key';
    if (!m.signature || m.timestampMs === null || !m.nonce)
      return 'signature, timestamp and nonce are required';
    if (!nonce || m.nonce !== nonce) return 'nonce is not this connection’s challenge (or was already used)';
    if (Math.abs(this.deps.now() - m.timestampMs) > this.deps.config.authWindowMs)
      return 'timestamp outside the auth window';
    return verifyAuth(publicKey, m.nonce, m.timestampMs, m.signature) ? null : 'bad signature';
  }

  private async subscribe(
    s: Session,
    principal: Principal,
    m: Extract<ClientMessage, { type: 'subscribe' }>,
  ): Promise<void> {
    const refuse = (error: RfqError) =>
      s.send({ type: 'error', requestId: null, error, channel: m.channel, retryAfterMs: null });
    const channel = parseChannel(m.channel);
    if (!channel)
      return refuse(RfqError.of('INVALID_REQUEST', { field: 'channel', reason: 'unknown channel' }));
    const allowed = await authorize(this.deps.engine, principal, channel);
    if (s.closed) return;
    if (!allowed.ok) return refuse(allowed.error);
    this.detach(s, channel.name);
    if (s.subscriptions.size + s.catchingUp.size >= MAX_SUBSCRIPTIONS) {
      return refuse(
        RfqError.of('INVALID_REQUEST', {
          field: 'channel',
          reason: `at most ${MAX_SUBSCRIPTIONS} channels per connection`,
        }),
      );
    }
    const stream = this.deps.streams.ensure(channel.name, this.deps.now());
    if (m.fromSeq !== null && m.epoch === stream.epoch && stream.since(m.fromSeq)) {
      const replayed = stream.seq - m.fromSeq;
      s.send({
        type: 'subscribed',
        channel: channel.name,
        epoch: stream.epoch,
        seq: stream.seq,
        resumed: true,
        replayed,
      });
      this.catchUp(s, channel.name, stream, m.fromSeq);
      return;
    }
    // Snapshot at seq0, then every event after seq0 from the ring, then live: events that land while
    // the snapshot is read are in the ring, so none falls between the snapshot and the live stream.
    for (let attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
      const seq0 = stream.seq;
      const data = await snapshotOf(this.deps.engine, principal, channel, (id) =>
        this.deps.fanout.liveQuotes(id),
      );
      if (s.closed) return;
      if (!stream.since(seq0)) continue;
      this.detach(s, channel.name);
      s.send({
        type: 'subscribed',
        channel: channel.name,
        epoch: stream.epoch,
        seq: seq0,
        resumed: false,
        replayed: 0,
      });
      s.send({ type: 'snapshot', channel: channel.name, epoch: stream.epoch, seq: seq0, data });
      this.catchUp(s, channel.name, stream, seq0);
      return;
    }
    refuse(RfqError.of('SERVICE_UNAVAILABLE', { reason: 'channel too busy to snapshot; retry' }));
  }

  private catchUp(s: Session, channel: string, stream: Stream, fromSeq: number): void {
    s.catchingUp.set(channel, { stream, sentSeq: fromSeq });
    this.pump(s, channel);
  }

  /**
   * Sends ring entries after what was sent, while the socket's buffer stays under half the
   * backpressure limit; resumes on drain. Once nothing is left the channel goes live (topic
   * subscribed) in the same synchronous step, so replay and live stream meet without gap or overlap.
   * If the ring moved past what was sent (a replay slower than the channel), it starts over from a
   * snapshot.
   */
  pump(s: Session, channel: string): void {
    const job = s.catchingUp.get(channel);
    if (!job || s.closed) return;
    const ws = s.ws;
    if (!ws) return;
    // One cork for the whole batch: the replayed frames leave in as few writes as the buffer allows.
    ws.cork(() => this.pumpCorked(s, channel, job));
  }

  private pumpCorked(s: Session, channel: string, job: { stream: Stream; sentSeq: number }): void {
    const highWater = this.deps.config.backpressureLimitBytes / 2;
    while (!s.closed && s.buffered < highWater) {
      const entries = job.stream.since(job.sentSeq);
      if (!entries) {
        s.catchingUp.delete(channel);
        const principal = s.principal;
        if (principal) {
          void this.subscribe(s, principal, { type: 'subscribe', channel, fromSeq: null, epoch: null }).catch(
            (error) => this.failed(s, error),
          );
        }
        return;
      }
      if (entries.length === 0) {
        s.catchingUp.delete(channel);
        this.attach(s, channel);
        return;
      }
      for (const entry of entries) {
        s.sendFrame(frameOf(entry, s.codec));
        job.sentSeq = entry.event.seq;
        if (s.closed || s.buffered >= highWater) break;
      }
    }
  }

  private attach(s: Session, channel: string): void {
    const stream = this.deps.streams.ensure(channel, this.deps.now());
    if (s.closed || !s.ws) return;
    s.ws.subscribe(stream.topics[s.codec.encoding]);
    s.subscriptions.set(channel, stream);
    this.deps.streams.subscribed(stream);
  }

  /** Drops a subscription or a catch-up; also used by the close handler (without touching the dead socket). */
  detach(s: Session, channel: string): void {
    s.catchingUp.delete(channel);
    const stream = s.subscriptions.get(channel);
    if (!stream) return;
    s.subscriptions.delete(channel);
    if (!s.closed) s.ws?.unsubscribe(stream.topics[s.codec.encoding]);
    this.deps.streams.unsubscribed(stream, this.deps.now());
  }

  private unsubscribe(s: Session, name: string): void {
    const channel = parseChannel(name);
    this.detach(s, channel?.name ?? name);
    s.send({ type: 'unsubscribed', channel: channel?.name ?? name });
  }

  private async command(
    s: Session,
    principal: Principal,
    m: Exclude<ClientMessage, { type: 'auth' | 'ping' | 'subscribe' | 'unsubscribe' }>,
  ): Promise<void> {
    const refuse = (error: RfqError, retryAfterMs: number | null = null) => {
      this.deps.metrics.wsCommands.inc({ command: m.type, outcome: error.code });
      s.send({ type: 'error', requestId: m.requestId, error, channel: null, retryAfterMs });
    };
    if (principal.kind !== 'mm') return refuse(RfqError.of('FORBIDDEN', { reason: 'market maker command' }));
    if (m.type === 'cancel_on_disconnect') {
      s.cancelOnDisconnect = m.enabled;
      s.send({
        type: 'ack',
        requestId: m.requestId,
        quote: null,
        rfqStatus: null,
        cancelOnDisconnect: m.enabled,
      });
      return;
    }
    const admitted = this.deps.limiter.take(principal);
    if (!admitted.ok) {
      this.deps.metrics.rateLimited.inc({ kind: 'mm' });
      return refuse(
        RfqError.of('RATE_LIMITED', { retry_after_ms: admitted.retryAfterMs }),
        admitted.retryAfterMs,
      );
    }
    const mmId = principal.id;
    const engine = this.deps.engine;
    let result: Result<QuoteAck>;
    switch (m.type) {
      case 'submit':
        result = await engine.submitQuote(mmId, {
          rfqId: m.rfqId,
          oddsFp: m.oddsFp,
          replace: m.replace,
          ...(m.validForMs !== null && { validForMs: m.validForMs }),
        });
        break;
      case 'withdraw':
        result = await engine.withdrawQuote(mmId, m.quoteId);
        break;
      case 'confirm':
        result = await engine.confirmQuote(mmId, m.quoteId);
        break;
      case 'reject':
        result = await engine.rejectQuote(mmId, m.quoteId);
        break;
    }
    if (!result.ok) return refuse(result.error);
    this.deps.metrics.wsCommands.inc({ command: m.type, outcome: 'ok' });
    const { quote, rfq } = result.value;
    this.deps.logger.debug({ mmId, rfqId: rfq.id, quoteId: quote.id, command: m.type }, 'mm command');
    s.send({
      type: 'ack',
      requestId: m.requestId,
      quote,
      rfqStatus: rfq.status,
      cancelOnDisconnect: s.cancelOnDisconnect,
    });
  }
}
