/**
 * A JSON-RPC cluster (devnet, mainnet, a private validator). Sending follows the pattern validators
 * reward: `sendTransaction` with maxRetries 0 (the node does not queue it), our own rebroadcast of the
 * same bytes every `rebroadcastMs` while polling the signature's status, until it is confirmed or the
 * blockhash's last valid block height passes; then a new blockhash and new signatures (the factory is
 * called again), at most `maxResigns` times. Every transaction carries a compute-unit limit and, when
 * configured, a priority fee (the transaction builder adds them from `computeBudget`).
 *
 * A preflight failure or a failed status is a program failure (the same transaction fails again); a
 * node that keeps failing to answer is a transport failure (the transaction may have landed: callers
 * check the chain before sending again).
 */
import type { PublicKey } from '@solana/web3.js';
import type { Clock } from '../../engine/ports/clock.ts';
import { encodeBase58 } from '../base58.ts';
import { wireBytes } from '../keys.ts';
import { PACKET_DATA_SIZE } from '../txSize.ts';
import type { AccountData, Cluster, SendFailure, SendOutcome, TxFactory } from './cluster.ts';
import { type Commitment, RpcClient, RpcResponseError, RpcTransportError } from './rpcClient.ts';
import { failureFromRpcError, isBlockhashError } from './txErrors.ts';

export interface RpcClusterOptions {
  url: string;
  commitment: Commitment;
  /** Resend the same signed bytes this often until confirmed or expired. */
  rebroadcastMs: number;
  /** Status poll interval. */
  pollMs: number;
  /** New blockhash + new signatures after an expiry, at most this many times. */
  maxResigns: number;
  skipPreflight: boolean;
  unitPriceMicroLamports: number | null;
  requestTimeoutMs: number;
  /** Consecutive unanswered requests before a send gives up as a transport failure. */
  maxTransportErrors: number;
}

const RANK: Record<Commitment, number> = { processed: 0, confirmed: 1, finalized: 2 };
/** A ref'd timer: a send in progress keeps the process alive. */
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RpcCluster implements Cluster {
  readonly kind = 'rpc';
  readonly computeBudget;
  readonly rpc: RpcClient;

  constructor(
    private readonly options: RpcClusterOptions,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void> = realSleep,
  ) {
    this.rpc = new RpcClient(options.url, options.requestTimeoutMs);
    this.computeBudget = { setLimit: true, unitPriceMicroLamports: options.unitPriceMicroLamports };
  }

  async send(factory: TxFactory, _label: string): Promise<SendOutcome> {
    let transportErrors = 0;
    const transport = (error: unknown): SendOutcome | null => {
      if (!(error instanceof RpcTransportError)) return null;
      transportErrors++;
      return transportErrors >= this.options.maxTransportErrors
        ? { ok: false, kind: 'transport', message: error.message }
        : null;
    };
    for (let resign = 0; resign <= this.options.maxResigns; resign++) {
      let latest: { blockhash: string; lastValidBlockHeight: bigint };
      try {
        latest = await this.rpc.getLatestBlockhash(this.options.commitment);
      } catch (error) {
        const gaveUp = transport(error);
        if (gaveUp) return gaveUp;
        if (!(error instanceof RpcTransportError)) throw error;
        resign--;
        await this.sleep(this.options.pollMs);
        continue;
      }
      const tx = await factory(latest.blockhash);
      const wire = wireBytes(tx);
      if (wire.length > PACKET_DATA_SIZE)
        return { ok: false, kind: 'rejected', message: `transaction is ${wire.length} bytes` };
      const signature = encodeBase58(tx.signatures[0] as Uint8Array);
      let sentAt = Number.NEGATIVE_INFINITY;
      for (;;) {
        if (this.clock.now() - sentAt >= this.options.rebroadcastMs) {
          sentAt = this.clock.now();
          const refused = await this.broadcast(wire);
          if (refused === 'blockhash') break;
          if (refused && 'kind' in refused) return { ok: false, ...refused };
          if (refused) {
            const gaveUp = transport(refused.error);
            if (gaveUp) return gaveUp;
          }
        }
        await this.sleep(this.options.pollMs);
        try {
          const status = await this.rpc.getSignatureStatus(signature);
          transportErrors = 0;
          if (
            status?.confirmationStatus &&
            RANK[status.confirmationStatus] >= RANK[this.options.commitment]
          ) {
            if (status.err !== null) return { ok: false, ...failureFromRpcError(status.err, []) };
            return { ok: true, signature };
          }
          if (status) continue; // seen, not yet at our commitment: it can no longer expire unseen
          const height = await this.rpc.getBlockHeight(this.options.commitment);
          if (height > latest.lastValidBlockHeight) break; // expired unseen: it can never land now
        } catch (error) {
          const gaveUp = transport(error);
          if (gaveUp) return gaveUp;
          if (!(error instanceof RpcTransportError)) throw error;
        }
      }
    }
    return { ok: false, kind: 'expired', message: `not confirmed after ${this.options.maxResigns} re-signs` };
  }

  /** null when sent; 'blockhash' when the node no longer knows it; a failure or a transport error otherwise. */
  private async broadcast(
    wire: Uint8Array,
  ): Promise<null | 'blockhash' | SendFailure | { error: RpcTransportError }> {
    try {
      await this.rpc.sendTransaction(wire, {
        skipPreflight: this.options.skipPreflight,
        commitment: this.options.commitment,
      });
      return null;
    } catch (error) {
      if (error instanceof RpcTransportError) return { error };
      if (!(error instanceof RpcResponseError)) throw error;
      const simulated = error.transactionError;
      if (simulated) {
        if (isBlockhashError(simulated.err)) return 'blockhash';
        // A rebroadcast of what already landed: its status will say so.
        if (simulated.err === 'AlreadyProcessed') return null;
        return failureFromRpcError(simulated.err, simulated.logs);
      }
      if (/blockhash not found/i.test(error.message)) return 'blockhash';
      return { kind: 'rejected', message: `${error.code}: ${error.message}` };
    }
  }

  getAccounts(addresses: readonly PublicKey[]): Promise<(AccountData | null)[]> {
    return this.rpc.getMultipleAccounts(addresses, this.options.commitment);
  }

  programAccounts(programId: PublicKey, filter: { dataSize: number; kindByte: number }) {
    return this.rpc.getProgramAccounts(programId, filter, this.options.commitment);
  }

  async signaturesOf(key: PublicKey): Promise<{ first: string | null; last: string | null }> {
    const newestFirst = await this.rpc.getSignaturesForAddress(key, 1000);
    return { first: newestFirst.at(-1) ?? null, last: newestFirst[0] ?? null };
  }

  /** The local clock: cluster time tracks wall time closely, and delegation expiries keep days of margin. */
  async unixTime(): Promise<bigint> {
    return BigInt(Math.floor(this.clock.now() / 1000));
  }

  recentSlot(): Promise<bigint> {
    return this.rpc.getSlot('finalized');
  }

  async nextSlot(): Promise<void> {
    const start = await this.rpc.getSlot(this.options.commitment);
    while ((await this.rpc.getSlot(this.options.commitment)) <= start) await this.sleep(this.options.pollMs);
  }

  async close(): Promise<void> {}
}
