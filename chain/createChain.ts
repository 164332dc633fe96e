/**
 * The chain adapter for the composition root: one call builds the cluster (embedded litesvm or
 * JSON-RPC), the signer (local custody or Privy), the vault cache, lookup tables and the chain actor,
 * and returns what the engine and the gateway need.
 *
 * @example
 * const chain = await createChain({ config: chainConfigFromEnv(), logger });
 * const engine = new Engine({ ...deps, chain: chain.executor, funds: chain.funds });
 * // gateway: chain.vaults (GET /vault, deposit, withdraw, faucet), chain.explorerUrl
 * await chain.close();
 */
import { randomBytes } from 'node:crypto';
import { PublicKey } from '@solana/web3.js';
import type { Logger } from '../engine/logger.ts';
import { type Clock, systemClock } from '../engine/ports/clock.ts';
import { ChainActor } from './chainActor.ts';
import { ChainFunds } from './chainFunds.ts';
import type { Cluster } from './cluster/cluster.ts';
import { LiteSvmCluster } from './cluster/litesvmCluster.ts';
import { RpcCluster } from './cluster/rpcCluster.ts';
import {
  type ChainConfig,
  ChainConfigError,
  type ChainConfigInput,
  chainConfig,
  isEmbedded,
} from './config.ts';
import { type ExplorerUrl, explorerLinks, explorerTemplate } from './explorer.ts';
import { loadKeypairFile, type NativeKeypair } from './keys.ts';
import { LookupTables } from './lookupTables.ts';
import { decodeConfig } from './program/layout.ts';
import { configPda, vaultPda, vaultTokenPda } from './program/pda.ts';
import { SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID } from './program/programIds.ts';
import { LocalCustody } from './signers/localCustody.ts';
import { PrivySigner, PrivyWalletDirectory } from './signers/privySigner.ts';
import type { OwnerSigner } from './signers/signer.ts';
import { TxBuilder } from './txBuilder.ts';
import { VaultCache } from './vaultCache.ts';
import { VaultProvisioner } from './vaultProvisioner.ts';
import { VaultService } from './vaultService.ts';

export interface CreateChainOptions {
  config?: ChainConfigInput;
  logger: Logger;
  clock?: Clock;
}

export interface ChainInfo {
  cluster: string;
  programId: string;
  mint: string;
  treasury: string;
  operator: string;
  custody: ChainConfig['custody'];
  signingMode: ChainConfig['signingMode'];
  lookupTables: string[];
  /** Embedded: the state file was found and loaded. */
  restored: boolean;
}

export interface Chain {
  executor: ChainActor;
  funds: ChainFunds;
  vaults: VaultService;
  explorerUrl: ExplorerUrl;
  info: ChainInfo;
  config: ChainConfig;
  /** Lower-level parts, for tools and tests. */
  cluster: Cluster;
  signer: OwnerSigner;
  cache: VaultCache;
  tables: LookupTables;
  /** Sends what is pending, stops, and saves the embedded state. */
  close(): Promise<void>;
}

interface Connected {
  cluster: Cluster;
  programId: PublicKey;
  mint: PublicKey;
  treasury: PublicKey;
  feePayer: NativeKeypair;
  custodySeed: string | null;
  restored: boolean;
}

