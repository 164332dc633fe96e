import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { GatewayConfigError } from '../../gateway/config.ts';
import { startTestGateway } from './support/server.ts';

const run = promisify(execFile);

describe('startup', { timeout: 30_000 }, () => {
  test('refuses to boot on uWS’s pure-JS fallback', async () => {
    const script = "import('./gateway/uws.ts').then((m) => { m.nativeUws(); console.log('booted'); })";
    const result = await run(process.execPath, ['--import', 'tsx', '-e', script], {
      env: { ...process.env, UWS_USE_FALLBACK: '1' },
    }).catch((error: { code: number; stderr: string; stdout: string }) => error);
    assert.notEqual(result.stdout.trim(), 'booted');
    assert.match(result.stderr, /UwsNotNativeError|pure-JS fallback/);
  });

  test('a bad config fails at boot with every problem; a taken port fails cleanly', async () => {
    await assert.rejects(
      startTestGateway({ config: { maxBodyBytes: 1, sweepIntervalMs: 0 } }),
      (error: unknown) => error instanceof GatewayConfigError && error.problems.length === 2,
    );
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    const taken = (holder.address() as { port: number }).port;
    await assert.rejects(startTestGateway({ config: { compatHttpPort: taken } }), /EADDRINUSE/);
    holder.close();
    const fine = await startTestGateway();
    assert.equal((await fetch(`${fine.url}/healthz`)).status, 200);
    await fine.close();
  });
});
