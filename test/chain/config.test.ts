/** The chain adapter's configuration (defaults, validation, environment) and its explorer links. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CHAIN_ENV,
  ChainConfigError,
  chainConfig,
  chainConfigFromEnv,
  DEFAULT_CHAIN_CONFIG,
} from '../../chain/config.ts';
import { explorerLinks, explorerTemplate } from '../../chain/explorer.ts';
import { configTable } from '../../engine/envConfig.ts';

describe('chain config', () => {
  test('defaults run the embedded cluster, delegated, batched', () => {
    const c = chainConfig();
    assert.equal(c.cluster, 'litesvm');
    assert.equal(c.signingMode, 'delegated');
    assert.equal(c.custody, 'local');
    assert.equal(c.batch.windowMs, 2);
    assert.deepEqual(c, { ...DEFAULT_CHAIN_CONFIG });
  });

  test('a JSON-RPC cluster needs a program id, a fee payer and a custody seed; problems are listed together', () => {
    assert.throws(
      () => chainConfig({ cluster: 'https://api.devnet.solana.com' }),
      (e: Error) =>
        e instanceof ChainConfigError &&
        /programId is required/.test(e.message) &&
        /feePayerKeypairPath is required/.test(e.message) &&
        /custodySeed is required/.test(e.message),
    );
    assert.throws(() => chainConfig({ cluster: 'ftp://x' }), /http\(s\) URL/);
    assert.throws(() => chainConfig({ custodySeed: 'xyz' }), /hex/);
    assert.throws(() => chainConfig({ batch: { maxPerTx: 0 } }), /maxPerTx/);
    assert.throws(() => chainConfig({ custody: 'privy' }), /privy settings/);
    assert.throws(
      () => chainConfig({ delegation: { ttlSeconds: 10, renewBeforeSeconds: 10 } }),
      /renewBeforeSeconds/,
    );
  });

  test('from the environment', () => {
    const c = chainConfigFromEnv({
      SOLANA_CLUSTER: 'https://api.devnet.solana.com',
      SOLANA_PROGRAM_ID: 'B3NaRdoFUXoErmq9HVLUKyCZzZVZWCUXMH9EBmZkyDfy',
      SOLANA_FEE_PAYER_KEYPAIR: '/keys/operator.json',
      SOLANA_CUSTODY_SEED: 'ab'.repeat(32),
      SOLANA_SIGNING_MODE: 'owner',
      CHAIN_BATCH_WINDOW_MS: '5',
      CHAIN_STATE_FILE: 'none',
      SOLANA_PRIORITY_FEE_MICROLAMPORTS: '0',
      SOLANA_LOOKUP_TABLES: 'A, B',
      CHAIN_DELEGATION_MAX_PER_POSITION: '250.5',
    });
    assert.equal(c.signingMode, 'owner');
    assert.equal(c.batch.windowMs, 5);
    assert.equal(c.stateFile, null);
    assert.equal(c.rpc.unitPriceMicroLamports, null);
    assert.deepEqual(c.rpc.lookupTables, ['A', 'B']);
    assert.equal(c.delegation.maxPerPositionMicro, 250_500_000);
    assert.match(configTable(CHAIN_ENV), /\| `SOLANA_CLUSTER` \| `litesvm` \|/);
    assert.throws(() => chainConfigFromEnv({ SOLANA_SIGNING_MODE: 'both' }), /SOLANA_SIGNING_MODE/);
  });
});

describe('explorer links', () => {
  const link = (cluster: string, explorerUrl: string | null = null) =>
    explorerLinks(explorerTemplate({ cluster, explorerUrl }));

  test('cluster-aware', () => {
    assert.equal(
      link('https://api.devnet.solana.com')('tx', 'SIG'),
      'https://explorer.solana.com/tx/SIG?cluster=devnet',
    );
    assert.equal(
      link('https://api.testnet.solana.com')('address', 'A'),
      'https://explorer.solana.com/address/A?cluster=testnet',
    );
    assert.equal(
      link('https://api.mainnet-beta.solana.com')('tx', 'SIG'),
      'https://explorer.solana.com/tx/SIG',
    );
    assert.equal(
      link('http://10.0.0.5:8899')('tx', 'SIG'),
      'https://explorer.solana.com/tx/SIG?cluster=custom&customUrl=http%3A%2F%2F10.0.0.5%3A8899',
    );
    assert.equal(link('litesvm')('tx', 'SIG'), 'litesvm://tx/SIG');
    assert.equal(
      link('litesvm', 'http://localhost:3000/chain/{kind}/{value}')('address', 'A'),
      'http://localhost:3000/chain/address/A',
    );
  });
});
