/** The seed's /markets endpoints over the engine's cached catalogue (no authentication, as in the seed). */
import type { MarketSource } from '../../engine/ports/markets.ts';
import { marketJson } from '../wire/seedJson.ts';
import { type Route, route } from './router.ts';
import { EmptyQuery, ListMarketsQuery } from './schemas.ts';

const TAG = 'Markets';

export function marketRoutes(markets: MarketSource, exclusionGroups: string[][]): Route[] {
  return [
    route({
      method: 'get',
      path: '/markets',
      operationId: 'listMarkets',
      summary: 'List Markets',
      description: 'The cached Kalshi catalogue by ticker; `category=all` or none for every category.',
      tag: TAG,
      access: 'public',
      query: ListMarketsQuery,
      responses: {
        200: { description: 'List of cached markets', schema: 'MarketList' },
        400: { description: 'Invalid query', schema: 'ApiError' },
        500: { description: 'Internal server error', schema: 'ApiError' },
      },
      async handle({ query }) {
        const category = query.category ?? 'all';
        const page = await markets.list({
          limit: query.limit ?? 50,
          ...(category !== 'all' && { category }),
          ...(query.status && { status: query.status }),
          ...(query.cursor && { cursor: query.cursor }),
        });
        return {
          status: 200,
          body: {
            markets: page.markets.map(marketJson),
            count: page.markets.length,
            category,
            next_cursor: page.cursor,
            has_more: page.cursor !== null,
          },
        };
      },
    }),
    route({
      method: 'get',
      path: '/markets/exclusion-groups',
      operationId: 'getExclusionGroups',
      summary: 'Get Exclusion Groups',
      description:
        'Series that may not be combined in one parlay, as configured. The engine also refuses legs that can never win together (two yes legs in one mutually exclusive event).',
      tag: TAG,
      access: 'public',
      query: EmptyQuery,
      responses: { 200: { description: 'Exclusion groups configuration', schema: 'ExclusionGroups' } },
      async handle() {
        return { status: 200, body: { exclusion_groups: exclusionGroups } };
      },
    }),
  ];
}
