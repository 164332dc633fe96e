/**
 * One load run, start to finish: credentials, markets, funding, MM processes, the open-loop send,
 * the drain, and the result the report is built from. Setup problems throw SetupError (one line for
 * the operator); anything the gateway answers during the run is counted, never thrown.
 */
import { monoMs } from '../fanout/ipc.ts';
import type { LoadOptions } from './args.ts';
import {
  type Credentials,
  mintCredentials,
  readCredentials,
  SetupError,
  saveCredentials,
} from './credentials.ts';
import { Driver } from './driver.ts';
import { fundAll, fundPlan } from './fund.ts';
import { busyPct, hostTimes } from './hostCpu.ts';
import { call, isNetworkCode } from './http.ts';
import { candidates, fetchMarkets, LegPicker } from './legs.ts';
import { progressLine, StatusWriter, sumOf } from './progress.ts';
import type { RunResult } from './section.ts';
import { serverCpuSeconds } from './serverCpu.ts';
import { Tally } from './tally.ts';
import { MmPool } from './workers.ts';

export interface RunContext {
  /** Stops sending; the run drains briefly and still returns its result. */
  signal: AbortSignal;
  /** Where progress and notices go (stderr for the CLI). */
  out: NodeJS.WritableStream & { isTTY?: boolean };
  /** Postgres of the local stack, for --mint (the CLI passes DATABASE_URL). */
  databaseUrl: string;
}

/** Each user stays at or under this many writes per second: half the gateway's default budget. */
const WRITES_PER_USER_PER_SECOND = 10;
const MMS_PER_PROCESS = 100;
const DRAIN_AFTER_INTERRUPT_MS = 2_000;

export function autoUsers(o: Pick<LoadOptions, 'ratePerSecond' | 'mode'>): number {
  const writesPerRfq = o.mode === 'lifecycle' ? 2 : 1;
  return Math.max(1, Math.ceil((o.ratePerSecond * writesPerRfq) / WRITES_PER_USER_PER_SECOND));
}

async function credentialsFor(o: LoadOptions, users: number, ctx: RunContext): Promise<Credentials> {
  if (o.mint) return mintCredentials(ctx.databaseUrl, { users, mms: o.mms });
  const file = readCredentials(o.credentialsFile as string);
  if (file.mms.length < o.mms)
    throw new SetupError(
      `${o.credentialsFile} holds ${file.mms.length} MMs; --mms ${o.mms} needs ${o.mms} (mint more with \`npm run keys -- --json\`)`,
    );
  if (file.users.length === 0) throw new SetupError(`${o.credentialsFile} holds no users`);
  return { users: file.users.slice(0, o.users ?? users), mms: file.mms.slice(0, o.mms) };
}

/** Every user key must work here before the run: a wrong file would otherwise be 100 % UNAUTHORIZED. */
async function checkUsers(o: LoadOptions, creds: Credentials): Promise<void> {
  for (let i = 0; i < creds.users.length; i += 16) {
    const batch = creds.users.slice(i, i + 16);
    const answers = await Promise.all(
      batch.map((u) =>
        call(o.url, 'GET', '/rfqs?limit=1', { apiKey: u.apiKey, timeoutMs: o.requestTimeoutMs }),
      ),
    );
    answers.forEach((a, j) => {
      if (!a.ok && (a.code === 'UNAUTHORIZED' || a.code === 'FORBIDDEN'))
        throw new SetupError(
          `user ${batch[j]?.id} is refused by ${o.url} (${a.code}): are the credentials for this gateway?`,
        );
    });
  }
}

