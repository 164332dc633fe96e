/** What the chain actor's parts share: the cluster, keys, caches and the engine's sink. */
import type { PublicKey } from '@solana/web3.js';
import type { Logger } from '../engine/logger.ts';
import type { ChainResultSink } from '../engine/ports/chain.ts';
import type { Clock } from '../engine/ports/clock.ts';
import type { Cluster } from './cluster/cluster.ts';
import type { ChainConfig } from './config.ts';
import type { LookupTables } from './lookupTables.ts';
import { programErrorCode } from './program/errors.ts';
import type { OwnerSigner } from './signers/signer.ts';
import type { TxBuilder } from './txBuilder.ts';
import type { VaultCache } from './vaultCache.ts';
import type { VaultProvisioner } from './vaultProvisioner.ts';

export interface ChainContext {
  programId: PublicKey;
  mint: PublicKey;
  treasury: PublicKey;
  cluster: Cluster;
  builder: TxBuilder;
  signer: OwnerSigner;
  cache: VaultCache;
  tables: LookupTables;
  provisioner: VaultProvisioner;
  clock: Clock;
  logger: Logger;
  config: ChainConfig;
  /** The engine, once attached. */
  sink: () => ChainResultSink | null;
}

/** Calls into the engine never break the chain actor: a throw is logged. */
export function toSink(ctx: ChainContext, what: string, call: (sink: ChainResultSink) => void): void {
  const sink = ctx.sink();
  if (!sink) {
    ctx.logger.warn({ what }, 'chain result with no engine attached');
    return;
  }
  try {
    call(sink);
  } catch (error) {
    ctx.logger.error({ err: error, what }, 'engine sink threw');
  }
}

/** Custom program errors the chain actor reacts to. */
export const PROGRAM_ERROR = {
  AlreadyInitialized: programErrorCode('AlreadyInitialized'),
  Unauthorized: programErrorCode('Unauthorized'),
  DelegateNotOperator: programErrorCode('DelegateNotOperator'),
  DelegationExpired: programErrorCode('DelegationExpired'),
  PositionCapExceeded: programErrorCode('PositionCapExceeded'),
  TotalLockedCapExceeded: programErrorCode('TotalLockedCapExceeded'),
  PositionNotActive: programErrorCode('PositionNotActive'),
  ReleaseWouldRaise: programErrorCode('ReleaseWouldRaise'),
};

export const DELEGATION_ERRORS: ReadonlySet<number> = new Set([
  PROGRAM_ERROR.Unauthorized,
  PROGRAM_ERROR.DelegateNotOperator,
  PROGRAM_ERROR.DelegationExpired,
  PROGRAM_ERROR.PositionCapExceeded,
  PROGRAM_ERROR.TotalLockedCapExceeded,
]);
