/**
 * The REST pipeline, one per route: read the request, read the body (bounded), authenticate, check
 * the caller's role, replay or reserve the Idempotency-Key, rate-limit writes, validate params, query
 * and body, run the handler, answer with the seed's error envelope on any refusal. A handler that
 * throws something other than an RfqError is a bug: it is logged and answered 500 INTERNAL_ERROR.
 */
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { Logger } from '../../engine/logger.ts';
import type { CountCell } from '../../engine/talliedCounter.ts';
import { RfqError } from '../../machines/errors.ts';
import type { Authenticator, Caller } from '../auth/authenticator.ts';
import type { GatewayConfig } from '../config.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { RateLimiter } from '../rateLimit.ts';
import type { HttpResponse, TemplatedApp } from '../uws.ts';
import {
  errorReply,
  type Reply,
  type RequestInfo,
  type ResponseState,
  readBody,
  readRequest,
  send,
} from './http.ts';
import { fingerprintOf, type IdempotencyStore, isIdempotencyKeyShaped } from './idempotency.ts';
import type { ComponentName } from './schemas.ts';
import { parseJsonBody, parseQuery, Validator } from './validate.ts';

export type Method = 'get' | 'post' | 'put' | 'del';
export type Access = 'public' | 'any' | 'user' | 'mm';

export interface RouteContext<Q, B> {
  caller: Caller;
  params: Record<string, string>;
  query: Q;
  body: B;
}

export interface ResponseDoc {
  description: string;
  schema?: ComponentName;
}

export interface Route {
  method: Method;
  /** OpenAPI form: /rfqs/{id}. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  query: Validator<TObject> | null;
  body: { validator: Validator<TSchema>; schema: ComponentName; required: boolean } | null;
  responses: Record<number, ResponseDoc>;
  run(ctx: RouteContext<unknown, unknown>, info: RequestInfo): Promise<Reply>;
}

/** Declares a route with its query and body types flowing into the handler. */
export function route<Q extends TObject | null, B extends ComponentName | null>(spec: {
  method: Method;
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  query?: Q;
  body?: { schema: B & ComponentName; type: TSchema; required?: boolean };
  responses: Record<number, ResponseDoc>;
  handle(
    ctx: RouteContext<Q extends TObject ? Static<Q> : undefined, unknown>,
    info: RequestInfo,
  ): Promise<Reply>;
}): Route {
  return {
    method: spec.method,
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description !== undefined && { description: spec.description }),
    tag: spec.tag,
    access: spec.access,
    query: spec.query ? new Validator(spec.query) : null,
    body: spec.body
      ? {
          validator: new Validator(spec.body.type),
          schema: spec.body.schema,
          required: spec.body.required ?? true,
        }
      : null,
    responses: spec.responses,
    run: (ctx, info) => spec.handle(ctx as never, info),
  };
}

const PUBLIC_CALLER: Caller = { principal: { kind: 'user', id: '' }, method: 'api_key', record: null };

export interface RouterDeps {
  config: GatewayConfig;
  auth: Authenticator;
  limiter: RateLimiter;
  idempotency: IdempotencyStore;
  metrics: GatewayMetrics;
  logger: Logger;
  now: () => number;
}

/** A route's metric cells, resolved once: answering a request does no label hashing. */
class RouteMetrics {
  private readonly byStatus = new Map<number, CountCell>();
  private readonly seconds: { observe(value: number): void };

  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly route: string,
  ) {
    this.seconds = metrics.httpSeconds.batch({ route });
  }

  answered(status: number, startedMs: number): void {
    let count = this.byStatus.get(status);
    if (!count) {
      count = this.metrics.httpRequests.cell({ route: this.route, status: String(status) });
      this.byStatus.set(status, count);
    }
    count.n++;
    this.seconds.observe((performance.now() - startedMs) / 1000);
  }
}

/** One request's response side: whether it may still be answered, and the answer's bookkeeping. */
class Exchange implements ResponseState {
  aborted = false;
  done = false;
  private readonly startedMs = performance.now();

  constructor(
    private readonly res: HttpResponse,
    private readonly metrics: RouteMetrics,
  ) {}

  finish(reply: Reply, close = false): void {
    send(this.res, this, reply, close);
    this.metrics.answered(reply.status, this.startedMs);
  }
}

