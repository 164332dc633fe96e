/**
 * The chain adapter's public surface: the factory for the composition root, its configuration, and the
 * types the gateway and tools use. See docs/chain.md.
 */
export type { ChainActor } from './chainActor.ts';
export type { ChainFunds } from './chainFunds.ts';
export * from './config.ts';
export { type Chain, type ChainInfo, type CreateChainOptions, createChain } from './createChain.ts';
export { EMBEDDED_EXPLORER_TEMPLATE, type ExplorerUrl, explorerLinks, explorerTemplate } from './explorer.ts';
export type { OwnerSigner, Principal } from './signers/signer.ts';
export type { VaultService, VaultTxResult, VaultView } from './vaultService.ts';
