/** Operations: health, Prometheus metrics, the OpenAPI document. Unauthenticated. */
import type { Engine } from '../../engine/engine.ts';
import { metricsContentType, metricsText } from '../metrics.ts';
import { iso } from '../wire/seedJson.ts';
import { type Route, route } from './router.ts';
import { EmptyQuery } from './schemas.ts';

const TAG = 'Operations';

export interface SocketCounts {
  connections: number;
  authenticated: number;
  marketMakers: number;
  users: number;
}

export function opsRoutes(deps: {
  engine: Engine;
  version: string;
  now: () => number;
  sockets: () => SocketCounts;
  openApi: () => Record<string, unknown>;
}): Route[] {
  return [
    route({
      method: 'get',
      path: '/healthz',
      operationId: 'health',
      summary: 'Health',
      tag: TAG,
      access: 'public',
      query: EmptyQuery,
      responses: { 200: { description: 'Up', schema: 'HealthStatus' } },
      async handle() {
        const s = deps.sockets();
        return {
          status: 200,
          body: {
            status: 'healthy',
            version: deps.version,
            timestamp: iso(deps.now()),
            stats: { live_rfqs: deps.engine.liveCount, last_seq: deps.engine.lastSeq },
            websocket: {
              connections: s.connections,
              authenticated: s.authenticated,
              market_makers: s.marketMakers,
              users: s.users,
            },
          },
        };
      },
    }),
    route({
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      tag: TAG,
      access: 'public',
      query: EmptyQuery,
      responses: { 200: { description: 'Prometheus text exposition format' } },
      async handle() {
        return { status: 200, text: await metricsText(), contentType: metricsContentType() };
      },
    }),
    route({
      method: 'get',
      path: '/openapi.json',
      operationId: 'openApi',
      summary: 'This API as OpenAPI 3.1',
      tag: TAG,
      access: 'public',
      query: EmptyQuery,
      responses: { 200: { description: 'OpenAPI 3.1 document' } },
      async handle() {
        return { status: 200, body: deps.openApi() };
      },
    }),
  ];
}
