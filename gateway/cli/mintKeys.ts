/**
 * Minting credentials against an IdentityStore: a user API key, an MM API key with its Ed25519
 * signing keypair (the public key is registered with the key; the secret goes to the MM only), and
 * a dev bearer token for the user. Keys are returned once and stored only as hashes.
 */
import { randomUUID } from 'node:crypto';
import type { ApiKeyRecord, IdentityStore, Principal } from '../../engine/ports/identity.ts';
import { apiKeyPrefix, hashApiKey, newApiKey } from '../auth/apiKeys.ts';
import { mintDevToken } from '../auth/devToken.ts';
import { newSigningKeyPair } from '../auth/signing.ts';
import type { DevJwtConfig } from '../config.ts';

export interface MintedKeys {
  user: { id: string; apiKey: string };
  mm: { id: string; apiKey: string; signingPublicKey: string; signingSecretKey: string };
  /** A bearer token for the user, when a dev JWT config is given. */
  devToken: string | null;
}

export interface MintOptions {
  userId?: string;
  mmId?: string;
  label?: string;
  devJwt?: DevJwtConfig | null;
  now?: number;
}

/** Creates one API key for a principal; returns the key (the only time it exists in clear). */
export async function createApiKey(
  store: IdentityStore,
  principal: Principal,
  options: { label?: string | null; signingPublicKey?: string | null; now?: number } = {},
): Promise<string> {
  const apiKey = newApiKey();
  const record: ApiKeyRecord = {
    principal,
    keyHash: hashApiKey(apiKey),
    keyPrefix: apiKeyPrefix(apiKey),
    label: options.label ?? null,
    signingPublicKey: options.signingPublicKey ?? null,
    createdAt: options.now ?? Date.now(),
    revokedAt: null,
  };
  await store.createKey(record);
  return apiKey;
}

export async function mintKeys(store: IdentityStore, options: MintOptions = {}): Promise<MintedKeys> {
  const userId = options.userId ?? `user-${randomUUID()}`;
  const mmId = options.mmId ?? `mm-${randomUUID()}`;
  const label = options.label ?? 'npm run keys';
  const userKey = await createApiKey(
    store,
    { kind: 'user', id: userId },
    { label, ...(options.now !== undefined && { now: options.now }) },
  );
  const signing = newSigningKeyPair();
  const mmKey = await createApiKey(
    store,
    { kind: 'mm', id: mmId },
    { label, signingPublicKey: signing.publicKey, ...(options.now !== undefined && { now: options.now }) },
  );
  return {
    user: { id: userId, apiKey: userKey },
    mm: { id: mmId, apiKey: mmKey, signingPublicKey: signing.publicKey, signingSecretKey: signing.secretKey },
    devToken: options.devJwt ? await mintDevToken(options.devJwt, userId) : null,
  };
}
