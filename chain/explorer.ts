/**
 * Explorer links, cluster-aware. A template with {kind} (tx | address) and {value}:
 *  - configured (CHAIN_EXPLORER_URL) wins;
 *  - JSON-RPC: the Solana Explorer, with ?cluster=devnet|testnet for those clusters, nothing for
 *    mainnet-beta, and cluster=custom&customUrl=<rpc> for any other endpoint;
 *  - embedded litesvm: `litesvm://{kind}/{value}` — the ledger lives in this process and no public
 *    explorer can see it; set CHAIN_EXPLORER_URL to a viewer of your own to get clickable links.
 */
import { isEmbedded } from './config.ts';

export type ExplorerUrl = (kind: 'tx' | 'address', value: string) => string;

export const EMBEDDED_EXPLORER_TEMPLATE = 'litesvm://{kind}/{value}';
const SOLANA_EXPLORER = 'https://explorer.solana.com/{kind}/{value}';

export function explorerTemplate(config: { cluster: string; explorerUrl: string | null }): string {
  if (config.explorerUrl) return config.explorerUrl;
  if (isEmbedded(config)) return EMBEDDED_EXPLORER_TEMPLATE;
  const host = new URL(config.cluster).hostname;
  if (host.includes('devnet')) return `${SOLANA_EXPLORER}?cluster=devnet`;
  if (host.includes('testnet')) return `${SOLANA_EXPLORER}?cluster=testnet`;
  if (host.includes('mainnet')) return SOLANA_EXPLORER;
  return `${SOLANA_EXPLORER}?cluster=custom&customUrl=${encodeURIComponent(config.cluster)}`;
}

export function explorerLinks(template: string): ExplorerUrl {
  return (kind, value) => template.replace('{kind}', kind).replace('{value}', encodeURIComponent(value));
}