export async function runLoad(o: LoadOptions, ctx: RunContext): Promise<RunResult> {
  const status = new StatusWriter(ctx.out, o.progress);
  const log = (line: string) => status.log(line);
  const wsUrl = `${o.url.replace(/^http/, 'ws')}/ws`;

  let markets: Awaited<ReturnType<typeof fetchMarkets>>;
  try {
    markets = await fetchMarkets(o.url, o.requestTimeoutMs);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'ERROR';
    throw new SetupError(
      isNetworkCode(code)
        ? `cannot reach the gateway at ${o.url} (${code}): is it running? (npm start, or pass --url)`
        : `GET ${o.url}/markets failed: ${code} ${(error as Error).message}`,
    );
  }
  const pool = candidates(markets, o.rfqTtlSeconds * 1000);
  if (pool.length < o.minLegs)
    throw new SetupError(
      `${o.url}/markets lists ${markets.length} markets but only ${pool.length} are active, binary, priced and open well past the RFQ expiry: a parlay needs ${o.minLegs}`,
    );
  const legs = new LegPicker(pool, o.minLegs, o.maxLegs);

  const wantedUsers = o.users ?? autoUsers(o);
  const creds = await credentialsFor(o, wantedUsers, ctx);
  if (o.saveCredentials) saveCredentials(o.saveCredentials, creds);
  await checkUsers(o, creds);
  const perUser = (o.ratePerSecond * (o.mode === 'lifecycle' ? 2 : 1)) / creds.users.length;
  if (perUser > 20)
    log(
      `! ${creds.users.length} users at ${perUser.toFixed(0)} writes/s each: over the default budget (20/s), expect RATE_LIMITED`,
    );
  if (o.fund) {
    const plan = fundPlan({
      betUsdc: o.betUsdc,
      rfqsPerUser: Math.ceil((o.ratePerSecond * o.durationMs) / 1000 / creds.users.length),
      lifecycle: o.mode === 'lifecycle',
    });
    log(
      `funding ${creds.users.length} users (${plan.userUsdc} USDC) and ${creds.mms.length} MMs (${plan.mmUsdc} USDC) from the dev faucet…`,
    );
    await fundAll(o.url, creds, plan, o.requestTimeoutMs);
  }

  const processes = Math.max(1, o.processes ?? Math.ceil(o.mms / MMS_PER_PROCESS));
  const mms = new MmPool();
  try {
    const connect = await mms.start(
      {
        wsUrl,
        mode: o.mode,
        totalMms: creds.mms.length,
        quotesPerRfq: o.quotesPerRfq,
        userIds: creds.users.map((u) => u.id),
        prices: pool.map((c) => [c.ticker, c.yes]),
        marginBps: o.marginBps,
        quoteValidForMs: 30_000,
        connectTimeoutMs: 15_000,
      },
      creds.mms.map((m, index) => ({ ...m, index })),
      processes,
    );
    if (connect.connected === 0)
      throw new SetupError(`no MM could connect: ${connect.firstFailure ?? 'unknown reason'}`);
    if (connect.firstFailure)
      log(
        `! ${creds.mms.length - connect.connected} of ${creds.mms.length} MMs did not connect (first: ${connect.firstFailure}); going on with ${connect.connected}`,
      );
    log(
      `${connect.connected} MMs connected in ${mms.processes} process(es) to ${wsUrl}; ${creds.users.length} users; sending ${o.ratePerSecond} RFQ/s for ${o.durationMs / 1000} s (${o.mode})`,
    );
    return await measure(o, ctx, { mms, legs, creds, connect, status });
  } finally {
    await mms.stop();
    status.end();
  }
}

