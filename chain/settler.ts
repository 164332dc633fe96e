/**
 * The settlement lane: settle (win / loss), cancel (void) and release-only collateral, batched the same
 * way as creation. Settle and cancel close the position in the same transaction (its rent returns to
 * the fee payer); releases go after them in a transaction, so a release never lands before a win that
 * the risk engine's figure already assumed.
 *
 * Releases coalesce per MM: the latest required amount wins, and one that would not lower the MM's
 * locked collateral is dropped (release-only). Results are applied to the vault cache with the
 * program's rules, then reported. Before a settle or cancel is sent again, the position is read: one
 * already settled (or closed by our earlier transaction) is reported from the chain, not re-sent.
 * A settlement that fails for good is logged and tried again after `SETTLE_RETRY_MS`: the engine keeps
 * the outcome pending until it lands.
 */
import type { PublicKey } from '@solana/web3.js';
import type { SettleOrder } from '../engine/ports/chain.ts';
import type { TimerHandle } from '../engine/ports/clock.ts';
import type { Batch, Entry } from '../machines/chain.ts';
import type { Micro } from '../machines/money.ts';
import { settlementSplit } from '../machines/payout.ts';
import { toChainAmount } from './amounts.ts';
import { BatchLane, type LaneOutcome, type LaneWork } from './batchLane.ts';
import type { AccountData, SendOutcome } from './cluster/cluster.ts';
import { type ChainContext, PROGRAM_ERROR, toSink } from './context.ts';
import { chainMetrics } from './metrics.ts';
import {
  cancelPositionInstruction,
  closePositionInstruction,
  releaseMmCollateralInstruction,
  settlePositionInstruction,
} from './program/instructions.ts';
import { decodePosition, POSITION_LAYOUT } from './program/layout.ts';
import { positionIdFromUuid, positionPda } from './program/pda.ts';
import { COMPUTE_UNITS, TransactionTooLarge, type TxPart, txPart } from './txBuilder.ts';
import { base58Of } from './txSize.ts';

export const SETTLE_RETRY_MS = 30_000;

export type SettleItem =
  | {
      kind: 'settle' | 'cancel';
      order: SettleOrder;
      position: PublicKey;
      userKey: PublicKey;
      mmKey: PublicKey;
      part: TxPart;
    }
  | { kind: 'release'; mmId: string; mmKey: PublicKey };

export class Settler implements LaneWork<SettleItem> {
  readonly lane: BatchLane<SettleItem>;
  /** Latest required collateral per MM vault owner, not yet applied. */
  private readonly releases = new Map<string, bigint>();
  private readonly retries = new Set<TimerHandle>();
  private readonly settledListeners: Array<(mmId: string) => void> = [];

  constructor(private readonly ctx: ChainContext) {
    const b = ctx.config.batch;
    this.lane = new BatchLane(
      'settle',
      {
        windowMs: b.windowMs,
        maxEntries: b.maxPerTx,
        maxInFlight: 1,
        maxAttempts: b.maxAttempts,
        retryDelayMs: b.retryDelayMs,
      },
      ctx.clock,
      this,
    );
  }

  settle(order: SettleOrder): void {
    try {
      const userKey = this.ctx.signer.knownKey({ kind: 'user', id: order.userId });
      const mmKey = this.ctx.signer.knownKey({ kind: 'mm', id: order.mmId });
      if (!userKey || !mmKey) throw new Error('no owner key for the position’s user or MM');
      const positionId = positionIdFromUuid(order.rfqId);
      const { programId, builder, treasury } = this.ctx;
      const operator = builder.feePayer.publicKey;
      const position = positionPda(programId, positionId).address;
      const finish =
        order.outcome === 'void'
          ? cancelPositionInstruction(programId, { operator, positionId, userOwner: userKey })
          : settlePositionInstruction(programId, {
              operator,
              positionId,
              userOwner: userKey,
              mmOwner: mmKey,
              treasury,
              outcome: order.outcome,
            });
      const close = closePositionInstruction(programId, { operator, positionId, rentReceiver: operator });
      const units =
        (order.outcome === 'void' ? COMPUTE_UNITS.cancelPosition : COMPUTE_UNITS.settlePosition) +
        COMPUTE_UNITS.closePosition;
      const kind = order.outcome === 'void' ? 'cancel' : 'settle';
      this.lane.add(`settle:${order.rfqId}`, {
        kind,
        order,
        position,
        userKey,
        mmKey,
        part: txPart([finish, close], units),
      });
    } catch (error) {
      this.ctx.logger.error(
        { rfqId: order.rfqId, mmId: order.mmId, err: error },
        'settlement could not be prepared',
      );
    }
  }

