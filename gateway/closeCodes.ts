/**
 * WebSocket close codes the gateway sends (4000–4999 is the application range of RFC 6455), one
 * table, documented in docs/protocol.md. Each reason is short: close frames carry at most 123 bytes.
 */
export const CLOSE = {
  /** Server shutting down (RFC 6455 "going away"): reconnect elsewhere or later. */
  GOING_AWAY: { code: 1001, reason: 'server shutting down' },
  /** A frame of the wrong kind for the negotiated encoding, repeatedly. */
  PROTOCOL_ERROR: { code: 4000, reason: 'protocol error' },
  /** The auth message was refused: unknown/revoked key, bad or stale signature, reused nonce. */
  AUTH_FAILED: { code: 4001, reason: 'auth failed' },
  /** No successful auth within authTimeoutMs of opening. */
  AUTH_TIMEOUT: { code: 4002, reason: 'auth timeout' },
  /** More outgoing bytes buffered than backpressureLimitBytes: the consumer is too slow. */
  BACKPRESSURE: { code: 4008, reason: 'slow consumer: send buffer over limit' },
  /** Nothing heard from the client (no frame, no pong) for idleTimeoutMs. */
  IDLE: { code: 4010, reason: 'idle timeout' },
} as const;

export type CloseKind = keyof typeof CLOSE;
