/**
 * Who is calling. API keys are stored only as SHA-256 hashes (keys are 32 random bytes, so a plain
 * hash resists guessing; comparisons are constant-time); MMs may register an Ed25519 public key that
 * signs the WebSocket auth challenge. persistence/ implements this in Postgres; engine/memoryIdentity.ts
 * in memory.
 */
export type PrincipalKind = 'user' | 'mm';

export interface Principal {
  kind: PrincipalKind;
  id: string;
}

export interface ApiKeyRecord {
  principal: Principal;
  /** Hex SHA-256 of the full key. */
  keyHash: string;
  /** Non-secret prefix shown in listings ("api_live_ab12…"). */
  keyPrefix: string;
  label: string | null;
  /** Base58 Ed25519 public key the MM signs WebSocket auth with, if registered. */
  signingPublicKey: string | null;
  createdAt: number;
  revokedAt: number | null;
}

export interface IdentityStore {
  findByKeyHash(keyHash: string): Promise<ApiKeyRecord | null>;
  createKey(record: ApiKeyRecord): Promise<void>;
  revokeKey(keyHash: string, at: number): Promise<void>;
  listKeys(principal: Principal): Promise<ApiKeyRecord[]>;
}