export async function createChain(options: CreateChainOptions): Promise<Chain> {
  const config = chainConfig(options.config);
  const clock = options.clock ?? systemClock;
  const logger = options.logger.child({ component: 'chain' });
  const connected = isEmbedded(config) ? openEmbedded(config, clock) : await openRpc(config, clock);
  const { cluster, programId, mint, treasury, feePayer } = connected;
  const signer = await makeSigner(config, connected.custodySeed);
  const cache = new VaultCache(programId, cluster);
  const owners = await cache.load();
  const tables = new LookupTables(cluster, feePayer, logger);
  await tables.open(
    config.rpc.lookupTables.map((a) => new PublicKey(a)),
    [configPda(programId).address, mint, treasury, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID],
  );
  tables.want(owners.flatMap((o) => [vaultPda(programId, o).address, vaultTokenPda(programId, o).address]));
  await tables.settled();
  const builder = new TxBuilder(feePayer, cluster, tables, signer);
  const provisioner = new VaultProvisioner({
    programId,
    clock,
    mint,
    cluster,
    builder,
    signer,
    cache,
    tables,
    logger,
    signingMode: config.signingMode,
    caps: config.delegation,
  });
  const ctx = {
    programId,
    mint,
    treasury,
    cluster,
    builder,
    signer,
    cache,
    tables,
    provisioner,
    clock,
    logger,
    config,
  };
  const funds = new ChainFunds(cache, signer);
  const links = explorerLinks(explorerTemplate(config));
  const executor = new ChainActor(ctx, links);
  const vaults = new VaultService(ctx, funds, links, cluster instanceof LiteSvmCluster ? cluster : null);
  const info: ChainInfo = {
    cluster: config.cluster,
    programId: programId.toBase58(),
    mint: mint.toBase58(),
    treasury: treasury.toBase58(),
    operator: feePayer.publicKey.toBase58(),
    custody: config.custody,
    signingMode: config.signingMode,
    lookupTables: tables.addresses.map((a) => a.toBase58()),
    restored: connected.restored,
  };
  logger.info({ ...info, vaults: owners.length }, 'chain ready');
  return {
    executor,
    funds,
    vaults,
    explorerUrl: links,
    info,
    config,
    cluster,
    signer,
    cache,
    tables,
    close: async () => {
      await executor.shutdown();
      await tables.settled();
      await cluster.close();
    },
  };
}

function openEmbedded(config: ChainConfig, clock: Clock): Connected {
  const candidate = config.custodySeed ? null : randomBytes(32).toString('hex');
  const boot = LiteSvmCluster.open({
    clock,
    stateFile: config.stateFile,
    feePayer: config.feePayerKeypairPath ? loadKeypairFile(config.feePayerKeypairPath) : null,
    feeCapBps: config.feeCapBps,
    generatedCustodySeed: candidate,
  });
  return { ...boot, custodySeed: config.custodySeed ?? boot.custodySeed ?? candidate };
}

async function openRpc(config: ChainConfig, clock: Clock): Promise<Connected> {
  const cluster = new RpcCluster({ url: config.cluster, ...config.rpc }, clock);
  const programId = new PublicKey(config.programId as string);
  const feePayer = loadKeypairFile(config.feePayerKeypairPath as string);
  const [account] = await cluster.getAccounts([configPda(programId).address]);
  if (!account)
    throw new ChainConfigError(`program ${programId.toBase58()} has no config account on ${config.cluster}`);
  const onChain = decodeConfig(account.data);
  if (!onChain.operator.equals(feePayer.publicKey))
    throw new ChainConfigError('the fee payer is not the operator named in the program config');
  return {
    cluster,
    programId,
    mint: onChain.mint,
    treasury: onChain.treasury,
    feePayer,
    custodySeed: config.custodySeed,
    restored: false,
  };
}

async function makeSigner(config: ChainConfig, custodySeed: string | null): Promise<OwnerSigner> {
  if (config.custody === 'local') {
    if (!custodySeed) throw new ChainConfigError('local custody needs a custody seed');
    return new LocalCustody(Buffer.from(custodySeed, 'hex'));
  }
  const privy = config.privy;
  if (!privy) throw new ChainConfigError('Privy custody needs privy settings');
  // Loaded only for Privy custody: the SDK pulls in wallet libraries a local setup never needs.
  const { PrivyClient } = await import('@privy-io/server-auth');
  const client = new PrivyClient(privy.appId, privy.appSecret, {
    walletApi: {
      ...(privy.apiUrl ? { apiURL: privy.apiUrl } : {}),
      ...(privy.authorizationKey ? { authorizationPrivateKey: privy.authorizationKey } : {}),
    },
  });
  return new PrivySigner(client, new PrivyWalletDirectory(privy.walletsFile));
}
