/**
 * PostgresIdentityStore: API keys (SHA-256 hashes only) and MM signing keys, in api_keys. A key's
 * principal row (users / market_makers) is created with its first key.
 */
import type { Kysely } from 'kysely';
import type { ApiKeyRecord, IdentityStore, Principal } from '../../engine/ports/identity.ts';
import { DuplicateApiKeyError } from '../errors.ts';
import type { ApiKeysTable, Database } from './schema.ts';

const UNIQUE_VIOLATION = '23505';

export class PostgresIdentityStore implements IdentityStore {
  constructor(private readonly db: Kysely<Database>) {}

  async findByKeyHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', keyHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async createKey(record: ApiKeyRecord): Promise<void> {
    const { kind, id } = record.principal;
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx
          .insertInto(kind === 'user' ? 'users' : 'market_makers')
          .values({ id, created_at: record.createdAt })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
        await tx
          .insertInto('api_keys')
          .values({
            key_hash: record.keyHash,
            user_id: kind === 'user' ? id : null,
            mm_id: kind === 'mm' ? id : null,
            key_prefix: record.keyPrefix,
            label: record.label,
            signing_public_key: record.signingPublicKey,
            created_at: record.createdAt,
            revoked_at: record.revokedAt,
          })
          .execute();
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION)
        throw new DuplicateApiKeyError(record.keyPrefix);
      throw error;
    }
  }

  async revokeKey(keyHash: string, at: number): Promise<void> {
    await this.db
      .updateTable('api_keys')
      .set({ revoked_at: at })
      .where('key_hash', '=', keyHash)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async listKeys(principal: Principal): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where(principal.kind === 'user' ? 'user_id' : 'mm_id', '=', principal.id)
      .orderBy('created_at')
      .orderBy('key_hash')
      .execute();
    return rows.map(toRecord);
  }
}

function toRecord(row: ApiKeysTable): ApiKeyRecord {
  const principal: Principal =
    row.user_id !== null ? { kind: 'user', id: row.user_id } : { kind: 'mm', id: row.mm_id as string };
  return {
    principal,
    keyHash: row.key_hash,
    keyPrefix: row.key_prefix,
    label: row.label,
    signingPublicKey: row.signing_public_key,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
