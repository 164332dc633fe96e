import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitsFrom, readAppEnv } from '../../engine/appConfig.ts';
import { ConfigError } from '../../engine/envConfig.ts';
import { DEFAULT_LIMITS } from '../../machines/limits.ts';

test('an empty environment gives the embedded defaults and the seed limits', () => {
  const env = readAppEnv({});
  assert.equal(env.port, 3000);
  assert.equal(env.kalshiMode, 'simulator');
  assert.equal(env.databaseUrl, 'postgres://postgres@127.0.0.1:5432/parlay_rfq');
  assert.deepEqual(limitsFrom(env), DEFAULT_LIMITS);
});

test('values convert exactly: USDC to micro, odds to 1e-4, seconds to ms', () => {
  const env = readAppEnv({ MIN_BET_USDC: '12.5', MAX_ODDS: '250.25', MAX_RFQ_TTL_S: '7200', FEE_BPS: '50' });
  const limits = limitsFrom(env);
  assert.equal(limits.minBetMicro, 12_500_000);
  assert.equal(limits.maxOddsFp, 2_502_500);
  assert.equal(limits.maxRfqTtlMs, 7_200_000);
  assert.equal(limits.feeBps, 50);
});

test('every problem is reported at once, one line each, secrets never echoed', () => {
  try {
    readAppEnv({ PORT: 'eighty', KALSHI_MODE: 'prod', DATABASE_URL: 'mysql://x', MIN_BET_USDC: '1.0000001' });
    assert.fail('expected ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.problems.length, 4);
    assert.match(error.problems.join('\n'), /PORT must be an integer/);
    assert.match(error.problems.join('\n'), /KALSHI_MODE must be one of simulator, live/);
    assert.match(error.problems.join('\n'), /DATABASE_URL must use postgres: or postgresql:/);
  }
});

test('contradictory limits fail at boot', () => {
  assert.throws(() => limitsFrom(readAppEnv({ MIN_LEGS: '6' })), /minLegs must not exceed maxLegs/);
});

test('the README configuration table is the one the code declares', async () => {
  const { readFile } = await import('node:fs/promises');
  const { stackConfigTable } = await import('../../main.ts');
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const between = /<!-- config-table -->\n([\s\S]*?)\n<!-- \/config-table -->/.exec(readme)?.[1];
  assert.equal(between, stackConfigTable(), 'README table is stale: run `npm run config:table` and paste it');
});
