/**
 * uWS HTTP plumbing, following uWS's own examples: everything is read from `req` synchronously (it
 * dies when the handler returns), `onAborted` is set before any async work, body chunks are copied
 * (uWS neuters them after the callback), and every write happens inside `res.cork`.
 */
import { ERRORS, type RfqError } from '../../machines/errors.ts';
import type { HttpRequest, HttpResponse } from '../uws.ts';

export interface RequestInfo {
  method: string;
  path: string;
  query: string;
  params: string[];
  apiKey: string;
  authorization: string;
  idempotencyKey: string;
  contentLength: number | null;
  chunked: boolean;
}

export interface Reply {
  status: number;
  /** JSON body (omitted for 204). */
  body?: unknown;
  /** A preformatted body (metrics text) with its content type. */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** The response's fate, shared by the async pipeline: once aborted or answered, nothing more is written. */
export interface ResponseState {
  aborted: boolean;
  done: boolean;
}

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK',
  201: '201 Created',
  204: '204 No Content',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 Not Found',
  409: '409 Conflict',
  413: '413 Payload Too Large',
  429: '429 Too Many Requests',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

export function readRequest(req: HttpRequest, paramCount: number): RequestInfo {
  const params: string[] = [];
  for (let i = 0; i < paramCount; i++) params.push(decodeParam(req.getParameter(i)));
  const length = req.getHeader('content-length');
  return {
    method: req.getMethod().toUpperCase(),
    path: req.getUrl(),
    query: req.getQuery() ?? '',
    params,
    apiKey: req.getHeader('totalis_api_key') || req.getHeader('x-api-key'),
    authorization: req.getHeader('authorization'),
    idempotencyKey: req.getHeader('idempotency-key'),
    contentLength: /^\d+$/.test(length) ? Number(length) : null,
    chunked: req.getHeader('transfer-encoding') !== '',
  };
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export type BodyOutcome = { ok: true; body: Buffer | null } | { ok: false; error: 'too_large' };

/** Reads the whole body up to `limit` bytes; calls back once. Must be called inside the handler. */
export function readBody(
  res: HttpResponse,
  info: RequestInfo,
  limit: number,
  state: ResponseState,
  done: (outcome: BodyOutcome) => void,
): void {
  if (info.contentLength !== null && info.contentLength > limit) {
    done({ ok: false, error: 'too_large' });
    return;
  }
  if (!info.chunked && (info.contentLength === null || info.contentLength === 0)) {
    done({ ok: true, body: null });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  res.onData((chunk, isLast) => {
    if (finished || state.aborted) return;
    size += chunk.byteLength;
    if (size > limit) {
      finished = true;
      done({ ok: false, error: 'too_large' });
      return;
    }
    // The copy (uWS neuters `chunk` after this callback) is the body when it came in one piece,
    // as a small JSON body does: no second copy to concatenate.
    chunks.push(Buffer.from(chunk.slice(0)));
    if (isLast) {
      finished = true;
      done({ ok: true, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size) });
    }
  });
}

export function errorBody(error: RfqError): { error: Record<string, unknown> } {
  const hasDetails = Object.keys(error.details).length > 0;
  return {
    error: { code: error.code, message: error.message, ...(hasDetails && { details: error.details }) },
  };
}

export const errorReply = (error: RfqError, headers?: Record<string, string>): Reply => ({
  status: ERRORS[error.code].status,
  body: errorBody(error),
  ...(headers && { headers }),
});

/** Writes the reply, corked; does nothing if the client went away or it was already answered. */
export function send(res: HttpResponse, state: ResponseState, reply: Reply, closeConnection = false): void {
  if (state.aborted || state.done) return;
  state.done = true;
  const payload = reply.text ?? (reply.status === 204 ? '' : JSON.stringify(reply.body ?? null));
  res.cork(() => {
    res.writeStatus(STATUS_TEXT[reply.status] ?? `${reply.status} Error`);
    res.writeHeader('content-type', reply.contentType ?? 'application/json; charset=utf-8');
    if (reply.headers) for (const name in reply.headers) res.writeHeader(name, reply.headers[name] as string);
    if (reply.status === 204) res.endWithoutBody(0, closeConnection);
    else res.end(payload, closeConnection);
  });
}
