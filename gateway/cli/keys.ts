/**
 * `npm run keys -- [--user <id>] [--mm <id>] [--label <text>] [--json]`
 *
 * Mints a user API key, an MM API key with its Ed25519 signing keypair, and a dev bearer token for
 * the user, and prints them: the only time they are shown (the store keeps SHA-256 hashes). The
 * composition root (main.ts) runs this with the same identity store and dev-token secret as the
 * server, so what it prints works against `npm start` at once.
 */
import { parseArgs } from 'node:util';
import type { IdentityStore } from '../../engine/ports/identity.ts';
import type { DevJwtConfig } from '../config.ts';
import { mintKeys } from './mintKeys.ts';

export async function keysCommand(
  argv: string[],
  deps: { store: IdentityStore; devJwt: DevJwtConfig | null },
): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: {
      user: { type: 'string' },
      mm: { type: 'string' },
      label: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const keys = await mintKeys(deps.store, {
    ...(values.user && { userId: values.user }),
    ...(values.mm && { mmId: values.mm }),
    ...(values.label && { label: values.label }),
    devJwt: deps.devJwt,
  });
  if (values.json) return `${JSON.stringify(keys, null, 2)}\n`;
  const lines = [
    `user id             ${keys.user.id}`,
    `user api key        ${keys.user.apiKey}     (header X-API-Key, or TOTALIS_API_KEY on the compat port)`,
    ...(keys.devToken ? [`user dev token      ${keys.devToken}     (header Authorization: Bearer …)`] : []),
    `mm id               ${keys.mm.id}`,
    `mm api key          ${keys.mm.apiKey}`,
    `mm signing public   ${keys.mm.signingPublicKey}`,
    `mm signing secret   ${keys.mm.signingSecretKey}     (signs the WebSocket auth challenge; keep it)`,
  ];
  return `${lines.join('\n')}\n`;
}