async function measure(
  o: LoadOptions,
  ctx: RunContext,
  parts: {
    mms: MmPool;
    legs: LegPicker;
    creds: Credentials;
    connect: Awaited<ReturnType<MmPool['start']>>;
    status: StatusWriter;
  },
): Promise<RunResult> {
  const { mms, status, connect } = parts;
  const tally = new Tally();
  const networkSeen = new Set<string>();
  const driver = new Driver({
    baseUrl: o.url,
    mode: o.mode,
    users: parts.creds.users,
    legs: parts.legs,
    betUsdc: o.betUsdc,
    rfqTtlSeconds: o.rfqTtlSeconds,
    acceptAfterMs: o.acceptAfterMs,
    requestTimeoutMs: o.requestTimeoutMs,
    tally,
    onAcked: (id, dueAt) => mms.sent(id, dueAt),
    onNetworkError: (code, message) => {
      if (networkSeen.has(code)) return;
      networkSeen.add(code);
      status.log(`! requests to ${o.url} failing: ${code} (${message}); counted, the run goes on`);
    },
  });
  mms.onNotice = (text) => status.log(text);
  mms.onStats = (s) => {
    for (const [id, at] of s.executed) driver.onExecuted(id, at);
    for (const [id, why] of s.ended) driver.onEnded(id, why);
  };
  const serverCpuBefore = await serverCpuSeconds(o.url, 2_000);
  mms.mark();
  const cpuStart = process.cpuUsage();
  const hostStart = hostTimes();
  let hostLast = hostStart;
  const start = monoMs();
  const snapshot = () => ({
    elapsedMs: monoMs() - start,
    durationMs: o.durationMs,
    lifecycle: o.mode === 'lifecycle',
    tally,
    workers: mms.latest(),
    expectedPerRfq: connect.connected,
    driverCpuPct: (() => {
      const c = process.cpuUsage(cpuStart);
      return (c.user + c.system) / 10 / Math.max(1, monoMs() - start);
    })(),
    hostBusyPct: (() => {
      const now = hostTimes();
      const pct = busyPct(hostLast, now);
      hostLast = now;
      return pct;
    })(),
  });
  const ticker = setInterval(() => status.status(progressLine(snapshot())), 1_000);
  try {
    await driver.run(o.ratePerSecond, o.durationMs, ctx.signal);
    const interrupted = ctx.signal.aborted;
    const sendMs = interrupted ? Math.min(monoMs() - start, o.durationMs) : o.durationMs;
    const drainMs = interrupted
      ? DRAIN_AFTER_INTERRUPT_MS
      : (o.drainMs ?? (o.mode === 'lifecycle' ? 20_000 : 10_000));
    const deadline = monoMs() + drainMs;
    await driver.settle(deadline);
    await drain(o, driver, mms, tally, connect.connected, deadline, ctx.signal);
    clearInterval(ticker);
    const workers = await mms.finish();
    status.status(progressLine({ ...snapshot(), workers }), true);
    const measuredMs = monoMs() - start;
    const cpu = process.cpuUsage(cpuStart);
    const serverCpuAfter = await serverCpuSeconds(o.url, 2_000);
    return {
      options: o,
      users: parts.creds.users.length,
      processes: mms.processes,
      connectedMms: connect.connected,
      connectFailures: connect.failures,
      sendMs,
      measuredMs,
      interrupted,
      tally,
      workers,
      deadProcesses: mms.deadProcesses,
      driverCpuMs: (cpu.user + cpu.system) / 1000,
      hostBusyPct: busyPct(hostStart, hostTimes()),
      serverCpuMs:
        serverCpuBefore !== null && serverCpuAfter !== null
          ? (serverCpuAfter - serverCpuBefore) * 1000
          : null,
    };
  } finally {
    clearInterval(ticker);
  }
}

/**
 * Waits for stragglers: in fan-out mode until every acknowledged RFQ reached every MM; in lifecycle
 * mode until every accepted RFQ executed or ended. Stops early when nothing moved for a while (longer
 * than the confirm window in lifecycle mode, so a confirm timeout still gets reported).
 */
async function drain(
  o: LoadOptions,
  driver: Driver,
  mms: MmPool,
  tally: Tally,
  connected: number,
  deadline: number,
  signal: AbortSignal,
): Promise<void> {
  let last = -1;
  let lastMoved = monoMs();
  const stillMs = o.mode === 'lifecycle' ? 7_000 : 3_000;
  while (monoMs() < deadline) {
    const workers = await mms.poll();
    const delivered = sumOf(workers, 'deliveries');
    const done =
      o.mode === 'fanout'
        ? delivered >= tally.acked * connected
        : driver.unresolved === 0 && driver.busy === 0;
    if (done) return;
    const progress = delivered + tally.executed + Object.values(tally.ended).reduce((a, b) => a + b, 0);
    if (progress !== last) {
      last = progress;
      lastMoved = monoMs();
    } else if (monoMs() - lastMoved > stillMs && (signal.aborted || driver.busy === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
