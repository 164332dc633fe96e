/**
 * Request validation with TypeBox's compiled checks. Every refusal is INVALID_REQUEST naming the
 * field (`legs[1].side`), with the reason: unknown field, missing, wrong type, out of range.
 */
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { err, ok, type Result } from '../../machines/errors.ts';

/** JSON pointer (`/legs/1/side`) → the field as clients write it (`legs[1].side`). */
export function fieldOf(path: string): string {
  if (path === '') return '(body)';
  return path
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part), '');
}

function reasonOf(error: ValueError): string {
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return 'unknown field';
    case ValueErrorType.ObjectRequiredProperty:
      return 'required';
    case ValueErrorType.Union: {
      const values = (error.schema.anyOf as TSchema[] | undefined)
        ?.map((s) => s.const)
        .filter((c) => c !== undefined);
      return values && values.length > 0 ? `must be one of ${values.join(', ')}` : error.message;
    }
    default:
      return error.message.replace(/^Expected/, 'expected');
  }
}

export class Validator<T extends TSchema> {
  private readonly check: TypeCheck<T>;

  constructor(readonly schema: T) {
    this.check = TypeCompiler.Compile(schema);
  }

  parse(value: unknown): Result<Static<T>> {
    if (this.check.Check(value)) return ok(value);
    const first = this.check.Errors(value).First();
    if (!first) return err('INVALID_REQUEST', { field: '(body)', reason: 'invalid' });
    // A missing field is reported once: TypeBox also reports its type for the same path.
    const field = fieldOf(first.path);
    const reason = reasonOf(first);
    return err('INVALID_REQUEST', { field, reason }, `${field}: ${reason}`);
  }
}

/** A JSON body: parsed, an object, valid. Malformed JSON names no field but says so. */
export function parseJsonBody<T extends TSchema>(
  validator: Validator<T>,
  body: Buffer | null,
): Result<Static<T>> {
  if (body === null || body.length === 0) {
    return err(
      'INVALID_REQUEST',
      { field: '(body)', reason: 'a JSON body is required' },
      'A JSON body is required',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return err('INVALID_REQUEST', { field: '(body)', reason: 'malformed JSON' }, 'Malformed JSON body');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return err(
      'INVALID_REQUEST',
      { field: '(body)', reason: 'must be a JSON object' },
      'Body must be a JSON object',
    );
  }
  return validator.parse(value);
}

const INTEGER = /^-?\d{1,16}$/;
const NUMBER = /^-?\d{1,16}(\.\d{1,16})?$/;

/**
 * A query string against an object schema. Numbers are converted only when the text is exactly a
 * number ("1.5" for an integer stays text and fails the check, rather than being truncated).
 */
export function parseQuery<T extends TObject>(validator: Validator<T>, raw: string): Result<Static<T>> {
  const params = new URLSearchParams(raw);
  const value: Record<string, unknown> = {};
  for (const [key, text] of params) {
    if (Object.hasOwn(value, key))
      return err('INVALID_REQUEST', { field: key, reason: 'given more than once' });
    const property = validator.schema.properties[key] as TSchema | undefined;
    const type = property?.type;
    if (type === 'integer' && INTEGER.test(text)) value[key] = Number(text);
    else if (type === 'number' && NUMBER.test(text)) value[key] = Number(text);
    else value[key] = text;
  }
  return validator.parse(value);
}