  /**
   * Whether a release for this MM is queued or in flight. A release sets an absolute target, so a
   * creation issued after it must not land before it (its collateral would be released with it): the
   * chain actor holds such creations until `onReleaseSettled` fires for the MM.
   */
  releasePending(mmId: string): boolean {
    const mmKey = this.ctx.signer.knownKey({ kind: 'mm', id: mmId });
    return mmKey !== null && this.releases.has(base58Of(mmKey));
  }

  /** Called once no release for the MM is queued or in flight any more (landed, dropped or failed). */
  onReleaseSettled(listener: (mmId: string) => void): void {
    this.settledListeners.push(listener);
  }

  release(mmId: string, requiredMicro: Micro): void {
    const mmKey = this.ctx.signer.knownKey({ kind: 'mm', id: mmId });
    if (!mmKey || !Number.isSafeInteger(requiredMicro) || requiredMicro < 0) return;
    this.releases.set(base58Of(mmKey), toChainAmount(requiredMicro, 'required collateral'));
    this.lane.add(`release:${base58Of(mmKey)}`, { kind: 'release', mmId, mmKey });
  }

  cancelRetries(): void {
    for (const handle of this.retries) this.ctx.clock.clearTimeout(handle);
    this.retries.clear();
  }

  fits(items: readonly SettleItem[]): boolean {
    return this.ctx.builder.fits(items.map((i) => this.partOf(i)));
  }

  async execute(batch: Batch<SettleItem>): Promise<LaneOutcome> {
    const { cluster, cache, builder } = this.ctx;
    let entries = batch.entries.filter((e) => e.payload.kind !== 'release' || this.lowers(e.payload));
    if (batch.closedBy === 'retry' || batch.attempts > 0) {
      const settles = entries.filter((e) => e.payload.kind !== 'release');
      const accounts = await cluster.getAccounts(
        settles.map((e) => (e.payload as { position: PublicKey }).position),
      );
      const finished = new Set<Entry<SettleItem>>();
      for (const [i, e] of settles.entries()) {
        if (!this.active(accounts[i] ?? null)) {
          finished.add(e);
          await this.alreadyDone(e.payload);
        }
      }
      entries = entries.filter((e) => !finished.has(e));
    }
    if (entries.length === 0) return { ok: true };
    // Settlements first, releases last; remember which entry each instruction belongs to.
    const ordered = [
      ...entries.filter((e) => e.payload.kind !== 'release'),
      ...entries.filter((e) => e.payload.kind === 'release'),
    ];
    const parts = ordered.map((e) => this.partOf(e.payload));
    const sentReleases = new Map(
      ordered.flatMap((e) =>
        e.payload.kind === 'release'
          ? [[base58Of(e.payload.mmKey), this.releases.get(base58Of(e.payload.mmKey)) ?? 0n] as const]
          : [],
      ),
    );
    const owners = ordered.flatMap((e) =>
      e.payload.kind === 'release' ? [e.payload.mmKey] : [e.payload.userKey, e.payload.mmKey],
    );
    cache.beginTx(owners);
    const started = this.ctx.clock.now();
    let outcome: SendOutcome;
    try {
      outcome = await cluster.send((blockhash) => builder.build(parts, blockhash), 'settle');
    } catch (error) {
      cache.endTx(owners);
      return {
        ok: false,
        retryable: !(error instanceof TransactionTooLarge),
        reason: (error as Error).message,
        failedIndex: null,
      };
    }
    chainMetrics.txSeconds.observe(
      { lane: 'settle', result: outcome.ok ? 'ok' : outcome.kind },
      (this.ctx.clock.now() - started) / 1000,
    );
    if (outcome.ok) {
      for (const e of ordered) this.apply(e.payload, sentReleases);
      cache.endTx(owners);
      for (const e of ordered) this.report(e.payload, outcome.signature, sentReleases);
      return { ok: true };
    }
    cache.endTx(owners);
    const culprit = this.culprit(ordered, parts, outcome);
    const only = ordered.length === 1 ? ordered[0]?.payload : undefined;
    if (only && outcome.kind === 'program') {
      if (only.kind === 'release' && outcome.customCode === PROGRAM_ERROR.ReleaseWouldRaise) {
        await cache.refresh([only.mmKey]); // a win lowered it first: nothing left to release
        return { ok: true };
      }
      if (only.kind !== 'release') {
        // Settled (and closed) by an earlier send whose answer was lost, or before a restart.
        const [account] = await cluster.getAccounts([only.position]);
        if (!this.active(account ?? null)) {
          await this.alreadyDone(only);
          return { ok: true };
        }
      }
    }
    this.ctx.logger.warn(
      { kind: outcome.kind, reason: outcome.message, culprit: culprit?.key },
      'settlement batch failed',
    );
    return {
      ok: false,
      retryable: outcome.kind === 'expired' || outcome.kind === 'transport',
      reason: outcome.message,
      failedIndex: culprit ? batch.entries.indexOf(culprit) : null,
    };
  }

