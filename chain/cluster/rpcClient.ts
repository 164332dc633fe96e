/**
 * The few Solana JSON-RPC methods the chain actor uses, over fetch. Written here rather than taken from
 * web3.js's Connection because the sender needs what Connection drops: the structured `err` of a failed
 * preflight (which instruction, which custom code), and full control of retries (maxRetries 0).
 */
import { getBase58Decoder } from '@solana/kit';
import { PublicKey } from '@solana/web3.js';
import type { AccountData } from './cluster.ts';
import type { RpcTransactionError } from './txErrors.ts';

export type Commitment = 'processed' | 'confirmed' | 'finalized';

/** The node answered with a JSON-RPC error. */
export class RpcResponseError extends Error {
  override readonly name = 'RpcResponseError';
  constructor(
    readonly code: number,
    message: string,
    readonly data: unknown,
  ) {
    super(message);
  }

  /** The transaction error of a failed preflight simulation, if that is what this is. */
  get transactionError(): { err: RpcTransactionError; logs: string[] } | null {
    const data = this.data as { err?: RpcTransactionError; logs?: string[] } | null;
    return data && typeof data === 'object' && data.err !== undefined && data.err !== null
      ? { err: data.err, logs: Array.isArray(data.logs) ? data.logs : [] }
      : null;
  }
}

/** The node could not be reached, timed out, or did not answer JSON-RPC. */
export class RpcTransportError extends Error {
  override readonly name = 'RpcTransportError';
}

export interface SignatureStatus {
  slot: number;
  err: RpcTransactionError | null;
  confirmationStatus: Commitment | null;
}

interface RawAccount {
  lamports: number;
  owner: string;
  data: [string, string];
  executable: boolean;
}

const MAX_ACCOUNTS_PER_CALL = 100;
const base58 = getBase58Decoder();

const toAccount = (raw: RawAccount): AccountData => ({
  lamports: BigInt(raw.lamports),
  owner: new PublicKey(raw.owner),
  data: new Uint8Array(Buffer.from(raw.data[0], 'base64')),
  executable: raw.executable,
});

export class RpcClient {
  private id = 0;

  constructor(
    readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  async call<T>(method: string, params: unknown[]): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new RpcTransportError(`${method}: ${(error as Error).message}`);
    }
    let body: { result?: T; error?: { code: number; message: string; data?: unknown } };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new RpcTransportError(`${method}: HTTP ${response.status} without a JSON-RPC body`);
    }
    if (body.error) throw new RpcResponseError(body.error.code, body.error.message, body.error.data ?? null);
    if (!('result' in body)) throw new RpcTransportError(`${method}: no result`);
    return body.result as T;
  }

  async getLatestBlockhash(
    commitment: Commitment,
  ): Promise<{ blockhash: string; lastValidBlockHeight: bigint }> {
    const r = await this.call<{ value: { blockhash: string; lastValidBlockHeight: number } }>(
      'getLatestBlockhash',
      [{ commitment }],
    );
    return { blockhash: r.value.blockhash, lastValidBlockHeight: BigInt(r.value.lastValidBlockHeight) };
  }

  /** maxRetries 0: the node forwards once; rebroadcasting is the caller's job. */
  sendTransaction(
    wire: Uint8Array,
    opts: { skipPreflight: boolean; commitment: Commitment },
  ): Promise<string> {
    return this.call<string>('sendTransaction', [
      Buffer.from(wire).toString('base64'),
      {
        encoding: 'base64',
        skipPreflight: opts.skipPreflight,
        preflightCommitment: opts.commitment,
        maxRetries: 0,
      },
    ]);
  }

  async getSignatureStatus(signature: string): Promise<SignatureStatus | null> {
    const r = await this.call<{ value: Array<SignatureStatus | null> }>('getSignatureStatuses', [
      [signature],
    ]);
    return r.value[0] ?? null;
  }

  async getBlockHeight(commitment: Commitment): Promise<bigint> {
    return BigInt(await this.call<number>('getBlockHeight', [{ commitment }]));
  }

  async getSlot(commitment: Commitment): Promise<bigint> {
    return BigInt(await this.call<number>('getSlot', [{ commitment }]));
  }

  async getMultipleAccounts(
    keys: readonly PublicKey[],
    commitment: Commitment,
  ): Promise<(AccountData | null)[]> {
    const out: (AccountData | null)[] = [];
    for (let i = 0; i < keys.length; i += MAX_ACCOUNTS_PER_CALL) {
      const chunk = keys.slice(i, i + MAX_ACCOUNTS_PER_CALL).map((k) => k.toBase58());
      const r = await this.call<{ value: Array<RawAccount | null> }>('getMultipleAccounts', [
        chunk,
        { encoding: 'base64', commitment },
      ]);
      out.push(...r.value.map((raw) => (raw ? toAccount(raw) : null)));
    }
    return out;
  }

  async getProgramAccounts(
    programId: PublicKey,
    filter: { dataSize: number; kindByte: number },
    commitment: Commitment,
  ): Promise<Array<{ address: PublicKey; account: AccountData }>> {
    const r = await this.call<Array<{ pubkey: string; account: RawAccount }>>('getProgramAccounts', [
      programId.toBase58(),
      {
        encoding: 'base64',
        commitment,
        filters: [
          { dataSize: filter.dataSize },
          { memcmp: { offset: 0, bytes: base58.decode(Uint8Array.of(filter.kindByte)) } },
        ],
      },
    ]);
    return r.map((a) => ({ address: new PublicKey(a.pubkey), account: toAccount(a.account) }));
  }

  /** Newest first, as the node returns them. */
  async getSignaturesForAddress(key: PublicKey, limit: number): Promise<string[]> {
    const r = await this.call<Array<{ signature: string }>>('getSignaturesForAddress', [
      key.toBase58(),
      { limit },
    ]);
    return r.map((s) => s.signature);
  }
}
