/**
 * A typed client for the REST API (fetch), for users and MMs: the seed's endpoints plus withdraw and
 * reject. Refusals throw ApiError with the error code from the seed envelope.
 */
import type { Static } from '@sinclair/typebox';
import type {
  AcceptQuoteResponse,
  CachedMarket,
  ConfirmQuoteResponse,
  CreateQuoteRequest,
  CreateRFQRequest,
  MarketList,
  MmQuoteList,
  OpenRfqList,
  ParlayTicket,
  ParlayTicketWithQuotes,
  Quote,
  RfqList,
} from '../rest/schemas.ts';

export type Ticket = Static<typeof ParlayTicket>;
export type TicketWithQuotes = Static<typeof ParlayTicketWithQuotes>;
export type QuoteJson = Static<typeof Quote>;
export type Market = Static<typeof CachedMarket>;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

export interface RestAuth {
  apiKey?: string;
  token?: string;
}

export class RestClient {
  constructor(
    private readonly baseUrl: string,
    private readonly auth: RestAuth = {},
  ) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const all: Record<string, string> = { ...headers };
    if (this.auth.apiKey) all['x-api-key'] = this.auth.apiKey;
    if (this.auth.token) all.authorization = `Bearer ${this.auth.token}`;
    if (body !== undefined) all['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: all,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const error = (
        parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } }
      )?.error;
      throw new ApiError(
        res.status,
        error?.code ?? 'HTTP_ERROR',
        error?.message ?? text,
        error?.details ?? {},
      );
    }
    return parsed as T;
  }

  createRfq(body: Static<typeof CreateRFQRequest>, idempotencyKey?: string): Promise<Ticket> {
    return this.request('POST', '/rfqs', body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
  }

  getRfq(id: string): Promise<TicketWithQuotes> {
    return this.request('GET', `/rfqs/${id}`);
  }

  listRfqs(query = ''): Promise<Static<typeof RfqList>> {
    return this.request('GET', `/rfqs${query ? `?${query}` : ''}`);
  }

  cancelRfq(id: string, reason?: string): Promise<void> {
    return this.request('DELETE', `/rfqs/${id}`, reason ? { reason } : undefined);
  }

  acceptQuote(rfqId: string, quoteId: string): Promise<Static<typeof AcceptQuoteResponse>> {
    return this.request('PUT', `/rfqs/${rfqId}/quotes/${quoteId}/accept`);
  }

  listOpenRfqs(query = ''): Promise<Static<typeof OpenRfqList>> {
    return this.request('GET', `/mm/rfqs${query ? `?${query}` : ''}`);
  }

  submitQuote(body: Static<typeof CreateQuoteRequest>): Promise<QuoteJson> {
    return this.request('POST', '/mm/quotes', body);
  }

  listMmQuotes(query = ''): Promise<Static<typeof MmQuoteList>> {
    return this.request('GET', `/mm/quotes${query ? `?${query}` : ''}`);
  }

  confirmQuote(quoteId: string): Promise<Static<typeof ConfirmQuoteResponse>> {
    return this.request('PUT', `/mm/quotes/${quoteId}/confirm`);
  }

  withdrawQuote(quoteId: string): Promise<QuoteJson> {
    return this.request('DELETE', `/mm/quotes/${quoteId}`);
  }

  rejectQuote(quoteId: string): Promise<QuoteJson> {
    return this.request('PUT', `/mm/quotes/${quoteId}/reject`);
  }

  listMarkets(query = ''): Promise<Static<typeof MarketList>> {
    return this.request('GET', `/markets${query ? `?${query}` : ''}`);
  }

  /** Every cached market, following next_cursor. */
  async allMarkets(): Promise<Market[]> {
    const all: Market[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await this.listMarkets(query);
      all.push(...page.markets);
      cursor = page.next_cursor;
    } while (cursor);
    return all;
  }
}
