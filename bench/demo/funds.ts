/**
 * The demo's conservation check, from the outside: every micro-USDC the faucet minted is in a vault, a
 * deposit wallet or the treasury — none created, none lost — after trading and settlement.
 */
import { PublicKey } from '@solana/web3.js';
import { RestClient } from '../../gateway/client/restClient.ts';
import type { Stack } from '../../main.ts';

export interface FundsCheck {
  mintedMicro: number;
  vaultsMicro: number;
  walletsMicro: number;
  treasuryMicro: number;
  conserved: boolean;
}

interface VaultJson {
  balance_micro: number;
  wallet_micro: number;
}

export async function fundsCheck(
  stack: Stack,
  url: string,
  apiKeys: string[],
  mintedMicro: number,
): Promise<FundsCheck> {
  let vaultsMicro = 0;
  let walletsMicro = 0;
  for (const apiKey of apiKeys) {
    const vault = await new RestClient(url, { apiKey }).request<VaultJson>('GET', '/vault');
    vaultsMicro += vault.balance_micro;
    walletsMicro += vault.wallet_micro;
  }
  const [account] = await stack.chain.cluster.getAccounts([new PublicKey(stack.chain.info.treasury)]);
  // An SPL token account holds its amount as a little-endian u64 at offset 64.
  const treasuryMicro = account ? Number(Buffer.from(account.data).readBigUInt64LE(64)) : 0;
  return {
    mintedMicro,
    vaultsMicro,
    walletsMicro,
    treasuryMicro,
    conserved: vaultsMicro + walletsMicro + treasuryMicro === mintedMicro,
  };
}
