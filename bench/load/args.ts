/** The load generator's command line: every option, its default, and the usage text. */
import { parseArgs } from 'node:util';

export type LoadMode = 'fanout' | 'lifecycle';

export interface LoadOptions {
  url: string;
  mode: LoadMode;
  mms: number;
  /** Null: enough users that none goes over half the gateway's default write budget (20/s). */
  users: number | null;
  ratePerSecond: number;
  durationMs: number;
  /** Null: one MM process per 100 MMs. */
  processes: number | null;
  credentialsFile: string | null;
  mint: boolean;
  saveCredentials: string | null;
  fund: boolean;
  jsonOut: string | null;
  markdownOut: string | null;
  betUsdc: number;
  rfqTtlSeconds: number;
  minLegs: number;
  maxLegs: number;
  /** Lifecycle: how many MMs quote each RFQ (spread evenly over the MMs). */
  quotesPerRfq: number;
  acceptAfterMs: number;
  marginBps: { min: number; max: number };
  /** Null: 10 s in fan-out mode, 20 s in lifecycle mode. */
  drainMs: number | null;
  requestTimeoutMs: number;
  progress: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `npm run load -- [options]

  --url URL               gateway base URL (default http://127.0.0.1:3000; WebSocket at URL/ws)
  --mode fanout|lifecycle fanout: users create RFQs, MMs count receipts (default)
                          lifecycle: MMs quote, users accept the best quote, MMs confirm → executed
  --mms N                 market makers (default 10)
  --users N               users creating RFQs (default: enough for ≤ 10 writes/s each)
  --rate R                RFQs per second, open loop (default 50)
  --duration D            how long to send: 30s, 2m, 500ms (default 10s)
  --processes K           child processes holding the MM connections (default ⌈mms / 100⌉)
  --credentials FILE      pre-minted keys: {"users":[{id,apiKey}],"mms":[{id,apiKey,signingSecretKey}]},
                          or the output of several \`npm run keys -- --json\` concatenated
  --mint                  mint keys straight into the identity store at DATABASE_URL (a local stack only)
  --save-credentials FILE write the keys used (minted or loaded) to FILE
  --fund                  call POST /vault/faucet for every principal first (embedded cluster only)
  --bet USDC              bet per RFQ (default 11, the smallest the default limits allow)
  --rfq-ttl S             RFQ expiry in seconds (default 60, the shortest allowed)
  --legs MIN-MAX          legs per RFQ (default 2-5)
  --quotes-per-rfq Q      lifecycle: MMs quoting each RFQ (default 3)
  --accept-after MS       lifecycle: how long a user waits for quotes before accepting (default 250)
  --margin MIN-MAX        lifecycle: MM margin under fair odds, basis points, random per quote (default 200-800)
  --drain D               after sending, how long to wait for stragglers (default 10s fanout, 20s lifecycle)
  --timeout D             per REST request (default 10s)
  --json FILE             write the report (the suite's JSON shape)
  --markdown FILE         write the report as Markdown (+ FILE.svg, the latency chart)
  --no-progress           no live progress line
  --help
`;

/** "30s", "2m", "500ms", "1h", or a bare number of seconds → ms. */
export function parseDuration(text: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${name}: expected a duration like 30s, 2m or 500ms, got "${text}"`);
  const scale = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * scale);
}

function positive(text: string | undefined, name: string, fallback: number, integer = true): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`${name}: expected a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
  return n;
}

function range(text: string | undefined, name: string, fallback: [number, number]): [number, number] {
  if (text === undefined) return fallback;
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  const lo = Number(m?.[1]);
  const hi = Number(m?.[2] ?? m?.[1]);
  if (!m || lo > hi) throw new UsageError(`${name}: expected MIN-MAX (e.g. 2-5), got "${text}"`);
  return [lo, hi];
}

export function parseLoadArgs(argv: string[]): LoadOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        url: { type: 'string' },
        mode: { type: 'string' },
        mms: { type: 'string' },
        users: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        processes: { type: 'string' },
        credentials: { type: 'string' },
        mint: { type: 'boolean' },
        'save-credentials': { type: 'string' },
        fund: { type: 'boolean' },
        bet: { type: 'string' },
        'rfq-ttl': { type: 'string' },
        legs: { type: 'string' },
        'quotes-per-rfq': { type: 'string' },
        'accept-after': { type: 'string' },
        margin: { type: 'string' },
        drain: { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'string' },
        markdown: { type: 'string' },
        'no-progress': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  const str = (k: string) => values[k] as string | undefined;
  const mode = str('mode') ?? 'fanout';
  if (mode !== 'fanout' && mode !== 'lifecycle')
    throw new UsageError(`--mode: expected fanout or lifecycle, got "${mode}"`);
  const url = str('url') ?? 'http://127.0.0.1:3000';
  if (!/^https?:\/\/[^/]+/.test(url))
    throw new UsageError(`--url: expected http(s)://host:port, got "${url}"`);
  if (values.mint && str('credentials'))
    throw new UsageError('--mint and --credentials exclude each other: mint new keys, or use the file');
  if (!values.mint && !str('credentials'))
    throw new UsageError(
      'credentials needed: --credentials FILE (from `npm run keys -- --json`), or --mint against a local stack',
    );
  const [minLegs, maxLegs] = range(str('legs'), '--legs', [2, 5]);
  const [marginMin, marginMax] = range(str('margin'), '--margin', [200, 800]);
  if (marginMax >= 10_000) throw new UsageError('--margin: basis points below 10000');
  const processes = str('processes');
  const users = str('users');
  const drain = str('drain');
  return {
    url: url.replace(/\/+$/, ''),
    mode,
    mms: positive(str('mms'), '--mms', 10),
    users: users === undefined ? null : positive(users, '--users', 1),
    ratePerSecond: positive(str('rate'), '--rate', 50, false),
    durationMs: parseDuration(str('duration') ?? '10s', '--duration'),
    processes: processes === undefined ? null : positive(processes, '--processes', 1),
    credentialsFile: str('credentials') ?? null,
    mint: values.mint === true,
    saveCredentials: str('save-credentials') ?? null,
    fund: values.fund === true,
    jsonOut: str('json') ?? null,
    markdownOut: str('markdown') ?? null,
    betUsdc: positive(str('bet'), '--bet', 11, false),
    rfqTtlSeconds: positive(str('rfq-ttl'), '--rfq-ttl', 60),
    minLegs,
    maxLegs,
    quotesPerRfq: positive(str('quotes-per-rfq'), '--quotes-per-rfq', 3),
    acceptAfterMs: positive(str('accept-after'), '--accept-after', 250),
    marginBps: { min: marginMin, max: marginMax },
    drainMs: drain === undefined ? null : parseDuration(drain, '--drain'),
    requestTimeoutMs: parseDuration(str('timeout') ?? '10s', '--timeout'),
    progress: values['no-progress'] !== true,
  };
}
