/** Well-known program ids the parlay_vaults program and its client work with. */
import { PublicKey } from '@solana/web3.js';

export const SYSTEM_PROGRAM_ID = new PublicKey('11111111111111111111111111111111');
/** SPL Token (classic); the vaults hold a classic mint such as USDC, not Token-2022. */
export const TOKEN_PROGRAM_ID = new PublicKey('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
export const BPF_LOADER_UPGRADEABLE_ID = new PublicKey('BPFLoaderUpgradeab1e11111111111111111111111');
export const SYSVAR_RENT_ID = new PublicKey('SysvarRent111111111111111111111111111111111');
export const SYSVAR_CLOCK_ID = new PublicKey('SysvarC1ock11111111111111111111111111111111');
