/** API-key records in memory, for tests and tools. */
import type { ApiKeyRecord, IdentityStore, Principal } from './ports/identity.ts';

export class MemoryIdentity implements IdentityStore {
  private readonly byHash = new Map<string, ApiKeyRecord>();

  async findByKeyHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const record = this.byHash.get(keyHash);
    return record && record.revokedAt === null ? record : null;
  }

  async createKey(record: ApiKeyRecord): Promise<void> {
    if (this.byHash.has(record.keyHash)) throw new Error('duplicate api key hash');
    this.byHash.set(record.keyHash, { ...record });
  }

  async revokeKey(keyHash: string, at: number): Promise<void> {
    const record = this.byHash.get(keyHash);
    if (record) record.revokedAt = at;
  }

  async listKeys(principal: Principal): Promise<ApiKeyRecord[]> {
    return [...this.byHash.values()].filter(
      (r) => r.principal.kind === principal.kind && r.principal.id === principal.id,
    );
  }
}
