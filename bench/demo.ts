/**
 * `npm run demo`: the whole stack in this process (its own database, Redis prefix, embedded chain and
 * Kalshi simulator, all removed at the end), market-maker bots with different margins over the binary
 * WebSocket (SDK), and simulated users over REST. Phase 1 trades on a shared pool of markets; phase 2
 * settles those markets through the simulator; a live view shows counts per status, latencies,
 * collateral locked against full risk and protocol fees, and a summary checks funds are conserved.
 *
 *   npm run demo -- [--rfqs 40] [--users 4] [--mms 3] [--seed 7] [--keep]
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { newSigningKeyPair } from '../gateway/auth/signing.ts';
import { createApiKey } from '../gateway/cli/mintKeys.ts';
import { ExampleBot } from '../gateway/client/exampleBot.ts';
import { type Market, RestClient } from '../gateway/client/restClient.ts';
import { formatFixed } from '../machines/money.ts';
import { StartupError } from '../main.ts';
import { type BotLine, Dashboard, render } from './demo/dashboard.ts';
import { fundsCheck } from './demo/funds.ts';
import { applyResults, drawResults } from './demo/resolver.ts';
import { DemoStats } from './demo/stats.ts';
import { runUser } from './demo/users.ts';
import { type ScratchStack, startScratchStack } from './scratchStack.ts';

const { values: args } = parseArgs({
  options: {
    rfqs: { type: 'string', default: '40' },
    users: { type: 'string', default: '4' },
    mms: { type: 'string', default: '3' },
    seed: { type: 'string', default: '7' },
    keep: { type: 'boolean', default: false },
  },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Events with several markets first (exclusive outcomes, ladders): overlapping parlays are what the risk engine nets. */
function tradingPool(markets: Market[], size: number): Market[] {
  const horizon = Date.now() + 2 * 3_600_000;
  const byEvent = new Map<string, Market[]>();
  for (const m of markets) {
    if (m.status !== 'active' || !m.event_ticker || !m.close_time || Date.parse(m.close_time) < horizon)
      continue;
    const list = byEvent.get(m.event_ticker) ?? [];
    list.push(m);
    byEvent.set(m.event_ticker, list);
  }
  const pool: Market[] = [];
  for (const list of [...byEvent.values()].sort((a, b) => b.length - a.length)) {
    pool.push(...list.slice(0, 6));
    if (pool.length >= size) break;
  }
  return pool;
}

async function main(): Promise<void> {
  // The live view owns stdout: the stack logs errors only, to stderr.
  const logger = pino({ level: 'error' }, pino.destination(2));
  const started = Date.now();
  process.stdout.write('starting the stack (Postgres, Redis, litesvm, Kalshi simulator, gateway)…\n');
  let scratch: ScratchStack;
  try {
    scratch = await startScratchStack('demo', logger, { SETTLEMENT_POLL_MS: '300', LOG_LEVEL: 'error' });
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`${error.problems.map((p) => `cannot start: ${p}`).join('\n')}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { stack } = scratch;
  const stats = new DemoStats();
  stack.engine.subscribe((e) => stats.onEvent(e));
  const random = rng(Number(args.seed));
  const url = stack.urls.rest;
  const bots: Array<{ bot: ExampleBot; line: BotLine; apiKey: string }> = [];
  const USER_FUNDS = 1_000;
  const MM_FUNDS = 100_000;
  const dashboard = new Dashboard(process.stdout);
  let phase = 'setting up';
  const draw = (force = false) =>
    dashboard.draw(
      render(
        phase,
        Date.now() - started,
        stats,
        bots.map((b) => b.line),
      ),
      force,
    );
  const ticker = setInterval(draw, 500);
  try {
    // Credentials straight into the identity store (what `npm run keys` does), funds from the dev faucet over REST.
    const users: string[] = [];
    for (let i = 1; i <= Number(args.users); i++)
      users.push(await createApiKey(stack.persistence.identity, { kind: 'user', id: `demo-user-${i}` }));
    const margins = [250, 600, 1_200, 400, 900];
    for (let i = 1; i <= Number(args.mms); i++) {
      const keys = newSigningKeyPair();
      const mmId = `demo-mm-${i}`;
      const apiKey = await createApiKey(
        stack.persistence.identity,
        { kind: 'mm', id: mmId },
        { signingPublicKey: keys.publicKey },
      );
      await new RestClient(url, { apiKey }).request('POST', '/vault/faucet', { amount: MM_FUNDS });
      const marginBps = margins[(i - 1) % margins.length] as number;
      const bot = new ExampleBot({
        url,
        wsUrl: stack.urls.ws,
        apiKey,
        signingSecretKey: keys.secretKey,
        marginBps,
        autoConfirm: true,
        logger,
      });
      bots.push({ bot, apiKey, line: { mmId, marginBps, stats: bot.stats } });
    }
    for (const apiKey of users)
      await new RestClient(url, { apiKey }).request('POST', '/vault/faucet', { amount: USER_FUNDS });
    for (const { bot } of bots) await bot.start();

    phase = 'phase 1: trading';
    const pool = tradingPool(await new RestClient(url).allMarkets(), 36);
    const budget = { remaining: Number(args.rfqs) };
    await Promise.all(
      users.map((apiKey) => runUser({ url, apiKey, pool, budget, stats, random, stopped: () => false })),
    );
    for (let i = 0; i < 100 && (stats.counts().accepted > 0 || stats.counts().confirmed > 0); i++)
      await sleep(100);

    phase = 'phase 2: settling the markets through the Kalshi simulator';
    const tickers = [...new Set([...stats.openPositions].flatMap((id) => stats.legsOf.get(id) ?? []))];
    const results = drawResults(stack.markets.facts(tickers), random, 0.15);
    if (stack.simulator) await applyResults(stack.simulator.adminUrl, results);
    for (let i = 0; i < 600 && stats.openPositions.size > 0; i++) await sleep(100);

    phase = 'done';
    clearInterval(ticker);
    draw(true);
    const minted = (users.length * USER_FUNDS + bots.length * MM_FUNDS) * 1_000_000;
    const funds = await fundsCheck(stack, url, [...users, ...bots.map((b) => b.apiKey)], minted);
    const positions = stats.wins + stats.losses + stats.voids;
    process.stdout.write(
      [
        '',
        'summary',
        `  ${stats.status.size} RFQs, ${positions} on-chain positions settled or refunded, ${stats.openPositions.size} still open`,
        `  collateral: ${((100 * stats.collateralLockedMicro) / Math.max(1, stats.riskLockedMicro)).toFixed(1)}% of full risk locked (incremental worst case over each MM's book)`,
        `  protocol fees ${formatFixed(stats.feesMicro, 6)} USDC; users were paid ${formatFixed(stats.paidToUsersMicro, 6)} USDC on ${stats.wins} wins`,
        `  funds: minted ${formatFixed(funds.mintedMicro, 6)} USDC = vaults ${formatFixed(funds.vaultsMicro, 6)} + wallets ${formatFixed(funds.walletsMicro, 6)} + treasury ${formatFixed(funds.treasuryMicro, 6)} → ${funds.conserved ? 'conserved to the micro-unit' : 'NOT CONSERVED'}`,
        '',
      ].join('\n'),
    );
    if (!funds.conserved || stats.openPositions.size > 0) process.exitCode = 1;
  } finally {
    clearInterval(ticker);
    for (const { bot } of bots) await bot.stop().catch(() => {});
    await scratch.dispose({ keep: args.keep });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
