import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { hashApiKey } from '../../gateway/auth/apiKeys.ts';
import { mintDevToken } from '../../gateway/auth/devToken.ts';
import { newSigningKeyPair } from '../../gateway/auth/signing.ts';
import { CLOSE } from '../../gateway/closeCodes.ts';
import { call, RFQ_BODY } from './support/http.ts';
import { JsonClient } from './support/jsonClient.ts';
import { ProtoClient } from './support/protoClient.ts';
import { startTestGateway, type TestGateway } from './support/server.ts';

let t: TestGateway;
before(async () => {
  t = await startTestGateway({
    config: { authTimeoutMs: 300, sweepIntervalMs: 20, authCache: { ttlMs: 0 } },
  });
});
after(() => t.close());

describe('REST authentication', { timeout: 30_000 }, () => {
  test('no, unknown or malformed credentials: 401 UNAUTHORIZED in the seed envelope', async () => {
    for (const options of [
      {},
      { key: 'api_live_1111111111111111111111111111111111111111' },
      { key: 'junk' },
      { token: 'not.a.jwt' },
    ]) {
      const res = await call(t.url, 'GET', '/rfqs', options);
      assert.equal(res.status, 401, JSON.stringify(options));
      assert.equal(res.body.error.code, 'UNAUTHORIZED');
    }
  });

  test('a user key cannot use MM endpoints and an MM key cannot create RFQs: 403', async () => {
    const board = await call(t.url, 'GET', '/mm/rfqs', { key: t.users[0]!.apiKey });
    assert.equal(board.status, 403);
    assert.equal(board.body.error.code, 'FORBIDDEN');
    const create = await call(t.url, 'POST', '/rfqs', { key: t.mms[0]!.apiKey, body: RFQ_BODY });
    assert.equal(create.status, 403);
  });

  test('a revoked key stops working (auth cache off here)', async () => {
    const key = t.users[1]!.apiKey;
    assert.equal((await call(t.url, 'GET', '/rfqs', { key })).status, 200);
    await t.identity.revokeKey(hashApiKey(key), Date.now());
    assert.equal((await call(t.url, 'GET', '/rfqs', { key })).status, 401);
  });

  test('a dev bearer token authenticates its user; a token signed elsewhere or expired does not', async () => {
    const token = await mintDevToken(t.devJwt, 'user-token');
    const created = await call(t.url, 'POST', '/rfqs', { token, body: RFQ_BODY });
    assert.equal(created.status, 201);
    assert.equal(created.body.user_id, 'user-token');
    const forged = await mintDevToken(
      { ...t.devJwt, secret: 'another-secret-another-secret-another' },
      'user-token',
    );
    assert.equal((await call(t.url, 'GET', '/rfqs', { token: forged })).status, 401);
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-token')
      .setIssuer(t.devJwt.issuer)
      .setAudience(t.devJwt.audience)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(t.devJwt.secret));
    assert.equal((await call(t.url, 'GET', '/rfqs', { token: expired })).status, 401);
  });

  test('with Privy configured, Privy access tokens are verified by @privy-io/server-auth', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const verificationKey = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const privy = await (await import('./support/server.ts')).startTestGateway({
      config: { privy: { appId: 'app-test', appSecret: 'secret', verificationKey }, devJwt: null },
    });
    try {
      const token = (aud: string) =>
        new SignJWT({ sid: 'session-1' })
          .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
          .setIssuer('privy.io')
          .setAudience(aud)
          .setSubject('did:privy:alice')
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(privateKey);
      const created = await call(privy.url, 'POST', '/rfqs', {
        token: await token('app-test'),
        body: RFQ_BODY,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.user_id, 'did:privy:alice');
      assert.equal((await call(privy.url, 'GET', '/rfqs', { token: await token('other-app') })).status, 401);
      const dev = await mintDevToken(t.devJwt, 'user-x');
      assert.equal(
        (await call(privy.url, 'GET', '/rfqs', { token: dev })).status,
        401,
        'dev tokens are off with Privy',
      );
    } finally {
      await privy.close();
    }
  });
});

