/**
 * Vaults and positions (ours, beyond the seed API): the caller's own vault — balance, locked, free,
 * pending — deposits, withdrawals of the free balance, the dev faucet on the embedded cluster, and an
 * MM's position history. The caller is always the owner: no route takes another principal's id.
 */
import type { Static } from '@sinclair/typebox';
import type { Engine } from '../../engine/engine.ts';
import type { VaultAccess, VaultTxResult, VaultView } from '../../engine/ports/vaults.ts';
import type { PositionView } from '../../machines/domain.ts';
import type { Result } from '../../machines/errors.ts';
import { microToUsdcNumber, usdcToMicro } from '../../machines/money.ts';
import type { ExplorerUrl } from '../ws/fanout.ts';
import { errorReply, type Reply } from './http.ts';
import { type Route, route } from './router.ts';
import { FaucetRequest, ListPositionsQuery, VaultAmountRequest, WithdrawRequest } from './schemas.ts';

const TAG = 'Vaults';
const COMMON = {
  401: { description: 'Missing or invalid authentication', schema: 'ApiError' },
  429: { description: 'Rate limited (writes)', schema: 'ApiError' },
  500: { description: 'Internal server error', schema: 'ApiError' },
  503: { description: 'The chain cannot be reached', schema: 'ApiError' },
} as const;
const MOVE = {
  200: { description: 'Done, with the transaction and the vault after it', schema: 'VaultTx' },
  400: { description: 'Invalid amount, or not enough free balance', schema: 'ApiError' },
  ...COMMON,
} as const;

const iso = (ms: number) => new Date(ms).toISOString();

export function vaultJson(v: VaultView) {
  return {
    owner: v.owner,
    vault: v.vault,
    deposit_address: v.depositAddress,
    exists: v.exists,
    balance: microToUsdcNumber(v.balanceMicro),
    balance_micro: v.balanceMicro,
    locked: microToUsdcNumber(v.lockedMicro),
    locked_micro: v.lockedMicro,
    stake_locked_micro: v.stakeLockedMicro,
    collateral_locked_micro: v.collateralLockedMicro,
    pending: microToUsdcNumber(v.pendingMicro),
    pending_micro: v.pendingMicro,
    free: microToUsdcNumber(v.freeMicro),
    free_micro: v.freeMicro,
    wallet: microToUsdcNumber(v.walletMicro),
    wallet_micro: v.walletMicro,
    trading_enabled: v.tradingEnabled,
    explorer_url: v.explorerUrl,
  };
}

function positionJson(p: PositionView, explorerUrl: ExplorerUrl | undefined) {
  return {
    rfq_id: p.rfqId,
    quote_id: p.quoteId,
    position_pda: p.positionAddress,
    create_signature: p.createSignature,
    status: p.status,
    stake: microToUsdcNumber(p.stakeMicro),
    stake_micro: p.stakeMicro,
    mm_risk: microToUsdcNumber(p.mmRiskMicro),
    mm_risk_micro: p.mmRiskMicro,
    mm_collateral: microToUsdcNumber(p.mmCollateralMicro),
    mm_collateral_micro: p.mmCollateralMicro,
    executed_at: iso(p.executedAt),
    closed_at: p.closedAt === null ? null : iso(p.closedAt),
    close_signature: p.closeSignature,
    outcome: p.settlement?.outcome ?? null,
    fee_micro: p.settlement?.feeMicro ?? null,
    explorer_url: explorerUrl ? explorerUrl('address', p.positionAddress) : '',
  };
}

const txReply = (result: Result<VaultTxResult>): Reply =>
  result.ok
    ? {
        status: 200,
        body: {
          signature: result.value.signature,
          explorer_url: result.value.explorerUrl,
          vault: vaultJson(result.value.vault),
        },
      }
    : errorReply(result.error);

export function vaultRoutes(vaults: VaultAccess | null, engine: Engine, explorerUrl?: ExplorerUrl): Route[] {
  const positions = route({
    method: 'get',
    path: '/mm/positions',
    operationId: 'listMmPositions',
    summary: 'List MM Positions',
    description: 'The caller’s on-chain positions, newest execution first, by status; `cursor` pages on.',
    tag: 'Market Maker',
    access: 'mm',
    query: ListPositionsQuery,
    responses: { 200: { description: 'Positions', schema: 'PositionList' }, ...COMMON },
    async handle({ caller, query }) {
      const page = await engine.queries.listMmPositions(caller.principal.id, {
        limit: query.limit ?? 50,
        ...(query.status && { status: query.status }),
        ...(query.cursor && { cursor: query.cursor }),
      });
      return {
        status: 200,
        body: { positions: page.items.map((p) => positionJson(p, explorerUrl)), cursor: page.cursor },
      };
    },
  });
  if (!vaults) return [positions];
  return [
    positions,
    route({
      method: 'get',
      path: '/vault',
      operationId: 'getVault',
      summary: 'Get Vault',
      description: 'The caller’s vault: balance, locked (stakes and collateral), pending reservations, free.',
      tag: TAG,
      access: 'any',
      responses: { 200: { description: 'The vault', schema: 'Vault' }, ...COMMON },
      async handle({ caller }) {
        const view = await vaults.get(caller.principal);
        return view.ok ? { status: 200, body: vaultJson(view.value) } : errorReply(view.error);
      },
    }),
    route({
      method: 'post',
      path: '/vault/deposit',
      operationId: 'depositToVault',
      summary: 'Deposit',
      description: 'Moves USDC from the caller’s deposit address into the vault.',
      tag: TAG,
      access: 'any',
      body: { schema: 'VaultAmountRequest', type: VaultAmountRequest },
      responses: MOVE,
      async handle({ caller, body }) {
        const req = body as Static<typeof VaultAmountRequest>;
        return txReply(await vaults.deposit(caller.principal, usdcToMicro(req.amount, 'amount')));
      },
    }),
    route({
      method: 'post',
      path: '/vault/withdraw',
      operationId: 'withdrawFromVault',
      summary: 'Withdraw',
      description:
        'Moves USDC of the free balance out of the vault (to the deposit address unless a destination is given).',
      tag: TAG,
      access: 'any',
      body: { schema: 'WithdrawRequest', type: WithdrawRequest },
      responses: MOVE,
      async handle({ caller, body }) {
        const req = body as Static<typeof WithdrawRequest>;
        return txReply(
          await vaults.withdraw(caller.principal, usdcToMicro(req.amount, 'amount'), req.destination),
        );
      },
    }),
    route({
      method: 'post',
      path: '/vault/faucet',
      operationId: 'vaultFaucet',
      summary: 'Dev Faucet',
      description:
        'Embedded cluster only: mints test USDC into the caller’s vault or deposit address (403 elsewhere).',
      tag: TAG,
      access: 'any',
      body: { schema: 'FaucetRequest', type: FaucetRequest, required: false },
      responses: { ...MOVE, 403: { description: 'No faucet on this cluster', schema: 'ApiError' } },
      async handle({ caller, body }) {
        const req = (body ?? {}) as Static<typeof FaucetRequest>;
        const amount = usdcToMicro(req.amount ?? 1_000, 'amount');
        return txReply(await vaults.faucet(caller.principal, amount, req.target ?? 'vault'));
      },
    }),
  ];
}
