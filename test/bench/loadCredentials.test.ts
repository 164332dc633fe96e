import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLoadArgs, UsageError } from '../../bench/load/args.ts';
import { parseCredentials, SetupError } from '../../bench/load/credentials.ts';

const keys = (n: number) => ({
  user: { id: `user-${n}`, apiKey: `api_live_u${n}` },
  mm: { id: `mm-${n}`, apiKey: `api_live_m${n}`, signingPublicKey: 'pub', signingSecretKey: `secret${n}` },
  devToken: 'a.b.c',
});

test('credentials: {users, mms}, an array of `npm run keys -- --json` outputs, or those outputs concatenated', () => {
  const direct = parseCredentials(
    JSON.stringify({
      users: [{ id: 'u', apiKey: 'k' }],
      mms: [{ id: 'm', apiKey: 'k', signingSecretKey: 's' }],
    }),
    'f',
  );
  assert.deepEqual(direct, {
    users: [{ id: 'u', apiKey: 'k' }],
    mms: [{ id: 'm', apiKey: 'k', signingSecretKey: 's' }],
  });
  const array = parseCredentials(JSON.stringify([keys(1), keys(2)]), 'f');
  const concatenated = parseCredentials(
    `${JSON.stringify(keys(1), null, 2)}\n${JSON.stringify(keys(2), null, 2)}\n`,
    'f',
  );
  assert.deepEqual(array, concatenated);
  assert.deepEqual(
    array.mms.map((m) => m.signingSecretKey),
    ['secret1', 'secret2'],
  );
  assert.throws(() => parseCredentials('{"mms":[{"id":"m","apiKey":"k"}]}', 'f'), SetupError);
  assert.throws(() => parseCredentials('not json', 'f'), SetupError);
});

test('arguments: defaults, durations, and refusals with the option named', () => {
  const o = parseLoadArgs(['--mint', '--mms', '200', '--rate', '500', '--duration', '2m']);
  assert.ok(o !== 'help');
  assert.equal(o.url, 'http://127.0.0.1:3000');
  assert.equal(o.mode, 'fanout');
  assert.equal(o.durationMs, 120_000);
  assert.equal(o.users, null);
  assert.equal(parseLoadArgs(['--help']), 'help');
  assert.throws(() => parseLoadArgs(['--mms', '200']), /credentials needed/);
  assert.throws(() => parseLoadArgs(['--mint', '--duration', 'soon']), /--duration/);
  assert.throws(() => parseLoadArgs(['--mint', '--mode', 'both']), UsageError);
  assert.throws(() => parseLoadArgs(['--mint', '--bogus']), UsageError);
});