export function mountRoutes(app: TemplatedApp, routes: readonly Route[], deps: RouterDeps): void {
  for (const r of routes) {
    const paramNames = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
    const pattern = r.path.replace(/\{(\w+)\}/g, ':$1');
    const metrics = new RouteMetrics(deps.metrics, r.operationId);
    const wantsBody = r.method !== 'get';
    // No closure per request beyond the two uWS needs (abort, body): they are anonymous arguments,
    // which tsx's keepNames leaves alone (a named one costs a defineProperty per request).
    app[r.method](pattern, (res, req) => {
      const info = readRequest(req, paramNames.length);
      const exchange = new Exchange(res, metrics);
      res.onAborted(() => {
        exchange.aborted = true;
      });
      if (!wantsBody) {
        void pipeline(r, info, null, paramNames, deps).then((reply) => exchange.finish(reply));
        return;
      }
      readBody(res, info, deps.config.maxBodyBytes, exchange, (outcome) => {
        if (!outcome.ok) {
          // The rest of an oversized body is not worth reading: answer and drop the connection.
          exchange.finish(
            errorReply(RfqError.of('PAYLOAD_TOO_LARGE', { maxBytes: deps.config.maxBodyBytes })),
            true,
          );
          return;
        }
        void pipeline(r, info, outcome.body, paramNames, deps).then((reply) => exchange.finish(reply));
      });
    });
  }
}

export async function pipeline(
  r: Route,
  info: RequestInfo,
  body: Buffer | null,
  paramNames: string[],
  deps: RouterDeps,
): Promise<Reply> {
  try {
    let caller = PUBLIC_CALLER;
    if (r.access !== 'public') {
      const authed =
        (info.apiKey && deps.auth.cachedCaller(info.apiKey)) ||
        (await deps.auth.fromHeaders({ apiKey: info.apiKey, authorization: info.authorization }));
      if (!authed.ok) return errorReply(authed.error);
      caller = authed.value;
      if (r.access === 'user' && caller.principal.kind !== 'user')
        return errorReply(
          RfqError.of('FORBIDDEN', { reason: 'user endpoint' }, 'Not authorized to access this resource'),
        );
      if (r.access === 'mm' && caller.principal.kind !== 'mm')
        return errorReply(
          RfqError.of(
            'FORBIDDEN',
            { reason: 'market maker endpoint' },
            'Not authorized to access this resource',
          ),
        );
    }
    const replayable = (r.method === 'post' || r.method === 'put') && info.idempotencyKey !== '';
    if (!replayable) return await execute(r, info, body, paramNames, caller, deps);
    if (!isIdempotencyKeyShaped(info.idempotencyKey)) {
      return errorReply(
        RfqError.of('INVALID_REQUEST', { field: 'Idempotency-Key', reason: '1-255 printable characters' }),
      );
    }
    const scope = `${caller.principal.kind}:${caller.principal.id}`;
    const begun = deps.idempotency.begin(
      scope,
      info.idempotencyKey,
      fingerprintOf(info.method, info.path, body),
    );
    if (begun.kind === 'conflict')
      return errorReply(RfqError.of('IDEMPOTENCY_CONFLICT', { key: info.idempotencyKey }));
    if (begun.kind === 'replay') {
      const first = await begun.reply;
      return { ...first, headers: { ...first.headers, 'idempotent-replayed': 'true' } };
    }
    const reply = await execute(r, info, body, paramNames, caller, deps);
    begun.finish(reply);
    return reply;
  } catch (error) {
    deps.logger.error({ err: error, route: r.operationId }, 'rest handler failed');
    return errorReply(RfqError.of('INTERNAL_ERROR'));
  }
}

async function execute(
  r: Route,
  info: RequestInfo,
  body: Buffer | null,
  paramNames: string[],
  caller: Caller,
  deps: RouterDeps,
): Promise<Reply> {
  if (r.method !== 'get' && r.access !== 'public') {
    const admitted = deps.limiter.take(caller.principal);
    if (!admitted.ok) {
      deps.metrics.rateLimited.inc({ kind: caller.principal.kind });
      return errorReply(RfqError.of('RATE_LIMITED', { retry_after_ms: admitted.retryAfterMs }), {
        'retry-after': String(Math.max(1, Math.ceil(admitted.retryAfterMs / 1000))),
      });
    }
  }
  const query = r.query ? parseQuery(r.query, info.query) : ({ ok: true, value: undefined } as const);
  if (!query.ok) return errorReply(query.error);
  let parsedBody: unknown;
  if (r.body && (r.body.required || (body !== null && body.length > 0))) {
    const parsed = parseJsonBody(r.body.validator, body);
    if (!parsed.ok) return errorReply(parsed.error);
    parsedBody = parsed.value;
  }
  const params: Record<string, string> = {};
  paramNames.forEach((name, i) => {
    params[name] = info.params[i] ?? '';
  });
  try {
    return await r.run({ caller, params, query: query.value, body: parsedBody }, info);
  } catch (error) {
    if (error instanceof RfqError) return errorReply(error);
    throw error;
  }
}

/** Unknown paths and methods: the seed's NOT_FOUND envelope, never uWS's bare 404. */
export function mountFallback(app: TemplatedApp, metrics: GatewayMetrics): void {
  app.any('/*', (res: HttpResponse) => {
    const state: ResponseState = { aborted: false, done: false };
    send(res, state, errorReply(RfqError.of('NOT_FOUND', { resource: 'route' }, 'Resource not found')));
    metrics.httpRequests.inc({ route: 'unknown', status: '404' });
  });
}
