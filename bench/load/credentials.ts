/**
 * Who the generator acts as: users (an API key each) and market makers (an API key and the Ed25519
 * secret that signs the WebSocket challenge). Either read from a file the operator made with
 * `npm run keys -- --json`, or minted here straight into the identity store — which only works where
 * the generator can reach the gateway's Postgres (a local stack): the gateway has no route that mints.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { silentLogger } from '../../engine/logger.ts';
import { newSigningKeyPair } from '../../gateway/auth/signing.ts';
import { createApiKey } from '../../gateway/cli/mintKeys.ts';
import { createDb, createPool } from '../../persistence/postgres/database.ts';
import { PostgresIdentityStore } from '../../persistence/postgres/identityStore.ts';

export interface UserCreds {
  id: string;
  apiKey: string;
}

export interface MmCreds {
  id: string;
  apiKey: string;
  signingSecretKey: string;
}

export interface Credentials {
  users: UserCreds[];
  mms: MmCreds[];
}

/** A setup problem the operator must fix: printed as one line, the run does not start. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
}

const isUser = (u: unknown): u is UserCreds =>
  typeof (u as UserCreds)?.id === 'string' && typeof (u as UserCreds)?.apiKey === 'string';
const isMm = (m: unknown): m is MmCreds => isUser(m) && typeof (m as MmCreds).signingSecretKey === 'string';

/**
 * Accepts {users, mms}; an array of `npm run keys -- --json` outputs ({user, mm, devToken}); or those
 * outputs simply concatenated (what a shell loop over `npm run -s keys -- --json` prints).
 */
export function parseCredentials(text: string, source: string): Credentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    try {
      parsed = JSON.parse(`[${text.trim().replace(/}\s*{/g, '},{')}]`);
    } catch {
      throw new SetupError(
        `${source}: not JSON (expected {users, mms} or \`npm run keys -- --json\` outputs)`,
      );
    }
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const users: UserCreds[] = [];
  const mms: MmCreds[] = [];
  for (const [i, entry] of list.entries()) {
    const e = entry as { users?: unknown[]; mms?: unknown[]; user?: unknown; mm?: unknown };
    const found = [...(e.users ?? []), ...(e.user ? [e.user] : [])];
    const foundMms = [...(e.mms ?? []), ...(e.mm ? [e.mm] : [])];
    for (const u of found) {
      if (!isUser(u)) throw new SetupError(`${source}: entry ${i}: a user needs {id, apiKey}`);
      users.push({ id: u.id, apiKey: u.apiKey });
    }
    for (const m of foundMms) {
      if (!isMm(m)) throw new SetupError(`${source}: entry ${i}: an MM needs {id, apiKey, signingSecretKey}`);
      mms.push({ id: m.id, apiKey: m.apiKey, signingSecretKey: m.signingSecretKey });
    }
  }
  return { users, mms };
}

export function readCredentials(file: string): Credentials {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SetupError(
      `cannot read --credentials ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  return parseCredentials(text, file);
}

export function saveCredentials(file: string, creds: Credentials): void {
  writeFileSync(file, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Mints `users` users and `mms` MMs into the identity store at `databaseUrl` (the one the gateway
 * reads: the same DATABASE_URL as `npm start`). Ids carry a run tag so runs never collide.
 */
export async function mintCredentials(
  databaseUrl: string,
  counts: { users: number; mms: number },
): Promise<Credentials> {
  const pool = createPool(databaseUrl, 4, silentLogger());
  const store = new PostgresIdentityStore(createDb(pool));
  const tag = randomBytes(3).toString('hex');
  const label = 'npm run load --mint';
  try {
    const users: UserCreds[] = [];
    const mms: MmCreds[] = [];
    const jobs: Array<() => Promise<void>> = [];
    for (let i = 0; i < counts.users; i++) {
      const id = `load-${tag}-user-${i}`;
      jobs.push(async () => {
        users[i] = { id, apiKey: await createApiKey(store, { kind: 'user', id }, { label }) };
      });
    }
    for (let i = 0; i < counts.mms; i++) {
      const id = `load-${tag}-mm-${i}`;
      jobs.push(async () => {
        const keys = newSigningKeyPair();
        const apiKey = await createApiKey(
          store,
          { kind: 'mm', id },
          { label, signingPublicKey: keys.publicKey },
        );
        mms[i] = { id, apiKey, signingSecretKey: keys.secretKey };
      });
    }
    for (let i = 0; i < jobs.length; i += 16) await Promise.all(jobs.slice(i, i + 16).map((job) => job()));
    return { users, mms };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    const where = new URL(databaseUrl).host + new URL(databaseUrl).pathname;
    const why =
      e.code === '42P01'
        ? 'the identity tables are missing (start the gateway once so it migrates this database)'
        : e.code === '3D000'
          ? 'no such database (is DATABASE_URL the one the gateway uses?)'
          : (e.code ?? e.message ?? String(error));
    throw new SetupError(`--mint: cannot mint into Postgres at ${where}: ${why}`);
  } finally {
    await pool.end().catch(() => {});
  }
}
