import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, verify } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { KalshiClient } from '../../engine/markets/client.ts';
import { KalshiHttpError } from '../../engine/markets/errors.ts';
import { createKalshiSigner, signingMessage } from '../../engine/markets/signer.ts';
import { type KalshiSimulator, startKalshiSimulator } from '../../engine/markets/simulator/server.ts';
import { FakeClock } from './helpers/fakeClock.ts';
import { fixtureCatalogue, LADDER } from './helpers/fixtures.ts';
import { waitFor } from './helpers/wait.ts';

const pair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const KEY_ID = 'a952bcbe-ec3b-4b5b-b8f9-11dae589608c';

describe('Kalshi API-key signing', () => {
  const keys = pair();
  let sim: KalshiSimulator;
  before(async () => {
    sim = await startKalshiSimulator({
      port: 0,
      catalogue: fixtureCatalogue(),
      auth: { keyId: KEY_ID, publicKeyPem: keys.publicKey },
    });
  });
  after(() => sim.close());

  it('signs timestamp + METHOD + path (with /trade-api/v2, without the query) with RSA-PSS/SHA-256', async () => {
    const clock = new FakeClock();
    const client = new KalshiClient({
      config: { baseUrl: sim.url, maxRetries: 0, apiKeyId: KEY_ID, privateKeyPem: keys.privateKey },
      clock,
    });
    const { markets } = await client.getMarkets([LADDER[0], LADDER[1]]);
    assert.equal(markets.size, 2);
    const request = sim.admin.requests.at(-1);
    assert.ok(request);
    assert.equal(request.query.get('tickers'), `${LADDER[0]},${LADDER[1]}`, 'the query was sent…');
    assert.equal(request.headers.key, KEY_ID);
    assert.equal(request.headers.timestamp, String(clock.now()), 'KALSHI-ACCESS-TIMESTAMP is in ms');
    const message = `${clock.now()}GET/trade-api/v2/markets`; // …but not signed
    const ok = verify(
      'sha256',
      Buffer.from(message),
      {
        key: keys.publicKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      },
      Buffer.from(request.headers.signature as string, 'base64'),
    );
    assert.ok(ok, 'the signature verifies with the public key');
  });

  it('is refused by a server expecting another key, and a 401 is not retried', async () => {
    const other = pair();
    const client = new KalshiClient({
      config: { baseUrl: sim.url, maxRetries: 3, apiKeyId: KEY_ID, privateKeyPem: other.privateKey },
      clock: new FakeClock(),
    });
    const before = sim.admin.requests.length;
    await assert.rejects(
      client.getMarket(LADDER[0]),
      (e: unknown) => e instanceof KalshiHttpError && e.status === 401,
    );
    assert.equal(sim.admin.requests.length - before, 1);
  });

  it('sends no auth headers when no key is configured', async () => {
    const open = await startKalshiSimulator({ port: 0, catalogue: fixtureCatalogue() });
    await new KalshiClient({
      config: { baseUrl: open.url, maxRetries: 0 },
      clock: new FakeClock(),
    }).getMarket(LADDER[0]);
    assert.deepEqual(open.admin.requests[0]?.headers, {
      key: undefined,
      signature: undefined,
      timestamp: undefined,
    });
    await open.close();
  });

  it('never writes the key or a signature to the logs', async () => {
    let logged = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        logged += String(chunk);
        done();
      },
    });
    const clock = new FakeClock();
    const client = new KalshiClient({
      config: {
        baseUrl: sim.url,
        maxRetries: 1,
        backoffBaseMs: 10,
        apiKeyId: KEY_ID,
        privateKeyPem: keys.privateKey,
      },
      clock,
      random: () => 0,
      logger: pino({ level: 'trace' }, sink),
    });
    sim.admin.failNext(1, 503);
    const pending = client.getMarket(LADDER[0]);
    await waitFor(() => clock.pendingDelays().includes(0), 'the backoff');
    clock.advance(0);
    await pending;
    assert.match(logged, /retrying/);
    const signature = sim.admin.requests.at(-1)?.headers.signature as string;
    assert.ok(!logged.includes(signature));
    assert.ok(!logged.includes('PRIVATE KEY'));
    assert.ok(!logged.includes(keys.privateKey.split('\n')[1] as string));
  });

  it('builds the message the docs show, query stripped', () => {
    assert.equal(
      signingMessage(1703123456789, 'get', '/trade-api/v2/portfolio/orders?limit=5'),
      '1703123456789GET/trade-api/v2/portfolio/orders',
    );
    const headers = createKalshiSigner(KEY_ID, keys.privateKey).headers('GET', '/trade-api/v2/markets', 42);
    assert.deepEqual(Object.keys(headers).sort(), [
      'KALSHI-ACCESS-KEY',
      'KALSHI-ACCESS-SIGNATURE',
      'KALSHI-ACCESS-TIMESTAMP',
    ]);
    assert.throws(() => createKalshiSigner(KEY_ID, 'not a pem'));
  });

  it('refuses half a key configuration at construction', () => {
    assert.throws(() => new KalshiClient({ config: { apiKeyId: KEY_ID } }), RangeError);
  });
});
