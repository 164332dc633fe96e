/**
 * Position creation, the chain actor's confirm path. An order is prepared (owner keys, vaults opened on
 * first need, who signs: the operator as delegate when the vault's delegation covers the amount,
 * otherwise the owners), then joins the creation lane, which batches it with others into one v0
 * transaction. When a transaction lands, the locks go into the vault cache first and then each position
 * is reported executed; one that fails for good is reported with the program's reason.
 *
 * Exactly once: the position address derives from the RFQ id, so the program refuses a second create.
 * Before anything is sent a second time (a retry, or an order recovered after a restart) the position
 * accounts are read: a position that exists is reported executed, not re-sent.
 */
import type { PublicKey } from '@solana/web3.js';
import type { PositionOrder } from '../engine/ports/chain.ts';
import type { Batch, Entry } from '../machines/chain.ts';
import { toChainAmount } from './amounts.ts';
import { BatchLane, type LaneOutcome, type LaneWork } from './batchLane.ts';
import type { SendOutcome } from './cluster/cluster.ts';
import { type ChainContext, DELEGATION_ERRORS, PROGRAM_ERROR, toSink } from './context.ts';
import { chainMetrics } from './metrics.ts';
import { createPositionInstruction } from './program/instructions.ts';
import { legsHash } from './program/legsHash.ts';
import { positionIdFromUuid, positionPda } from './program/pda.ts';
import type { Principal } from './signers/signer.ts';
import { COMPUTE_UNITS, TransactionTooLarge, type TxPart, txPart } from './txBuilder.ts';
import { base58Of } from './txSize.ts';

export interface CreateItem {
  order: PositionOrder;
  positionId: Uint8Array;
  position: PublicKey;
  user: Principal;
  mm: Principal;
  userKey: PublicKey;
  mmKey: PublicKey;
  stake: bigint;
  risk: bigint;
  collateral: bigint;
  delegatedUser: boolean;
  delegatedMm: boolean;
  part: TxPart;
  /** When the engine handed it over (ms), for the confirm → executed latency. */
  receivedAt: number;
  /** Recovered after a restart: check the chain before sending. */
  recovering: boolean;
}

/** Positions reported executed, remembered so a retried batch never reports one twice. */
const REPORTED_LIMIT = 100_000;

export class PositionCreator implements LaneWork<CreateItem> {
  readonly lane: BatchLane<CreateItem>;
  /** Amount locked through delegation by transactions not yet landed, per vault owner. */
  private readonly delegatedInFlight = new Map<string, bigint>();
  private readonly reported = new Set<string>();
  private preparing = 0;
  private preparedWaiters: Array<() => void> = [];

  constructor(private readonly ctx: ChainContext) {
    const b = ctx.config.batch;
    this.lane = new BatchLane(
      'create',
      {
        windowMs: b.windowMs,
        maxEntries: b.maxPerTx,
        maxInFlight: b.maxInFlight,
        maxAttempts: b.maxAttempts,
        retryDelayMs: b.retryDelayMs,
      },
      ctx.clock,
      this,
    );
  }

  /** Prepares the order and queues it; a failure to prepare is reported as the execution failing. */
  async submit(order: PositionOrder, recovering: boolean): Promise<void> {
    const receivedAt = this.ctx.clock.now();
    this.preparing++;
    try {
      const item = await this.prepare(order, receivedAt, recovering);
      this.lane.add(order.rfqId, item);
    } catch (error) {
      const reason = (error as Error).message;
      this.ctx.logger.error(
        { rfqId: order.rfqId, mmId: order.mmId, err: error },
        'position could not be prepared',
      );
      toSink(this.ctx, 'executionFailed', (s) => s.executionFailed(order.rfqId, reason));
    } finally {
      this.preparing--;
      if (this.preparing === 0) for (const resolve of this.preparedWaiters.splice(0)) resolve();
    }
  }

