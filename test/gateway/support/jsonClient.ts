/**
 * A raw JSON WebSocket client (the `ws` package, no SDK): what a seed-written bot or a browser sends.
 * Messages are kept in order; `next(predicate)` waits for the first match not returned before.
 */
import WebSocket from 'ws';

// biome-ignore lint/suspicious/noExplicitAny: test messages are inspected field by field
export type Msg = Record<string, any>;

export class JsonClient {
  readonly messages: Msg[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Indexes already returned by next(): each message is matched at most once, in arrival order. */
  private readonly taken = new Set<number>();
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.messages.push(
        isBinary ? { type: '(binary)', bytes: data.length } : (JSON.parse(data.toString()) as Msg),
      );
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  static connect(
    url: string,
    protocols: string[] = [],
    options: WebSocket.ClientOptions = {},
  ): Promise<JsonClient> {
    const ws = new WebSocket(url, protocols, options);
    const client = new JsonClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The earliest message that matches and was not returned before. */
  async next(predicate: (m: Msg) => boolean = () => true): Promise<Msg> {
    for (;;) {
      for (let i = 0; i < this.messages.length; i++) {
        if (this.taken.has(i)) continue;
        const m = this.messages[i] as Msg;
        if (predicate(m)) {
          this.taken.add(i);
          return m;
        }
      }
      if (this.ws.readyState === WebSocket.CLOSED)
        throw new Error(`closed while waiting; got ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  type(type: string): Promise<Msg> {
    return this.next((m) => m.type === type);
  }

  /** Connects, authenticates by API key (the seed's auth message) and returns once auth:success came. */
  static async authed(url: string, auth: Msg, protocols: string[] = []): Promise<JsonClient> {
    const client = await JsonClient.connect(url, protocols);
    client.send({ type: 'auth', ...auth });
    const answer = await client.next((m) => m.type === 'auth:success' || m.type === 'auth:error');
    if (answer.type !== 'auth:success') throw new Error(`auth refused: ${JSON.stringify(answer)}`);
    return client;
  }

  /** Subscribes and waits for the subscription's answer (and the snapshot when not resumed). */
  async subscribe(channel: string, resume: { from_seq: number; epoch: string } | null = null): Promise<Msg> {
    this.send({ type: 'subscribe', channel, ...resume });
    const answer = await this.next(
      (m) => (m.type === 'subscribed' || m.type === 'error') && m.channel === channel,
    );
    if (answer.type === 'error') return answer;
    if (!answer.resumed) await this.next((m) => m.type === 'snapshot' && m.channel === channel);
    return answer;
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}
