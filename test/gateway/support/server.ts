/**
 * A real gateway on an ephemeral port over an in-memory engine (the pieces of test/support's harness,
 * with a priced catalogue and a test-driven chain), plus minted credentials for users and MMs.
 */
import { Engine } from '../../../engine/engine.ts';
import { silentLogger } from '../../../engine/logger.ts';
import { ManualClock } from '../../../engine/manualClock.ts';
import { MemoryFunds } from '../../../engine/memoryFunds.ts';
import { MemoryIdentity } from '../../../engine/memoryIdentity.ts';
import { MemoryStore } from '../../../engine/memoryStore.ts';
import { FullRiskEngine } from '../../../engine/risk/fullRisk.ts';
import { DEV_JWT_DEFAULTS } from '../../../gateway/auth/devToken.ts';
import { newSigningKeyPair } from '../../../gateway/auth/signing.ts';
import { createApiKey } from '../../../gateway/cli/mintKeys.ts';
import type { GatewayConfigInput } from '../../../gateway/config.ts';
import { type Gateway, startGateway } from '../../../gateway/startGateway.ts';
import { DEFAULT_LIMITS } from '../../../machines/limits.ts';
import { gatewayCatalogue } from './markets.ts';
import { TestChain } from './testChain.ts';

export interface UserCreds {
  id: string;
  apiKey: string;
}

export interface MmCreds extends UserCreds {
  signingSecretKey: string;
  signingPublicKey: string;
}

export interface TestGateway {
  engine: Engine;
  clock: ManualClock;
  chain: TestChain;
  funds: MemoryFunds;
  identity: MemoryIdentity;
  gateway: Gateway;
  url: string;
  wsUrl: string;
  users: UserCreds[];
  mms: MmCreds[];
  /** An MM key with no signing key registered (JSON mode only). */
  plainMm: UserCreds;
  devJwt: { secret: string; issuer: string; audience: string };
  close(): Promise<void>;
}

export const DEV_SECRET = 'test-dev-jwt-secret-at-least-32-bytes-long';

export async function startTestGateway(
  options: { config?: GatewayConfigInput; users?: number; mms?: number } = {},
): Promise<TestGateway> {
  const clock = new ManualClock(Date.now());
  const store = new MemoryStore();
  const funds = new MemoryFunds();
  const chain = new TestChain();
  const engine = new Engine({
    clock,
    limits: DEFAULT_LIMITS,
    markets: gatewayCatalogue(),
    store,
    records: store,
    risk: new FullRiskEngine(),
    funds,
    chain,
    logger: silentLogger(),
  });
  await engine.start();
  const identity = new MemoryIdentity();
  const users: UserCreds[] = [];
  for (let i = 1; i <= (options.users ?? 2); i++) {
    const id = `user-${i}`;
    users.push({ id, apiKey: await createApiKey(identity, { kind: 'user', id }) });
    funds.credit({ kind: 'user', id }, 1_000_000_000);
  }
  const mms: MmCreds[] = [];
  for (let i = 1; i <= (options.mms ?? 2); i++) {
    const id = `mm-${i}`;
    const keys = newSigningKeyPair();
    const apiKey = await createApiKey(identity, { kind: 'mm', id }, { signingPublicKey: keys.publicKey });
    mms.push({ id, apiKey, signingSecretKey: keys.secretKey, signingPublicKey: keys.publicKey });
    funds.credit({ kind: 'mm', id }, 100_000_000_000);
  }
  const plainMm = { id: 'mm-plain', apiKey: await createApiKey(identity, { kind: 'mm', id: 'mm-plain' }) };
  funds.credit({ kind: 'mm', id: 'mm-plain' }, 100_000_000_000);
  const devJwt = { secret: DEV_SECRET, ...DEV_JWT_DEFAULTS };
  const markets = gatewayCatalogue();
  const gateway = await startGateway({
    engine,
    identity,
    markets,
    logger: silentLogger(),
    explorerUrl: (kind, value) => chain.explorerUrl(kind, value),
    config: { host: '127.0.0.1', port: 0, compatHttpPort: 0, devJwt, ...options.config },
  });
  return {
    engine,
    clock,
    chain,
    funds,
    identity,
    gateway,
    url: gateway.url,
    wsUrl: gateway.wsUrl,
    users,
    mms,
    plainMm,
    devJwt,
    async close() {
      await gateway.close();
      await engine.stop();
    },
  };
}
