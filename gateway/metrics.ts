/**
 * Prometheus metrics on prom-client's default registry (served by GET /metrics). Created once per
 * process: several gateways in one process (tests) share the series, as they would share a scrape.
 * What is touched per request and per publish is tallied (engine/talliedCounter.ts) or batched
 * (engine/batchedHistogram.ts): callers hold a cell per label set, series catch up at scrape time.
 */
import { Counter, collectDefaultMetrics, Gauge, register } from 'prom-client';
import { BatchedHistogram } from '../engine/batchedHistogram.ts';
import { TalliedCounter } from '../engine/talliedCounter.ts';

export interface GatewayMetrics {
  httpRequests: TalliedCounter<'route' | 'status'>;
  httpSeconds: BatchedHistogram<'route'>;
  wsConnections: Gauge<'encoding'>;
  wsDeliveries: TalliedCounter<'channel' | 'encoding'>;
  wsEvents: TalliedCounter<'channel'>;
  wsCommands: Counter<'command' | 'outcome'>;
  wsDisconnects: Counter<'reason'>;
  rateLimited: Counter<'kind'>;
}

let metrics: GatewayMetrics | null = null;

export function gatewayMetrics(): GatewayMetrics {
  if (metrics) return metrics;
  collectDefaultMetrics();
  metrics = {
    httpRequests: TalliedCounter.of({
      name: 'gateway_http_requests_total',
      help: 'REST requests by route and status',
      labelNames: ['route', 'status'],
    }),
    httpSeconds: BatchedHistogram.of({
      name: 'gateway_http_request_seconds',
      help: 'REST request latency',
      labelNames: ['route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    }),
    wsConnections: new Gauge({
      name: 'gateway_ws_connections',
      help: 'Open WebSocket connections by encoding',
      labelNames: ['encoding'],
    }),
    wsDeliveries: TalliedCounter.of({
      name: 'gateway_ws_deliveries_total',
      help: 'Event frames handed to sockets (one publish counts once per subscriber)',
      labelNames: ['channel', 'encoding'],
    }),
    wsEvents: TalliedCounter.of({
      name: 'gateway_ws_events_total',
      help: 'Events sequenced onto channels',
      labelNames: ['channel'],
    }),
    wsCommands: new Counter({
      name: 'gateway_ws_commands_total',
      help: 'WebSocket commands by outcome (ok or the error code)',
      labelNames: ['command', 'outcome'],
    }),
    wsDisconnects: new Counter({
      name: 'gateway_ws_disconnects_total',
      help: 'Connections closed, by reason',
      labelNames: ['reason'],
    }),
    rateLimited: new Counter({
      name: 'gateway_rate_limited_total',
      help: 'Commands refused with RATE_LIMITED',
      labelNames: ['kind'],
    }),
  };
  return metrics;
}

export const metricsText = (): Promise<string> => register.metrics();
export const metricsContentType = (): string => register.contentType;
