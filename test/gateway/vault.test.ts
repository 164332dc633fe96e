/**
 * Vault routes over real HTTP, against the real chain adapter on the embedded cluster: balance and
 * locks, the dev faucet, withdrawals bounded by the free balance, deposits, bad bodies, and an MM's
 * position history.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Chain, createChain } from '../../chain/createChain.ts';
import { Engine } from '../../engine/engine.ts';
import { silentLogger } from '../../engine/logger.ts';
import { MemoryIdentity } from '../../engine/memoryIdentity.ts';
import { MemoryStore } from '../../engine/memoryStore.ts';
import { systemClock } from '../../engine/ports/clock.ts';
import { FullRiskEngine } from '../../engine/risk/fullRisk.ts';
import { createApiKey } from '../../gateway/cli/mintKeys.ts';
import { type Gateway, startGateway } from '../../gateway/startGateway.ts';
import { DEFAULT_LIMITS } from '../../machines/limits.ts';
import { call } from './support/http.ts';
import { gatewayCatalogue } from './support/markets.ts';

describe('vault routes', () => {
  let chain: Chain;
  let engine: Engine;
  let gateway: Gateway;
  let userKey: string;
  let mmKey: string;
  const url = () => gateway.url;

  before(async () => {
    chain = await createChain({ config: { stateFile: null }, logger: silentLogger() });
    const store = new MemoryStore();
    engine = new Engine({
      clock: systemClock,
      limits: DEFAULT_LIMITS,
      markets: gatewayCatalogue(),
      store,
      records: store,
      risk: new FullRiskEngine(),
      chain: chain.executor,
      funds: chain.funds,
      logger: silentLogger(),
    });
    await engine.start();
    const identity = new MemoryIdentity();
    userKey = await createApiKey(identity, { kind: 'user', id: 'vault-user' });
    mmKey = await createApiKey(identity, { kind: 'mm', id: 'vault-mm' });
    gateway = await startGateway({
      engine,
      identity,
      markets: gatewayCatalogue(),
      logger: silentLogger(),
      vaults: chain.vaults,
      explorerUrl: chain.explorerUrl,
      config: { port: 0, host: '127.0.0.1', compatHttpPort: null },
    });
  });

  after(async () => {
    await gateway.close();
    await engine.stop();
    await chain.close();
  });

  test('a new principal has an empty vault; the faucet funds it; amounts come in USDC and micro', async () => {
    const empty = await call(url(), 'GET', '/vault', { key: userKey });
    assert.equal(empty.status, 200);
    assert.equal(empty.body.balance_micro, 0);
    const funded = await call(url(), 'POST', '/vault/faucet', { key: userKey, body: { amount: 500.25 } });
    assert.equal(funded.status, 200, JSON.stringify(funded.body));
    assert.equal(typeof funded.body.signature, 'string');
    assert.equal(funded.body.vault.balance_micro, 500_250_000);
    assert.equal(funded.body.vault.balance, 500.25);
    assert.equal(funded.body.vault.free_micro, 500_250_000);
  });

  test('withdrawals are bounded by the free balance; deposits move the wallet back in', async () => {
    const tooMuch = await call(url(), 'POST', '/vault/withdraw', { key: userKey, body: { amount: 600 } });
    assert.equal(tooMuch.status, 400);
    assert.equal(tooMuch.body.error.code, 'INSUFFICIENT_BALANCE');
    assert.equal(
      (await call(url(), 'GET', '/vault', { key: userKey })).body.balance_micro,
      500_250_000,
      'nothing moved',
    );
    const out = await call(url(), 'POST', '/vault/withdraw', { key: userKey, body: { amount: 100 } });
    assert.equal(out.status, 200, JSON.stringify(out.body));
    assert.equal(out.body.vault.balance_micro, 400_250_000);
    assert.equal(out.body.vault.wallet_micro, 100_000_000);
    const back = await call(url(), 'POST', '/vault/deposit', { key: userKey, body: { amount: 40 } });
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.equal(back.body.vault.balance_micro, 440_250_000);
    assert.equal(back.body.vault.wallet_micro, 60_000_000);
  });

  test('bad bodies are typed 400s naming the field, and change nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [{ amount: 1.0000001 }, 'AMOUNT_PRECISION'],
      [{ amount: -5 }, 'INVALID_REQUEST'],
      [{ amount: '5' }, 'INVALID_REQUEST'],
      [{ amount: 5, extra: true }, 'INVALID_REQUEST'],
      [{}, 'INVALID_REQUEST'],
    ];
    for (const [body, code] of cases) {
      const res = await call(url(), 'POST', '/vault/withdraw', { key: userKey, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, code, JSON.stringify(body));
    }
    assert.equal((await call(url(), 'GET', '/vault', { key: userKey })).body.balance_micro, 440_250_000);
    assert.equal((await call(url(), 'GET', '/vault')).status, 401, 'no credentials');
  });

  test("an MM's positions start empty; users cannot list MM positions", async () => {
    const positions = await call(url(), 'GET', '/mm/positions', { key: mmKey });
    assert.equal(positions.status, 200);
    assert.deepEqual(positions.body, { positions: [], cursor: null });
    assert.equal((await call(url(), 'GET', '/mm/positions', { key: userKey })).status, 403);
  });
});