  /** Resolves when no order is between submit and the lane. */
  prepared(): Promise<void> {
    return this.preparing === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.preparedWaiters.push(resolve));
  }

  /** An order found on chain at boot: reported executed with the transaction that created it. */
  async recovered(order: PositionOrder, position: PublicKey): Promise<void> {
    const signature = (await this.ctx.cluster.signaturesOf(position)).first ?? 'unknown';
    this.report(order, position, signature, null);
  }

  fits(items: readonly CreateItem[]): boolean {
    return this.ctx.builder.fits(items.map((i) => i.part));
  }

  async execute(batch: Batch<CreateItem>): Promise<LaneOutcome> {
    const { cluster, cache, builder } = this.ctx;
    let entries = batch.entries.filter((e) => !this.reported.has(e.key));
    if (batch.closedBy === 'retry' || batch.attempts > 0 || entries.some((e) => e.payload.recovering)) {
      const accounts = await cluster.getAccounts(entries.map((e) => e.payload.position));
      const found = entries.filter((_, i) => accounts[i] !== null);
      for (const e of found) await this.discovered(e.payload);
      entries = entries.filter((_, i) => accounts[i] === null);
    }
    if (entries.length === 0) return { ok: true };
    const items = entries.map((e) => e.payload);
    const owners = items.flatMap((i) => [i.userKey, i.mmKey]);
    cache.beginTx(owners);
    const started = this.ctx.clock.now();
    let outcome: SendOutcome;
    try {
      outcome = await cluster.send(
        (blockhash) =>
          builder.build(
            items.map((i) => i.part),
            blockhash,
          ),
        'create',
      );
    } catch (error) {
      cache.endTx(owners);
      const tooLarge = error instanceof TransactionTooLarge;
      return { ok: false, retryable: !tooLarge, reason: (error as Error).message, failedIndex: null };
    }
    const seconds = (this.ctx.clock.now() - started) / 1000;
    chainMetrics.txSeconds.observe({ lane: 'create', result: outcome.ok ? 'ok' : outcome.kind }, seconds);
    if (outcome.ok) {
      for (const item of items) this.lock(item);
      cache.endTx(owners);
      for (const item of items) this.report(item.order, item.position, outcome.signature, item);
      return { ok: true };
    }
    cache.endTx(owners);
    const culprit =
      outcome.kind === 'program' && outcome.instructionIndex !== null
        ? entries[outcome.instructionIndex - builder.prefixInstructions]
        : undefined;
    this.ctx.logger.warn(
      {
        rfqIds: items.map((i) => i.order.rfqId),
        kind: outcome.kind,
        reason: outcome.message,
        culprit: culprit?.key,
      },
      'position batch failed',
    );
    if (outcome.kind === 'program' && outcome.customCode !== null && culprit) {
      if (outcome.customCode === PROGRAM_ERROR.AlreadyInitialized && entries.length === 1) {
        await this.discovered(culprit.payload);
        return { ok: true };
      }
      if (
        DELEGATION_ERRORS.has(outcome.customCode) &&
        (culprit.payload.delegatedUser || culprit.payload.delegatedMm)
      ) {
        // The delegation no longer covers it (revoked, caps, expiry, operator rotated): the owners sign
        // instead, at once — alone if it shared the transaction, right here if it was alone.
        const item = culprit.payload;
        this.release(item);
        await cache.refresh([item.userKey, item.mmKey]);
        let user = item.delegatedUser && (await this.delegationCovers(item.userKey, item.stake));
        let mm = item.delegatedMm && (await this.delegationCovers(item.mmKey, item.collateral));
        if (user === item.delegatedUser && mm === item.delegatedMm) user = mm = false; // cannot tell which: both sign
        Object.assign(item, this.authorities(item, user, mm));
        if (user) this.addDelegated(item.userKey, item.stake);
        if (mm) this.addDelegated(item.mmKey, item.collateral);
        if (entries.length === 1) return this.execute(batch);
        return {
          ok: false,
          retryable: false,
          reason: outcome.message,
          failedIndex: batch.entries.indexOf(culprit),
        };
      }
    }
    return {
      ok: false,
      retryable: outcome.kind === 'expired' || outcome.kind === 'transport',
      reason: outcome.message,
      failedIndex: culprit ? batch.entries.indexOf(culprit) : null,
    };
  }

  failed(entry: Entry<CreateItem>, reason: string): void {
    this.release(entry.payload);
    this.ctx.logger.error(
      { rfqId: entry.key, mmId: entry.payload.order.mmId, reason },
      'position failed for good',
    );
    toSink(this.ctx, 'executionFailed', (s) => s.executionFailed(entry.key, reason));
  }

  private async prepare(order: PositionOrder, receivedAt: number, recovering: boolean): Promise<CreateItem> {
    const { provisioner, programId } = this.ctx;
    const positionId = positionIdFromUuid(order.rfqId);
    const stake = toChainAmount(order.stakeMicro, 'stake');
    const risk = toChainAmount(order.riskMicro, 'risk');
    const collateral = toChainAmount(order.collateralMicro, 'collateral');
    if (stake === 0n || risk === 0n || collateral > risk)
      throw new RangeError('InvalidAmount: stake and risk must be positive and collateral at most the risk');
    const user: Principal = { kind: 'user', id: order.userId };
    const mm: Principal = { kind: 'mm', id: order.mmId };
    const [userKey, mmKey] = await Promise.all([provisioner.ensure(user), provisioner.ensure(mm)]);
    if (userKey.equals(mmKey)) throw new RangeError('the user and the market maker are the same owner');
    const delegatedUser = await this.delegationCovers(userKey, stake);
    const delegatedMm = await this.delegationCovers(mmKey, collateral);
    const base = {
      order,
      positionId,
      position: positionPda(programId, positionId).address,
      user,
      mm,
      userKey,
      mmKey,
      stake,
      risk,
      collateral,
      receivedAt,
      recovering,
    };
    const item: CreateItem = { ...base, ...this.authorities(base, delegatedUser, delegatedMm) };
    if (delegatedUser) this.addDelegated(userKey, stake);
    if (delegatedMm) this.addDelegated(mmKey, collateral);
    return item;
  }

  /** The instruction for these signing choices: the operator as delegate, or the owners. */
  private authorities(
    item: Omit<CreateItem, 'part' | 'delegatedUser' | 'delegatedMm'>,
    delegatedUser: boolean,
    delegatedMm: boolean,
  ): Pick<CreateItem, 'part' | 'delegatedUser' | 'delegatedMm'> {
    const operator = this.ctx.builder.feePayer.publicKey;
    const instruction = createPositionInstruction(this.ctx.programId, {
      payer: operator,
      userOwner: item.userKey,
      mmOwner: item.mmKey,
      userAuthority: delegatedUser ? operator : item.userKey,
      mmAuthority: delegatedMm ? operator : item.mmKey,
      positionId: item.positionId,
      stake: item.stake,
      risk: item.risk,
      collateral: item.collateral,
      legsHash: legsHash(item.order.legs),
      feeBps: item.order.feeBps,
    });
    const owners = [
      ...(delegatedUser ? [] : [{ principal: item.user, key: item.userKey }]),
      ...(delegatedMm ? [] : [{ principal: item.mm, key: item.mmKey }]),
    ];
    return { part: txPart([instruction], COMPUTE_UNITS.createPosition, owners), delegatedUser, delegatedMm };
  }

  private async delegationCovers(owner: PublicKey, amount: bigint): Promise<boolean> {
    if (this.ctx.config.signingMode !== 'delegated') return false;
    const s = this.ctx.cache.get(owner);
    if (!(await this.ctx.provisioner.delegationUsable(s)) || amount > s.maxPerPosition) return false;
    const inFlight = this.delegatedInFlight.get(base58Of(owner)) ?? 0n;
    return s.stakeLocked + s.collateralLocked + inFlight + amount <= s.maxTotalLocked;
  }

  private addDelegated(owner: PublicKey, amount: bigint): void {
    const id = base58Of(owner);
    this.delegatedInFlight.set(id, (this.delegatedInFlight.get(id) ?? 0n) + amount);
  }

  private release(item: CreateItem): void {
    const drop = (owner: PublicKey, amount: bigint) => {
      const id = base58Of(owner);
      const left = (this.delegatedInFlight.get(id) ?? 0n) - amount;
      if (left > 0n) this.delegatedInFlight.set(id, left);
      else this.delegatedInFlight.delete(id);
    };
    if (item.delegatedUser) drop(item.userKey, item.stake);
    if (item.delegatedMm) drop(item.mmKey, item.collateral);
  }

  /** The program's effect of a landed create on the two vaults. */
  private lock(item: CreateItem): void {
    this.ctx.cache.update(item.userKey, (s) => {
      s.stakeLocked += item.stake;
    });
    this.ctx.cache.update(item.mmKey, (s) => {
      s.collateralLocked += item.collateral;
    });
  }

  /** Found on chain while retrying: an earlier send landed without us hearing of it. */
  private async discovered(item: CreateItem): Promise<void> {
    if (this.reported.has(item.order.rfqId)) return;
    if (item.recovering) await this.ctx.cache.refresh([item.userKey, item.mmKey]);
    else this.lock(item);
    const signature = (await this.ctx.cluster.signaturesOf(item.position)).first ?? 'unknown';
    this.report(item.order, item.position, signature, item);
  }

  private report(
    order: PositionOrder,
    position: PublicKey,
    signature: string,
    item: CreateItem | null,
  ): void {
    if (this.reported.has(order.rfqId)) return;
    if (this.reported.size >= REPORTED_LIMIT) this.reported.clear();
    this.reported.add(order.rfqId);
    if (item) {
      this.release(item);
      chainMetrics.executedSeconds.observe((this.ctx.clock.now() - item.receivedAt) / 1000);
    }
    const positionAddress = position.toBase58();
    this.ctx.logger.debug(
      { rfqId: order.rfqId, userId: order.userId, mmId: order.mmId, positionAddress, signature },
      'position executed',
    );
    toSink(this.ctx, 'positionExecuted', (s) =>
      s.positionExecuted(order.rfqId, { positionAddress, signature }),
    );
  }
}
