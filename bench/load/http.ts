/**
 * REST calls that never throw: every outcome is a value, failures carry a code to count by. The
 * gateway's own codes come from its error envelope; what it did not say is named here:
 *   NET_<errno>     the connection failed (NET_ECONNREFUSED, NET_ECONNRESET, …)
 *   TIMEOUT         no answer within the request timeout
 *   HTTP_<status>   an error status without the gateway's envelope (a proxy, a load balancer)
 *   BAD_RESPONSE    a success status whose body is not the JSON expected
 * node:http with keep-alive rather than fetch: a third of the CPU per request, and the driver's CPU
 * is what caps the rate one generator can offer.
 */
import http from 'node:http';
import https from 'node:https';

export type Outcome<T> =
  | { ok: true; status: number; body: T }
  | { ok: false; code: string; status: number | null; message: string };

export interface CallOptions {
  apiKey?: string;
  body?: unknown;
  timeoutMs: number;
}

export const isNetworkCode = (code: string): boolean => code.startsWith('NET_') || code === 'TIMEOUT';

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 512 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 512 }),
};

class RequestTimeout extends Error {
  override readonly name = 'RequestTimeout';
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      url,
      { method, headers, agent: agents[secure ? 'https:' : 'http:'] },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(
      () => req.destroy(new RequestTimeout(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

/** INVALID_LEGS says little on its own: the first leg's own code goes with it (INVALID_LEGS/MARKET_NOT_ACTIVE). */
function withLegCode(code: string, details: unknown): string {
  const first = (details as { leg_errors?: Array<{ code?: unknown }> } | undefined)?.leg_errors?.[0]?.code;
  return code === 'INVALID_LEGS' && typeof first === 'string' ? `${code}/${first}` : code;
}

export async function call<T>(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions,
): Promise<Outcome<T>> {
  const headers: Record<string, string> = {};
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  let res: { status: number; text: string };
  try {
    res = await send(new URL(`${baseUrl}${path}`), method, headers, body, options.timeoutMs);
  } catch (error) {
    if (error instanceof RequestTimeout)
      return { ok: false, status: null, code: 'TIMEOUT', message: error.message };
    const e = error as NodeJS.ErrnoException;
    return { ok: false, status: null, code: `NET_${e.code ?? 'ERROR'}`, message: e.message };
  }
  let parsed: unknown;
  try {
    parsed = res.text ? JSON.parse(res.text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (res.status < 200 || res.status >= 300) {
    const envelope = (
      parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined
    )?.error;
    return typeof envelope?.code === 'string'
      ? {
          ok: false,
          status: res.status,
          code: withLegCode(envelope.code, envelope.details),
          message: String(envelope.message ?? ''),
        }
      : { ok: false, status: res.status, code: `HTTP_${res.status}`, message: res.text.slice(0, 200) };
  }
  if (parsed === undefined && res.status !== 204)
    return { ok: false, status: res.status, code: 'BAD_RESPONSE', message: res.text.slice(0, 200) };
  return { ok: true, status: res.status, body: parsed as T };
}

/** Text of a GET (for /metrics), or null on any failure. */
export async function getText(url: string, timeoutMs: number): Promise<string | null> {
  try {
    const res = await send(new URL(url), 'GET', {}, undefined, timeoutMs);
    return res.status === 200 ? res.text : null;
  } catch {
    return null;
  }
}
