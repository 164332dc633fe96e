/**
 * OpenAPI 3.1 for the REST API, generated from the routes and the TypeBox schemas the validator
 * compiles (JSON Schema 2020-12, which 3.1 takes as is).
 */
import type { TObject, TSchema } from '@sinclair/typebox';
import type { Route } from './router.ts';
import { COMPONENTS } from './schemas.ts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** JSON of a TypeBox schema without its symbol-keyed internals. */
const plain = (schema: TSchema): Record<string, unknown> => JSON.parse(JSON.stringify(schema));

const SECURITY: Record<string, unknown[]>[] = [{ apiKeyAuth: [] }, { xApiKey: [] }, { bearerAuth: [] }];

export function openApiDocument(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters: unknown[] = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string', format: 'uuid' },
    }));
    const query = r.query?.schema as TObject | undefined;
    for (const [name, schema] of Object.entries(query?.properties ?? {})) {
      parameters.push({ name, in: 'query', required: false, schema: plain(schema) });
    }
    if ((r.method === 'post' || r.method === 'put') && r.access !== 'public') {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Replays of the same request with the same key get the first response (kept 24 h).',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, doc] of Object.entries(r.responses)) {
      responses[status] = {
        description: doc.description,
        ...(doc.schema && { content: { 'application/json': { schema: ref(doc.schema) } } }),
      };
    }
    const method = r.method === 'del' ? 'delete' : r.method;
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, unknown>)[method] = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description && { description: r.description }),
      tags: [r.tag],
      security: r.access === 'public' ? [] : SECURITY,
      ...(parameters.length > 0 && { parameters }),
      ...(r.body && {
        requestBody: {
          required: r.body.required,
          content: { 'application/json': { schema: ref(r.body.schema) } },
        },
      }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'parlay-rfq API',
      version,
      description:
        'Wire-compatible with the Totalis Parlay RFQ API (paths under /rfqs, /mm, /markets). Amounts are USDC numbers with the exact micro-USDC integer beside them (`*_micro`). The market-maker WebSocket is described in docs/protocol.md.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: SECURITY,
    tags: [
      { name: 'RFQs', description: 'User endpoints: create and manage RFQs' },
      { name: 'Market Maker', description: 'Market-maker endpoints: quote, confirm, withdraw, reject' },
      { name: 'Markets', description: 'Cached Kalshi market data' },
      { name: 'Operations', description: 'Health, metrics, this document' },
    ],
    paths,
    components: {
      securitySchemes: {
        apiKeyAuth: {
          type: 'apiKey',
          in: 'header',
          name: 'TOTALIS_API_KEY',
          description: 'API key (users and MMs)',
        },
        xApiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
          description: 'The same API key, other header',
        },
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Users: a Privy access token (or a dev JWT when Privy is not configured)',
        },
      },
      schemas: Object.fromEntries(Object.entries(COMPONENTS).map(([name, schema]) => [name, plain(schema)])),
    },
  };
}
