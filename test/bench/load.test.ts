/**
 * The load generator against a real stack (main.ts startStack: Postgres, Redis, litesvm, the Kalshi
 * simulator, the gateway) on a database and key prefix of its own: a few seconds at a low rate in
 * each mode, with keys minted straight into the store and vaults funded from the faucet. Counts are
 * checked for consistency; no time is asserted.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { allErrors, BENIGN_ERRORS, type RunResult } from '../../bench/load/section.ts';
import { load } from '../../bench/load.ts';
import type { Report } from '../../bench/report.ts';
import { silentLogger } from '../../engine/logger.ts';
import { readStackConfig, type Stack, startStack } from '../../main.ts';
import { cleanup, freshNames } from '../persistence/support.ts';

/** The gateway refuses a key's very first binary auth (see the worker); the generator retries it. */

const names = freshNames();
const dataDir = mkdtempSync(join(tmpdir(), 'parlay-load-test-'));
let stack: Stack;
let output = '';

async function run(args: string[]): Promise<{ result: RunResult; report: Report }> {
  const out = new PassThrough();
  out.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const outcome = await load(
    ['--url', stack.urls.rest, '--mint', '--fund', '--no-progress', '--drain', '15s', ...args],
    { signal: new AbortController().signal, out, databaseUrl: names.databaseUrl },
  );
  assert.notEqual(outcome, 'help');
  return outcome as { result: RunResult; report: Report };
}

function unexpectedErrors(result: RunResult): string[] {
  return Object.keys(allErrors(result)).filter((k) => !BENIGN_ERRORS.has(k));
}

describe('load generator against a real stack', { timeout: 120_000 }, () => {
  before(async () => {
    const config = readStackConfig({
      PORT: '0',
      COMPAT_HTTP_PORT: '0',
      KALSHI_SIM_PORT: '0',
      DATABASE_URL: names.databaseUrl,
      REDIS_URL: names.redisUrl,
      REDIS_KEY_PREFIX: names.keyPrefix,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    });
    stack = await startStack(config, silentLogger());
  });

  after(async () => {
    await stack?.close();
    await cleanup(names);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('fan-out: every acknowledged RFQ reaches every MM, and the report says so', async (t) => {
    const json = join(dataDir, 'fanout.json');
    const markdown = join(dataDir, 'fanout.md');
    const { result, report } = await run([
      ...['--mode', 'fanout', '--mms', '3', '--rate', '5', '--duration', '3s'],
      ...['--json', json, '--markdown', markdown],
    ]);
    for (const line of output.trim().split('\n')) t.diagnostic(line);
    const t0 = result.tally;
    assert.equal(result.connectedMms, 3);
    assert.ok(t0.acked > 0, 'some RFQs were acknowledged');
    assert.equal(t0.sent, t0.acked + t0.failed);
    const deliveries = result.workers.reduce((sum, w) => sum + w.deliveries, 0);
    assert.equal(deliveries, t0.acked * 3, 'every acknowledged RFQ reached every MM');
    assert.deepEqual(unexpectedErrors(result), []);

    const section = report.sections[0];
    assert.ok(section);
    const received = section.figures.find((f) => f.name.startsWith('deliveries received'));
    assert.equal(received?.value, deliveries);
    assert.equal(received?.met, true);
    assert.ok(section.notes.some((n) => n.startsWith('No baseline')));
    assert.equal(section.distributions[0]?.samplesMs.length, Math.min(2_000, deliveries));
    assert.equal((JSON.parse(readFileSync(json, 'utf8')) as Report).sections[0]?.title, section.title);
    assert.match(readFileSync(markdown, 'utf8'), /## Load generator: fanout against/);
    assert.ok(existsSync(join(dataDir, 'fanout.svg')));
  });

  test('lifecycle: quotes, accepts and confirms end in executed positions', async (t) => {
    output = '';
    const { result } = await run([
      ...['--mode', 'lifecycle', '--mms', '2', '--quotes-per-rfq', '2'],
      ...['--rate', '3', '--duration', '3s', '--accept-after', '150'],
    ]);
    for (const line of output.trim().split('\n')) t.diagnostic(line);
    const t0 = result.tally;
    assert.deepEqual(unexpectedErrors(result), []);
    assert.ok(t0.acked > 0);
    assert.ok(t0.executed >= 1, 'at least one position executed');
    assert.equal(t0.quoted + t0.unquoted, t0.acked, 'every acknowledged RFQ was looked at');
    assert.ok(t0.accepted <= t0.quoted);
    const ended = Object.values(t0.ended).reduce((a, b) => a + b, 0);
    assert.equal(t0.executed + ended, t0.accepted, 'every accepted RFQ executed or ended');
    assert.equal(t0.acceptToExecuted.total, t0.executed);
  });
});