describe('WebSocket authentication, binary mode (API key + Ed25519 over the challenge)', {
  timeout: 30_000,
}, () => {
  const refused = async (client: ProtoClient) => {
    const error = await client.next('error');
    assert.equal(error.code, 'UNAUTHORIZED');
    const closed = await client.closed;
    assert.equal(closed.code, CLOSE.AUTH_FAILED.code);
    return error;
  };

  test('a correct signature authenticates the market maker', async () => {
    const mm = t.mms[0]!;
    const client = await ProtoClient.authed(t.wsUrl, mm.apiKey, mm.signingSecretKey);
    const ok = client.frames.find((f) => f.kind.case === 'authOk')?.kind.value as { principalId: string };
    assert.equal(ok.principalId, mm.id);
    client.send({ case: 'auth', value: { apiKey: mm.apiKey } });
    const again = await client.next('error');
    assert.equal(again.code, 'INVALID_REQUEST');
    assert.match(again.detailsJson, /already authenticated/);
    client.ws.close();
  });

  test('a signature by another key is refused and the connection closed 4001', async () => {
    const client = await ProtoClient.connect(t.wsUrl);
    client.send(await client.authFrame(t.mms[0]!.apiKey, newSigningKeyPair().secretKey));
    const error = await refused(client);
    assert.match(error.detailsJson, /bad signature/);
  });

  test('a timestamp outside the 30 s window is refused, even correctly signed', async () => {
    const client = await ProtoClient.connect(t.wsUrl);
    client.send(await client.authFrame(t.mms[0]!.apiKey, t.mms[0]!.signingSecretKey, Date.now() - 31_000));
    const error = await refused(client);
    assert.match(error.detailsJson, /auth window/);
  });

  test('a captured auth frame replayed on another connection is refused (the nonce is per connection)', async () => {
    const mm = t.mms[0]!;
    const first = await ProtoClient.connect(t.wsUrl);
    const frame = await first.authFrame(mm.apiKey, mm.signingSecretKey);
    first.send(frame);
    await first.next('authOk');
    const second = await ProtoClient.connect(t.wsUrl);
    second.send(frame);
    const error = await refused(second);
    assert.match(error.detailsJson, /nonce/);
    first.ws.close();
  });

  test('keys without a signing key, unknown keys and user keys cannot use binary mode', async () => {
    for (const apiKey of [
      t.plainMm.apiKey,
      'api_live_1111111111111111111111111111111111111111',
      t.users[0]!.apiKey,
    ]) {
      const client = await ProtoClient.connect(t.wsUrl);
      client.send(await client.authFrame(apiKey, t.mms[0]!.signingSecretKey));
      await refused(client);
    }
  });

  test('commands before auth are refused without closing; silence past the auth timeout closes 4002', async () => {
    const client = await ProtoClient.connect(t.wsUrl);
    client.send({ case: 'confirmQuote', value: { requestId: 'early', quoteId: 'q' } });
    const error = await client.next('error');
    assert.equal(error.code, 'UNAUTHORIZED');
    assert.equal(error.requestId, 'early');
    const closed = await client.closed;
    assert.equal(closed.code, CLOSE.AUTH_TIMEOUT.code);
  });
});

describe('WebSocket authentication, JSON mode (the seed auth message)', { timeout: 30_000 }, () => {
  test('a bad key gets auth:error, then close 4001', async () => {
    const client = await JsonClient.connect(t.wsUrl);
    client.send({ type: 'auth', api_key: 'api_live_nope' });
    const error = await client.type('auth:error');
    assert.equal(typeof error.message, 'string');
    assert.equal(error.code, 'UNAUTHORIZED');
    assert.equal((await client.closed).code, CLOSE.AUTH_FAILED.code);
  });

  test('users may authenticate with a bearer token; MMs may add the signature in JSON too', async () => {
    const token = await mintDevToken(t.devJwt, 'user-ws');
    const user = await JsonClient.authed(t.wsUrl, { token });
    assert.equal(user.messages.find((m) => m.type === 'auth:success')?.user_type, 'user');
    await user.close();
    const mm = t.mms[1]!;
    const signed = await JsonClient.connect(t.wsUrl);
    const challenge = await signed.type('challenge');
    const { signAuth, signingKey } = await import('../../gateway/auth/signing.ts');
    const ts = Date.now();
    const signature = Buffer.from(signAuth(signingKey(mm.signingSecretKey), challenge.nonce, ts)).toString(
      'base64',
    );
    signed.send({ type: 'auth', api_key: mm.apiKey, nonce: challenge.nonce, timestamp: ts, signature });
    const ok = await signed.type('auth:success');
    assert.equal(ok.user_id, mm.id);
    assert.equal(ok.user_type, 'market_maker');
    const badSig = await JsonClient.connect(t.wsUrl);
    const c2 = await badSig.type('challenge');
    badSig.send({ type: 'auth', api_key: mm.apiKey, nonce: c2.nonce, timestamp: ts, signature });
    await badSig.type('auth:error');
    assert.equal((await badSig.closed).code, CLOSE.AUTH_FAILED.code);
    await signed.close();
  });

  test('with requireSignatureInJsonMode, an MM key alone is refused', async () => {
    const strict = await startTestGateway({ config: { requireSignatureInJsonMode: true } });
    try {
      const client = await JsonClient.connect(strict.wsUrl);
      client.send({ type: 'auth', api_key: strict.mms[0]!.apiKey });
      await client.type('auth:error');
      assert.equal((await client.closed).code, CLOSE.AUTH_FAILED.code);
      const user = await JsonClient.authed(strict.wsUrl, { api_key: strict.users[0]!.apiKey });
      await user.close();
    } finally {
      await strict.close();
    }
  });
});
