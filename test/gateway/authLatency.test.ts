/**
 * Regression: a key lookup that takes real time (Postgres) must not corrupt the signature it checks.
 * The protobuf decoder returns `bytes` fields as views onto the frame, and uWS reuses a message's
 * buffer once its callback returns: the first login of every new MM key failed with "bad signature"
 * until the key sat in the auth cache.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newSigningKeyPair } from '../../gateway/auth/signing.ts';
import { createApiKey } from '../../gateway/cli/mintKeys.ts';
import { MmClient } from '../../gateway/client/mmClient.ts';
import { startTestGateway, type TestGateway } from './support/server.ts';

let t: TestGateway;

before(async () => {
  t = await startTestGateway({ config: { authCache: { ttlMs: 0, maxEntries: 1 } } });
  // Every lookup now answers after 30 ms, as a database round trip under load would.
  const lookup = t.identity.findByKeyHash.bind(t.identity);
  t.identity.findByKeyHash = async (hash) => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    return lookup(hash);
  };
});
after(() => t.close());

test('a brand-new MM key logs in over the binary protocol on the first attempt, whatever the lookup latency', async () => {
  for (let i = 0; i < 3; i++) {
    const keys = newSigningKeyPair();
    const apiKey = await createApiKey(
      t.identity,
      { kind: 'mm', id: `fresh-mm-${i}` },
      { signingPublicKey: keys.publicKey },
    );
    const mm = new MmClient({ url: t.wsUrl, apiKey, signingSecretKey: keys.secretKey, reconnect: false });
    const auth = await mm.connect();
    assert.equal(auth.mmId, `fresh-mm-${i}`);
    await mm.close();
  }
});
