/**
 * The same REST routes on node:http, for clients that authenticate with the seed's
 * `TOTALIS_API_KEY` header. uWS 20.30 (the build that runs on this platform) refuses header names
 * containing `_` and drops the connection, so such a client can never reach a uWS route; node's parser
 * accepts them. Same pipeline, same answers; only the transport differs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RfqError } from '../../machines/errors.ts';
import { errorReply, type Reply, type RequestInfo } from './http.ts';
import { pipeline, type Route, type RouterDeps } from './router.ts';

interface Compiled {
  route: Route;
  method: string;
  pattern: RegExp;
  paramNames: string[];
}

const METHOD: Record<Route['method'], string> = { get: 'GET', post: 'POST', put: 'PUT', del: 'DELETE' };

function compile(r: Route): Compiled {
  const paramNames = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  const source = r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '([^/]+)');
  return { route: r, method: METHOD[r.method], pattern: new RegExp(`^${source}$`), paramNames };
}

const header = (req: IncomingMessage, name: string): string => {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
};

function write(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = {
    'content-type': reply.contentType ?? 'application/json; charset=utf-8',
    ...reply.headers,
  };
  res.writeHead(reply.status, headers);
  res.end(reply.status === 204 ? undefined : (reply.text ?? JSON.stringify(reply.body ?? null)));
}

export async function startCompatServer(
  routes: readonly Route[],
  deps: RouterDeps,
  host: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  const table = routes.map(compile);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://compat');
    const found = table
      .filter((c) => c.method === req.method)
      .map((c) => ({ c, m: c.pattern.exec(url.pathname) }))
      .find((x) => x.m !== null);
    if (!found?.m) {
      write(res, errorReply(RfqError.of('NOT_FOUND', { resource: 'route' }, 'Resource not found')));
      req.resume();
      return;
    }
    const params = found.m.slice(1).map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
    const length = header(req, 'content-length');
    const info: RequestInfo = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.slice(1),
      params,
      apiKey: header(req, 'totalis_api_key') || header(req, 'x-api-key'),
      authorization: header(req, 'authorization'),
      idempotencyKey: header(req, 'idempotency-key'),
      contentLength: /^\d+$/.test(length) ? Number(length) : null,
      chunked: header(req, 'transfer-encoding') !== '',
    };
    const limit = deps.config.maxBodyBytes;
    if (info.contentLength !== null && info.contentLength > limit) {
      res.setHeader('connection', 'close');
      write(res, errorReply(RfqError.of('PAYLOAD_TOO_LARGE', { maxBytes: limit })));
      req.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit && !refused) {
        refused = true;
        res.setHeader('connection', 'close');
        write(res, errorReply(RfqError.of('PAYLOAD_TOO_LARGE', { maxBytes: limit })));
        req.destroy();
      } else if (!refused) chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      const body = size > 0 ? Buffer.concat(chunks, size) : null;
      void pipeline(found.c.route, info, body, found.c.paramNames, deps).then((reply) => {
        deps.metrics.httpRequests.inc({ route: found.c.route.operationId, status: String(reply.status) });
        if (!res.destroyed) write(res, reply);
      });
    });
    req.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
