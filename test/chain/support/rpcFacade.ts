/**
 * A small Solana JSON-RPC server over an in-process litesvm ledger, so the JSON-RPC cluster is tested
 * over real HTTP. It answers what the chain actor calls, with the shapes a validator uses:
 * getLatestBlockhash, sendTransaction (preflight on unless skipped), getSignatureStatuses, getBlockHeight,
 * getSlot, getMultipleAccounts, getProgramAccounts (dataSize + memcmp), getSignaturesForAddress.
 *
 * Blockhashes are valid for 150 blocks of its own block height, so tests can drop sends (`dropSends`)
 * and make a blockhash expire unseen (`expireOnDrop`), the two cases the sender must survive.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Address, getBase58Decoder, getBase58Encoder, getTransactionDecoder } from '@solana/kit';
import { AddressLookupTableAccount, PublicKey, VersionedTransaction } from '@solana/web3.js';
import { FailedTransactionMetadata } from 'litesvm';
import { type RpcTransactionError, rpcErrorFromLiteSvm } from '../../../chain/cluster/txErrors.ts';
import type { LiteSvmHarness } from '../../../chain/program/litesvmHarness.ts';

const BLOCKHASH_VALIDITY = 150n;
const base58 = getBase58Decoder();
const fromBase58 = getBase58Encoder();
const decodeTx = getTransactionDecoder();

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export class RpcFacade {
  height = 1_000n;
  dropSends = 0;
  expireOnDrop = false;
  /** Every sendTransaction received: signature and blockhash, in order. */
  readonly sends: Array<{ signature: string; blockhash: string }> = [];
  /** Transactions that ran successfully. */
  readonly landed: VersionedTransaction[] = [];
  private readonly issued = new Map<string, bigint>();
  private readonly statuses = new Map<string, { slot: bigint; err: RpcTransactionError | null }>();
  private readonly history = new Map<string, string[]>();
  private server!: Server;
  url = '';

  private constructor(private readonly ledger: LiteSvmHarness) {}

  static async start(ledger: LiteSvmHarness): Promise<RpcFacade> {
    const facade = new RpcFacade(ledger);
    // Validity is the facade's own (block heights); the ledger must not also insist on its latest hash.
    ledger.svm.withBlockhashCheck(false);
    facade.server = createServer((req, res) => void facade.handle(req, res));
    await new Promise<void>((resolve) => facade.server.listen(0, '127.0.0.1', resolve));
    facade.url = `http://127.0.0.1:${(facade.server.address() as AddressInfo).port}`;
    return facade;
  }

  close(): Promise<void> {
    this.ledger.svm.withBlockhashCheck(true);
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const call = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      id: number;
      method: string;
      params: unknown[];
    };
    let body: unknown;
    try {
      body = { jsonrpc: '2.0', id: call.id, result: this.dispatch(call.method, call.params ?? []) };
    } catch (error) {
      const e = error instanceof RpcError ? error : new RpcError(-32603, (error as Error).message);
      body = { jsonrpc: '2.0', id: call.id, error: { code: e.code, message: e.message, data: e.data } };
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private get slot(): bigint {
    return this.ledger.svm.getClock().slot;
  }

  private dispatch(method: string, params: unknown[]): unknown {
    const context = { slot: Number(this.slot) };
    switch (method) {
      case 'getLatestBlockhash': {
        // A new hash per request, as slots pass on a real cluster: no two transactions collide.
        this.ledger.svm.expireBlockhash();
        const blockhash = this.ledger.svm.latestBlockhash();
        const lastValidBlockHeight = this.height + BLOCKHASH_VALIDITY;
        this.issued.set(blockhash, lastValidBlockHeight);
        return { context, value: { blockhash, lastValidBlockHeight: Number(lastValidBlockHeight) } };
      }
      case 'sendTransaction':
        return this.send(params[0] as string, (params[1] ?? {}) as { skipPreflight?: boolean });
      case 'getSignatureStatuses':
        return {
          context,
          value: (params[0] as string[]).map((s) => {
            const status = this.statuses.get(s);
            return status
              ? {
                  slot: Number(status.slot),
                  confirmations: null,
                  err: status.err,
                  confirmationStatus: 'confirmed',
                }
              : null;
          }),
        };
      case 'getBlockHeight':
        return Number(this.height);
      case 'getSlot': {
        // Time passes between calls: each one moves the ledger a slot on (lookup tables activate).
        const finalized = (params[0] as { commitment?: string } | undefined)?.commitment === 'finalized';
        if (finalized) return Number(this.ledger.svm.getSlotHashes()[0]?.slot ?? 0n);
        this.ledger.warpSlots(1n);
        return Number(this.slot);
      }
      case 'getMultipleAccounts':
        return { context, value: (params[0] as string[]).map((a) => this.account(a)) };
      case 'getProgramAccounts': {
        const filters = ((params[1] as { filters?: unknown[] })?.filters ?? []) as Array<{
          dataSize?: number;
          memcmp?: { offset: number; bytes: string };
        }>;
        return this.ledger.svm
          .getProgramAccounts(params[0] as Address)
          .filter((a) =>
            filters.every((f) => {
              if (f.dataSize !== undefined) return a.data.length === f.dataSize;
              if (!f.memcmp) return true;
              const want = fromBase58.encode(f.memcmp.bytes);
              return Buffer.from(a.data.subarray(f.memcmp.offset, f.memcmp.offset + want.length)).equals(
                Buffer.from(want),
              );
            }),
          )
          .map((a) => ({ pubkey: a.address, account: this.account(a.address) }));
      }
      case 'getSignaturesForAddress':
        return [...(this.history.get(params[0] as string) ?? [])]
          .reverse()
          .slice(0, (params[1] as { limit?: number })?.limit ?? 1000)
          .map((signature) => ({
            signature,
            slot: context.slot,
            err: null,
            memo: null,
            blockTime: null,
            confirmationStatus: 'confirmed',
          }));
      default:
        throw new RpcError(-32601, `Method not found: ${method}`);
    }
  }

  private send(encoded: string, opts: { skipPreflight?: boolean }): string {
    const tx = VersionedTransaction.deserialize(Buffer.from(encoded, 'base64'));
    const signature = base58.decode(tx.signatures[0] as Uint8Array);
    this.sends.push({ signature, blockhash: tx.message.recentBlockhash });
    if (this.statuses.has(signature)) return signature; // a rebroadcast of what already landed
    if (this.dropSends > 0) {
      this.dropSends--;
      if (this.expireOnDrop) {
        this.height += BLOCKHASH_VALIDITY + 1n;
        this.ledger.svm.expireBlockhash();
      }
      return signature; // "sent", but the leader never sees it
    }
    const lastValid = this.issued.get(tx.message.recentBlockhash);
    if (lastValid === undefined || this.height > lastValid)
      throw new RpcError(-32002, 'Transaction simulation failed: Blockhash not found', {
        err: 'BlockhashNotFound',
        logs: [],
      });
    const result = this.ledger.svm.sendTransaction(decodeTx.decode(tx.serialize()));
    if (result instanceof FailedTransactionMetadata) {
      const err = rpcErrorFromLiteSvm(result.err());
      if (!opts.skipPreflight)
        throw new RpcError(-32002, 'Transaction simulation failed', { err, logs: result.meta().logs() });
      this.statuses.set(signature, { slot: this.slot, err });
      return signature;
    }
    this.statuses.set(signature, { slot: this.slot, err: null });
    this.landed.push(tx);
    for (const key of this.keysOf(tx)) {
      const id = key.toBase58();
      this.history.set(id, [...(this.history.get(id) ?? []), signature]);
    }
    this.height += 1n;
    return signature;
  }

  private keysOf(tx: VersionedTransaction): PublicKey[] {
    const tables = tx.message.addressTableLookups.flatMap((l) => {
      const data = this.ledger.account(l.accountKey)?.data;
      return data
        ? [
            new AddressLookupTableAccount({
              key: l.accountKey,
              state: AddressLookupTableAccount.deserialize(data),
            }),
          ]
        : [];
    });
    const keys = tx.message.getAccountKeys({ addressLookupTableAccounts: tables });
    return [
      ...keys.staticAccountKeys,
      ...(keys.accountKeysFromLookups?.writable ?? []),
      ...(keys.accountKeysFromLookups?.readonly ?? []),
    ];
  }

  private account(address: string) {
    const a = this.ledger.account(new PublicKey(address));
    if (!a) return null;
    return {
      data: [Buffer.from(a.data).toString('base64'), 'base64'],
      executable: a.executable,
      lamports: Number(a.lamports),
      owner: a.owner.toBase58(),
      rentEpoch: 0,
      space: a.data.length,
    };
  }
}
