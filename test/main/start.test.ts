/**
 * The main job, from the outside: `npm start` as a child process on its own database, Redis prefix and
 * data dir; credentials from `npm run keys`; one parlay driven to settlement through the public
 * interfaces only (REST, the MM SDK over the binary WebSocket, the Kalshi simulator's admin HTTP);
 * then SIGTERM and a clean exit.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { MmClient } from '../../gateway/client/mmClient.ts';
import { RestClient } from '../../gateway/client/restClient.ts';

const root = new URL('../../', import.meta.url).pathname;
const stamp = `${Date.now().toString(36)}${process.pid}`;
const dataDir = mkdtempSync(join(tmpdir(), 'parlay-start-'));
const env = {
  ...process.env,
  DATABASE_URL: `postgres://postgres@127.0.0.1:5432/parlay_start_${stamp}`,
  REDIS_KEY_PREFIX: `start-${stamp}`,
  DATA_DIR: dataDir,
  PORT: '0',
  COMPAT_HTTP_PORT: '0',
  KALSHI_SIM_PORT: '0',
  // Settlement must come from the Kalshi lifecycle feed: the poll would not run within the test.
  SETTLEMENT_POLL_MS: '600000',
  LOG_LEVEL: 'info',
};

let child: ChildProcess;
let output = '';
const exited = () => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\n--- server output ---\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

before(async () => {
  child = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  await until('the banner', () => (output.includes('parlay-rfq is running') ? true : undefined), 60_000);
});

after(async () => {
  if (child.exitCode === null) {
    child.kill('SIGKILL');
    await exited();
  }
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await client.connect();
  await client.query(`drop database if exists "parlay_start_${stamp}" with (force)`);
  await client.end();
  const redis = new Redis();
  const keys = await redis.keys(`{start-${stamp}}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  rmSync(dataDir, { recursive: true, force: true });
});

test('npm start runs the stack; one parlay goes to settlement through the public interfaces; SIGTERM stops it cleanly', async () => {
  const rest = /REST \+ MM WebSocket\s+(\S+)/.exec(output)?.[1];
  const ws = /\(WebSocket (\S+);/.exec(output)?.[1];
  const admin = /admin (http\S+)\)/.exec(output)?.[1];
  assert.ok(rest && ws && admin, `banner names every endpoint:\n${output}`);

  const minted = await promisify(execFile)('npm', ['run', '--silent', 'keys', '--', '--json'], {
    cwd: root,
    env,
  });
  const keys = JSON.parse(minted.stdout) as {
    user: { id: string; apiKey: string };
    mm: { id: string; apiKey: string; signingSecretKey: string };
  };
  const user = new RestClient(rest, { apiKey: keys.user.apiKey });
  const mmRest = new RestClient(rest, { apiKey: keys.mm.apiKey });
  await user.request('POST', '/vault/faucet', { amount: 200 });
  await mmRest.request('POST', '/vault/faucet', { amount: 5_000 });

  // The MM quotes every new RFQ at 3.0× and confirms whatever is accepted.
  const mm = new MmClient({ url: ws, apiKey: keys.mm.apiKey, signingSecretKey: keys.mm.signingSecretKey });
  mm.on('event', (e) => {
    if (e.type === 'rfq.created') void mm.submitQuote({ rfqId: e.rfq.id, oddsFp: 30_000 });
    if (e.type === 'quote.accepted') void mm.confirmQuote(e.quote.id);
  });
  await mm.connect();

  // Two yes legs on independent markets, both closing well after the RFQ.
  const markets = (await user.allMarkets()).filter(
    (m) => m.status === 'active' && m.close_time && Date.parse(m.close_time) > Date.now() + 3_600_000,
  );
  const legs: string[] = [];
  const events = new Set<string>();
  for (const m of markets) {
    if (legs.length === 2) break;
    if (!m.ticker || !m.event_ticker || events.has(m.event_ticker)) continue;
    legs.push(m.ticker);
    events.add(m.event_ticker);
  }
  const ticket = await user.createRfq({
    legs: legs.map((t) => ({ kalshi_market_ticker: t, side: 'yes' as const })),
    bet_amount: 50,
  });
  const quote = await until('a quote', async () => (await user.getRfq(ticket.id)).quotes?.[0]);
  assert.equal(quote.payout_odds, 3);
  await user.acceptQuote(ticket.id, quote.id);
  const executed = await until('execution on chain', async () => {
    const view = await user.getRfq(ticket.id);
    return view.status === 'executed' ? view : undefined;
  });
  assert.match(String(executed.position_pda), /^[1-9A-HJ-NP-Za-km-z]{32,44}$/);

  // Both legs resolve yes on "Kalshi": the user wins 3.0× minus the 1% fee on the MM's risk.
  for (const ticker of legs) {
    for (const [action, body] of [
      ['determine', { result: 'yes' }],
      ['finalize', undefined],
    ] as const) {
      const res = await fetch(`${admin}/markets/${ticker}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body && { body: JSON.stringify(body) }),
      });
      assert.ok(res.ok, `${action} ${ticker}: ${res.status}`);
    }
  }
  const settled = await until('settlement', async () => {
    const view = await user.getRfq(ticket.id);
    return view.status === 'settled' ? view : undefined;
  });
  assert.equal(settled.position_status, 'settled_win');
  const vault = await user.request<{ balance_micro: number; locked_micro: number }>('GET', '/vault');
  // The stake never left the vault (locked, then unlocked): 200 + the MM's 100 risk − 1% fee on it = 299.
  assert.equal(vault.balance_micro, 299_000_000);
  assert.equal(vault.locked_micro, 0);
  await mm.close();

  // npm forwards SIGTERM to the server and reports the signal itself; the server's own log shows it
  // stopped in order (no new connections, snapshots and records flushed, sockets closed).
  const gone = exited();
  child.kill('SIGTERM');
  await until('the server to stop', () => (output.includes('"msg":"stopped"') ? true : undefined));
  await gone;
  assert.match(output, /"msg":"shutting down: no new connections, flushing snapshots and records"/);
  assert.doesNotMatch(output, /"level":50|"level":60/, 'no errors logged on the way down');
});