  /** A newer figure that arrived while a release was in flight goes out now. */
  landed(batch: Batch<SettleItem>): void {
    for (const { payload } of batch.entries)
      if (payload.kind === 'release' && this.releases.has(base58Of(payload.mmKey)))
        this.lane.add(`release:${base58Of(payload.mmKey)}`, payload);
  }

  failed(entry: Entry<SettleItem>, reason: string): void {
    const item = entry.payload;
    if (item.kind === 'release') {
      // Nothing changed on chain, which is safe (more stays locked); held creations may go.
      this.ctx.logger.error({ mmId: item.mmId, reason }, 'collateral release failed');
      this.forget(base58Of(item.mmKey), item.mmId);
      return;
    }
    this.ctx.logger.error(
      { rfqId: item.order.rfqId, mmId: item.order.mmId, reason },
      'settlement failed; will retry',
    );
    const handle = this.ctx.clock.setTimeout(() => {
      this.retries.delete(handle);
      this.settle(item.order);
    }, SETTLE_RETRY_MS);
    this.retries.add(handle);
  }

  /** A position account of ours, still active (closed, settled or foreign: not). */
  private active(account: AccountData | null): boolean {
    if (!account?.owner.equals(this.ctx.programId) || account.data.length !== POSITION_LAYOUT.size)
      return false;
    return decodePosition(account.data).status === 'active';
  }

  private partOf(item: SettleItem): TxPart {
    if (item.kind !== 'release') return item.part;
    const value = this.releases.get(base58Of(item.mmKey)) ?? 0n;
    const operator = this.ctx.builder.feePayer.publicKey;
    return txPart(
      [
        releaseMmCollateralInstruction(this.ctx.programId, {
          operator,
          mmOwner: item.mmKey,
          newCollateralLocked: value,
        }),
      ],
      COMPUTE_UNITS.releaseCollateral,
    );
  }

  /** Release-only: a release that would not lower the cached lock is dropped. */
  private lowers(item: { mmKey: PublicKey; mmId: string }): boolean {
    const id = base58Of(item.mmKey);
    const value = this.releases.get(id);
    if (value !== undefined && value < this.ctx.cache.get(item.mmKey).collateralLocked) return true;
    this.forget(id, item.mmId);
    return false;
  }

