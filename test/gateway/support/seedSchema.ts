/**
 * Checks a response against the seed's published OpenAPI (a copy in test/gateway/fixtures): types,
 * required fields, enums, nullability, arrays, allOf. Extra fields pass, as they do for the seed's
 * clients. Returns the problems found, so a failing assertion names each one.
 */
import { readFileSync } from 'node:fs';

type Schema = Record<string, unknown>;

const spec = JSON.parse(
  readFileSync(new URL('../fixtures/totalis-openapi-149f0e9.json', import.meta.url), 'utf8'),
) as { paths: Record<string, Record<string, Schema>>; components: { schemas: Record<string, Schema> } };

function resolve(schema: Schema): Schema {
  const ref = schema.$ref as string | undefined;
  if (!ref) return schema;
  const name = ref.replace('#/components/schemas/', '');
  const target = spec.components.schemas[name];
  if (!target) throw new Error(`unknown seed schema ${name}`);
  return target;
}

function check(schema: Schema, value: unknown, path: string, out: string[]): void {
  const s = resolve(schema);
  if (value === null) {
    if (s.nullable !== true) out.push(`${path}: null but not nullable`);
    return;
  }
  if (Array.isArray(s.allOf)) {
    for (const part of s.allOf as Schema[]) check(part, value, path, out);
    return;
  }
  const type = s.type as string | undefined;
  const actual = Array.isArray(value) ? 'array' : typeof value;
  if (type === 'integer') {
    if (!Number.isInteger(value)) out.push(`${path}: expected integer, got ${JSON.stringify(value)}`);
  } else if (type && type !== (actual === 'bigint' ? 'number' : actual)) {
    out.push(`${path}: expected ${type}, got ${actual}`);
    return;
  }
  if (Array.isArray(s.enum) && !(s.enum as unknown[]).includes(value))
    out.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (type === 'string' && s.format === 'date-time' && Number.isNaN(Date.parse(value as string)))
    out.push(`${path}: not a date-time`);
  if (
    type === 'string' &&
    s.format === 'uuid' &&
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value as string)
  )
    out.push(`${path}: not a uuid`);
  if (type === 'object' || s.properties) {
    const obj = value as Record<string, unknown>;
    for (const key of (s.required as string[] | undefined) ?? [])
      if (!(key in obj)) out.push(`${path}.${key}: missing`);
    for (const [key, sub] of Object.entries((s.properties as Record<string, Schema> | undefined) ?? {})) {
      if (key in obj && obj[key] !== undefined) check(sub, obj[key], `${path}.${key}`, out);
    }
  }
  if (type === 'array' && s.items) {
    (value as unknown[]).forEach((item, i) => {
      check(s.items as Schema, item, `${path}[${i}]`, out);
    });
  }
}

/** Problems of `value` against a named seed component schema. */
export function seedProblems(component: string, value: unknown): string[] {
  const out: string[] = [];
  check({ $ref: `#/components/schemas/${component}` }, value, component, out);
  return out;
}

/** Problems of a response body against the seed's schema for path, method and status. */
export function seedResponseProblems(path: string, method: string, status: number, value: unknown): string[] {
  const op = spec.paths[path]?.[method.toLowerCase()] as Schema | undefined;
  if (!op) return [`seed has no ${method} ${path}`];
  const responses = op.responses as Record<string, Schema>;
  const response = responses[String(status)];
  if (!response) return [`seed documents no ${status} for ${method} ${path}`];
  const schema = (response.content as Record<string, Schema> | undefined)?.['application/json']?.schema as
    | Schema
    | undefined;
  if (!schema) return [];
  const out: string[] = [];
  check(schema, value, `${method} ${path} ${status}`, out);
  return out;
}

export const seedPaths = (): Array<{ path: string; method: string }> =>
  Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ path, method })));
