/**
 * An example market maker on the SDK: it reads the market catalogue over REST, prices every RFQ on
 * the board from its legs' probabilities with a margin, quotes it over the binary protocol, and
 * confirms what users accept. Run it against a gateway:
 *
 *   BOT_URL=http://127.0.0.1:3000 BOT_API_KEY=api_live_… BOT_SIGNING_KEY=<base58 secret> \
 *   BOT_MARGIN_BPS=500 node --import tsx gateway/client/exampleBot.ts
 *
 * (keys from `npm run keys`). It withdraws its quotes if it disconnects (cancel-on-disconnect).
 */
import { pathToFileURL } from 'node:url';
import { createLogger, type Logger } from '../../engine/logger.ts';
import { MmClient } from './mmClient.ts';
import { type LegPrice, priceParlay, yesProbability } from './pricing.ts';
import { RestClient } from './restClient.ts';
import type { MmEvent, Rfq, Snapshot } from './types.ts';

export interface BotOptions {
  /** The gateway's base URL (REST); the WebSocket is at `${url}/ws` unless wsUrl is given. */
  url: string;
  wsUrl?: string;
  apiKey: string;
  signingSecretKey: string;
  marginBps?: number;
  quoteValidForMs?: number;
  marketsRefreshMs?: number;
  autoConfirm?: boolean;
  logger?: Logger;
}

export interface BotStats {
  quoted: number;
  skipped: number;
  confirmed: number;
  failed: number;
}

export class ExampleBot {
  readonly stats: BotStats = { quoted: 0, skipped: 0, confirmed: 0, failed: 0 };
  private readonly rest: RestClient;
  private readonly mm: MmClient;
  private readonly logger: Logger;
  private prices = new Map<string, LegPrice>();
  private readonly quotedRfqs = new Set<string>();
  private refresh: NodeJS.Timeout | null = null;

  constructor(private readonly options: BotOptions) {
    this.logger = options.logger ?? createLogger({ name: 'example-bot' });
    this.rest = new RestClient(options.url, { apiKey: options.apiKey });
    this.mm = new MmClient({
      url: options.wsUrl ?? `${options.url.replace(/^http/, 'ws')}/ws`,
      apiKey: options.apiKey,
      signingSecretKey: options.signingSecretKey,
      cancelOnDisconnect: true,
    });
    this.mm.on('snapshot', (s) => this.onSnapshot(s));
    this.mm.on('event', (e) => this.onEvent(e));
    this.mm.on('gap', (g) => this.logger.warn(g, 'sequence gap; resyncing'));
    this.mm.on('disconnected', (d) => this.logger.warn(d, 'disconnected'));
  }

  async start(): Promise<void> {
    await this.loadMarkets();
    const refreshMs = this.options.marketsRefreshMs ?? 30_000;
    this.refresh = setInterval(() => {
      this.loadMarkets().catch((error: unknown) => this.logger.warn({ err: error }, 'market refresh failed'));
    }, refreshMs);
    this.refresh.unref();
    const auth = await this.mm.connect();
    this.logger.info({ mmId: auth.mmId, markets: this.prices.size }, 'bot running');
  }

  async stop(): Promise<void> {
    if (this.refresh) clearInterval(this.refresh);
    await this.mm.close();
  }

  private async loadMarkets(): Promise<void> {
    const prices = new Map<string, LegPrice>();
    for (const m of await this.rest.allMarkets()) {
      const yes = yesProbability(m);
      if (yes !== null && m.status === 'active') prices.set(m.ticker, { yes });
    }
    this.prices = prices;
  }

  private onSnapshot(snapshot: Snapshot): void {
    if (snapshot.channel !== 'rfqs:open') return;
    const mine = new Set(snapshot.quotes.map((q) => q.rfqId));
    for (const rfq of snapshot.rfqs) if (!mine.has(rfq.id)) this.quote(rfq);
  }

  private onEvent(e: MmEvent): void {
    if (e.type === 'rfq.created') this.quote(e.rfq);
    else if (e.type === 'quote.accepted' && (this.options.autoConfirm ?? true))
      this.confirm(e.quote.id, e.rfqId);
    else if (e.type === 'position.executed')
      this.logger.info(
        { rfqId: e.rfqId, quoteId: e.quoteId, tx: e.txUrl ?? e.signature },
        'position executed',
      );
    else if (e.type === 'position.settled')
      this.logger.info(
        { rfqId: e.rfqId, outcome: e.outcome, payoutMicro: e.payoutMicro },
        'position settled',
      );
  }

  private quote(rfq: Rfq): void {
    if (this.quotedRfqs.has(rfq.id)) return;
    const oddsFp = priceParlay(rfq.legs, this.prices, { marginBps: this.options.marginBps ?? 500 });
    if (oddsFp === null) {
      this.stats.skipped++;
      return;
    }
    this.quotedRfqs.add(rfq.id);
    this.mm
      .submitQuote({ rfqId: rfq.id, oddsFp, validForMs: this.options.quoteValidForMs ?? 60_000 })
      .then((ack) => {
        this.stats.quoted++;
        this.logger.debug({ rfqId: rfq.id, quoteId: ack.quote?.id, oddsFp }, 'quoted');
      })
      .catch((error: unknown) => {
        this.stats.failed++;
        this.quotedRfqs.delete(rfq.id);
        this.logger.warn({ rfqId: rfq.id, err: error }, 'quote refused');
      });
  }

  private confirm(quoteId: string, rfqId: string): void {
    this.mm
      .confirmQuote(quoteId)
      .then(() => {
        this.stats.confirmed++;
        this.logger.info({ rfqId, quoteId }, 'confirmed');
      })
      .catch((error: unknown) => {
        this.stats.failed++;
        this.logger.warn({ rfqId, quoteId, err: error }, 'confirm refused');
      });
  }
}

async function main(): Promise<void> {
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  const bot = new ExampleBot({
    url: env('BOT_URL'),
    apiKey: env('BOT_API_KEY'),
    signingSecretKey: env('BOT_SIGNING_KEY'),
    marginBps: Number(process.env.BOT_MARGIN_BPS ?? 500),
  });
  await bot.start();
  const stop = () => void bot.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`example bot: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