  private forget(id: string, mmId: string): void {
    if (!this.releases.delete(id)) return;
    for (const listener of this.settledListeners) listener(mmId);
  }

  private culprit(
    ordered: Entry<SettleItem>[],
    parts: TxPart[],
    outcome: SendOutcome,
  ): Entry<SettleItem> | undefined {
    if (outcome.ok || outcome.kind !== 'program' || outcome.instructionIndex === null) return undefined;
    let index = outcome.instructionIndex - this.ctx.builder.prefixInstructions;
    for (const [i, part] of parts.entries()) {
      if (index < part.instructions.length) return ordered[i];
      index -= part.instructions.length;
    }
    return undefined;
  }

  /** The program's effect on the vaults, in the cache, before the engine hears of it. */
  private apply(item: SettleItem, sentReleases: ReadonlyMap<string, bigint>): void {
    const { cache } = this.ctx;
    if (item.kind === 'release') {
      const value = sentReleases.get(base58Of(item.mmKey)) ?? 0n;
      cache.update(item.mmKey, (s) => {
        s.collateralLocked = value;
      });
      return;
    }
    const { stakeMicro, riskMicro, feeBps, outcome } = item.order;
    const stake = BigInt(stakeMicro);
    cache.update(item.userKey, (s) => {
      s.stakeLocked = s.stakeLocked > stake ? s.stakeLocked - stake : 0n;
    });
    if (outcome === 'void') return;
    const split = settlementSplit(outcome, stakeMicro, riskMicro, feeBps);
    const risk = BigInt(riskMicro);
    if (outcome === 'win') {
      cache.update(item.userKey, (s) => {
        s.balance += risk - BigInt(split.feeMicro);
      });
      cache.update(item.mmKey, (s) => {
        s.balance -= risk;
        s.collateralLocked = s.collateralLocked > risk ? s.collateralLocked - risk : 0n;
      });
    } else {
      cache.update(item.userKey, (s) => {
        s.balance -= stake;
      });
      cache.update(item.mmKey, (s) => {
        s.balance += BigInt(split.toMmMicro);
      });
    }
  }

  private report(item: SettleItem, signature: string, sentReleases: ReadonlyMap<string, bigint>): void {
    if (item.kind === 'release') {
      const id = base58Of(item.mmKey);
      const sent = sentReleases.get(id);
      if (this.releases.get(id) === sent) this.forget(id, item.mmId);
      this.ctx.logger.debug(
        { mmId: item.mmId, requiredMicro: String(sent), signature },
        'collateral released',
      );
      return;
    }
    const { order } = item;
    if (order.outcome === 'void') {
      this.ctx.logger.debug({ rfqId: order.rfqId, mmId: order.mmId, signature }, 'position cancelled');
      toSink(this.ctx, 'positionCancelled', (s) =>
        s.positionCancelled(order.rfqId, { signature, reason: 'leg_void' }),
      );
      return;
    }
    const split = settlementSplit(order.outcome, order.stakeMicro, order.riskMicro, order.feeBps);
    this.ctx.logger.debug(
      { rfqId: order.rfqId, mmId: order.mmId, outcome: order.outcome, signature },
      'position settled',
    );
    toSink(this.ctx, 'positionSettled', (s) =>
      s.positionSettled(order.rfqId, {
        outcome: split.outcome,
        payoutMicro: split.toUserMicro,
        feeMicro: split.feeMicro,
        signature,
      }),
    );
  }

  /** Settled or closed by an earlier send whose answer we missed: the chain's last word is reported. */
  private async alreadyDone(item: SettleItem): Promise<void> {
    if (item.kind === 'release') return;
    await this.ctx.cache.refresh([item.userKey, item.mmKey]);
    const signature = (await this.ctx.cluster.signaturesOf(item.position)).last ?? 'unknown';
    this.report(item, signature, new Map());
  }
}
