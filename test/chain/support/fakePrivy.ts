/**
 * A local HTTP server that answers the Privy wallet API the way Privy documents it, for the real
 * @privy-io/server-auth SDK to talk to (its `walletApi.apiURL` points here):
 *  - POST /api/v1/wallets {chain_type:"solana"} → the wallet (id, address, chain_type, policy_ids, …);
 *    the same `privy-idempotency-key` returns the same wallet;
 *  - POST /api/v1/wallets/{id}/rpc {method:"signTransaction", params:{transaction, encoding:"base64"}}
 *    → {method, data:{signed_transaction, encoding}}, signed with the wallet's key.
 * Every request must carry Basic app credentials and `privy-app-id`; RPC requests must carry a valid
 * `privy-authorization-signature` (ECDSA P-256 over the canonical JSON of version, method, url, body
 * and Privy headers) when the fake knows the app's authorization public key.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, randomUUID, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VersionedTransaction } from '@solana/web3.js';
import { NativeKeypair, signerIndex } from '../../../chain/keys.ts';

interface FakeWallet {
  id: string;
  key: NativeKeypair;
  createdAt: number;
}

export interface FakePrivyCall {
  path: string;
  rpcMethod: string | null;
  status: number;
}

/** An authorization key pair in the forms Privy uses: "wallet-auth:<base64 PKCS#8>" and its public key. */
export function authorizationKeyPair(): { privateKey: string; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey: `wallet-auth:${privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}`,
    publicKey: createPublicKey(publicKey.export({ format: 'pem', type: 'spki' })),
  };
}

/** JSON with object keys sorted, no whitespace (RFC 8785 for the strings and objects Privy signs). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export class FakePrivy {
  readonly calls: FakePrivyCall[] = [];
  readonly wallets = new Map<string, FakeWallet>();
  /** Statuses to answer the next requests with before serving them (429 to test back-off). */
  readonly failNext: number[] = [];
  private readonly byIdempotencyKey = new Map<string, FakeWallet>();
  private server!: Server;
  url = '';

  constructor(
    readonly appId: string,
    readonly appSecret: string,
    readonly authorizationPublicKey: KeyObject | null,
  ) {}

  static async start(
    appId: string,
    appSecret: string,
    authorizationPublicKey: KeyObject | null,
  ): Promise<FakePrivy> {
    const fake = new FakePrivy(appId, appSecret, authorizationPublicKey);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  rpcCalls(method = 'signTransaction'): number {
    return this.calls.filter((c) => c.rpcMethod === method && c.status === 200).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const path = req.url ?? '';
    const reply = (status: number, payload: unknown) => {
      this.calls.push({ path, rpcMethod: typeof body.method === 'string' ? body.method : null, status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const basic = `Basic ${Buffer.from(`${this.appId}:${this.appSecret}`).toString('base64')}`;
    if (req.headers.authorization !== basic || req.headers['privy-app-id'] !== this.appId)
      return reply(401, { error: 'Invalid app ID or app secret.' });
    const forced = this.failNext.shift();
    if (forced !== undefined) return reply(forced, { error: 'Too many requests', code: 'too_many_requests' });

    if (req.method === 'POST' && path === '/api/v1/wallets') {
      if (body.chain_type !== 'solana') return reply(400, { error: 'unsupported chain_type' });
      const idempotency = req.headers['privy-idempotency-key'];
      const known = typeof idempotency === 'string' ? this.byIdempotencyKey.get(idempotency) : undefined;
      const wallet = known ?? { id: randomUUID(), key: NativeKeypair.generate(), createdAt: Date.now() };
      this.wallets.set(wallet.id, wallet);
      if (typeof idempotency === 'string') this.byIdempotencyKey.set(idempotency, wallet);
      return reply(200, {
        id: wallet.id,
        address: wallet.key.publicKey.toBase58(),
        chain_type: 'solana',
        policy_ids: [],
        owner_id: null,
        additional_signers: [],
        created_at: wallet.createdAt,
        exported_at: null,
        imported_at: null,
      });
    }

    const rpc = /^\/api\/v1\/wallets\/([^/]+)\/rpc$/.exec(path);
    if (req.method === 'POST' && rpc) {
      const wallet = this.wallets.get(rpc[1] as string);
      if (!wallet) return reply(404, { error: 'Wallet not found' });
      if (this.authorizationPublicKey && !this.authorized(req, path, body))
        return reply(401, { error: 'Invalid authorization signature' });
      const params = body.params as { transaction?: string; encoding?: string } | undefined;
      if (body.method !== 'signTransaction' || params?.encoding !== 'base64' || !params.transaction)
        return reply(400, { error: 'unsupported request' });
      const tx = VersionedTransaction.deserialize(Buffer.from(params.transaction, 'base64'));
      const index = signerIndex(tx, wallet.key.publicKey);
      if (index < 0) return reply(400, { error: 'wallet is not a signer of this transaction' });
      tx.signatures[index] = wallet.key.sign(tx.message.serialize());
      return reply(200, {
        method: 'signTransaction',
        data: { signed_transaction: Buffer.from(tx.serialize()).toString('base64'), encoding: 'base64' },
      });
    }
    return reply(404, { error: 'Not found' });
  }

  private authorized(req: IncomingMessage, path: string, body: unknown): boolean {
    const signature = req.headers['privy-authorization-signature'];
    if (typeof signature !== 'string' || !this.authorizationPublicKey) return false;
    const idempotency = req.headers['privy-idempotency-key'];
    const payload = canonical({
      version: 1,
      method: req.method,
      url: `${this.url}${path}`,
      body,
      headers: {
        'privy-app-id': this.appId,
        ...(typeof idempotency === 'string' ? { 'privy-idempotency-key': idempotency } : {}),
      },
    });
    return verify(
      'sha256',
      Buffer.from(payload),
      this.authorizationPublicKey,
      Buffer.from(signature, 'base64'),
    );
  }
}
