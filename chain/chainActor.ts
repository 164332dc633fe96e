/**
 * The chain actor: the engine's ChainExecutor over a cluster. Positions go through the creation lane,
 * settlements and releases through the settlement lane (both batched by machines/chain.ts); results come
 * back through the sink. At boot, `lockedCollateral` reads each MM vault's lock for the risk books and
 * `reconcile` reports positions that already exist instead of sending them again (the engine has
 * re-reserved their funds by then: reservations live in memory).
 */
import type { ChainExecutor, ChainResultSink, PositionOrder, SettleOrder } from '../engine/ports/chain.ts';
import type { Micro } from '../machines/money.ts';
import { toMicro } from './amounts.ts';
import type { ChainContext } from './context.ts';
import type { ExplorerUrl } from './explorer.ts';
import { PositionCreator } from './positionCreator.ts';
import { positionIdFromUuid, positionPda } from './program/pda.ts';
import { Settler } from './settler.ts';

export class ChainActor implements ChainExecutor {
  readonly creator: PositionCreator;
  readonly settler: Settler;
  private attached: ChainResultSink | null = null;
  private stopped = false;

  /** Creations waiting for an earlier release of the same MM to land (see Settler.releasePending). */
  private readonly heldForRelease = new Map<string, PositionOrder[]>();

  constructor(
    private readonly ctx: Omit<ChainContext, 'sink'>,
    private readonly links: ExplorerUrl,
  ) {
    const full: ChainContext = { ...ctx, sink: () => this.attached };
    this.creator = new PositionCreator(full);
    this.settler = new Settler(full);
    this.settler.onReleaseSettled((mmId) => this.releaseSettled(mmId));
  }

  attach(sink: ChainResultSink): void {
    this.attached = sink;
  }

  createPosition(order: PositionOrder): void {
    if (this.stopped) return;
    const waiting = this.heldForRelease.get(order.mmId);
    if (waiting) waiting.push(order);
    else if (this.settler.releasePending(order.mmId)) this.heldForRelease.set(order.mmId, [order]);
    else void this.creator.submit(order, false);
  }

  /** The MM's releases have landed (or been dropped): its held creations go, in the order they came. */
  private releaseSettled(mmId: string): void {
    const waiting = this.heldForRelease.get(mmId);
    if (!waiting) return;
    this.heldForRelease.delete(mmId);
    for (const order of waiting) void this.creator.submit(order, false);
  }

  settlePosition(order: SettleOrder): void {
    if (this.stopped) return;
    this.settler.settle(order);
  }

  releaseCollateral(mmId: string, requiredMicro: Micro): void {
    if (this.stopped) return;
    this.settler.release(mmId, requiredMicro);
  }

  explorerUrl(kind: 'tx' | 'address', value: string): string {
    return this.links(kind, value);
  }

  async reconcile(orders: PositionOrder[]): Promise<void> {
    const valid: Array<{ order: PositionOrder; position: ReturnType<typeof positionPda>['address'] }> = [];
    for (const order of orders) {
      try {
        valid.push({
          order,
          position: positionPda(this.ctx.programId, positionIdFromUuid(order.rfqId)).address,
        });
      } catch (error) {
        this.attached?.executionFailed(order.rfqId, (error as Error).message);
      }
    }
    const accounts = await this.ctx.cluster.getAccounts(valid.map((v) => v.position));
    let found = 0;
    for (const [i, { order, position }] of valid.entries()) {
      if (accounts[i]) {
        found++;
        await this.creator.recovered(order, position);
        continue;
      }
      void this.creator.submit(order, true);
    }
    this.ctx.logger.info({ orders: orders.length, alreadyOnChain: found }, 'chain reconciled');
  }

  async lockedCollateral(mmIds: string[]): Promise<Map<string, Micro>> {
    const keys = mmIds.map((id) => this.ctx.signer.knownKey({ kind: 'mm', id }));
    const known = keys.filter((k) => k !== null);
    if (known.length > 0) await this.ctx.cache.refresh(known);
    const out = new Map<string, Micro>();
    mmIds.forEach((id, i) => {
      const key = keys[i];
      out.set(id, key ? toMicro(this.ctx.cache.get(key).collateralLocked, `collateral locked of ${id}`) : 0);
    });
    return out;
  }

  /** Sends whatever is open now and resolves when both lanes are idle (tests, benchmarks, shutdown). */
  async flush(): Promise<void> {
    for (;;) {
      await this.creator.prepared();
      this.creator.lane.flush();
      this.settler.lane.flush();
      await Promise.all([this.creator.lane.idle(), this.settler.lane.idle()]);
      // A release that just landed may have let held creations go: they are being prepared now.
      await this.creator.prepared();
      if (!this.creator.lane.busy && !this.settler.lane.busy && this.heldForRelease.size === 0) return;
    }
  }

  /** Resolves when both lanes are idle without forcing open batches shut (their windows still run). */
  async idle(): Promise<void> {
    await this.creator.prepared();
    await Promise.all([this.creator.lane.idle(), this.settler.lane.idle()]);
  }

  /** Resolves when every batch closed so far has been answered; open batches keep their windows. */
  async sent(): Promise<void> {
    await this.creator.prepared();
    await Promise.all([this.creator.lane.sent(), this.settler.lane.sent()]);
  }

  async shutdown(): Promise<void> {
    await this.flush();
    this.stopped = true;
    this.settler.cancelRetries();
  }
}
